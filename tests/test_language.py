"""bot.language: which language a chat message is in, and which language Masar answers in.

The messages below are written as users write them (lower case, no accents, typos, mixed
English words); none is copied from content/topics, so these tests do not just repeat the
content examples the detector was checked against.
"""

import pytest

from bot.language import (
    LANGUAGES,
    RTL,
    Detection,
    choose_language,
    detect,
    normalize_language_code,
    warm_up,
)

CHAT = {
    "en": [
        "where can i apply for asylum",
        "is it safe to take the boat to italy?",
        "i lost my documents what should i do",
        "my son is sick and we have no doctor here",
        "how long does the interview take",
        "can someone call me back please",
    ],
    "ar": [
        "وين بقدر أقدم طلب لجوء",
        "هل الطريق من ليبيا آمن؟",
        "ضاعت أوراقي شو لازم أعمل",
        "ابني مريض وما في دكتور",
        "كم بياخد وقت المقابلة",
        "عايز اعرف حقوقي في اليونان",
    ],
    "fa": [
        "کجا می‌تونم درخواست پناهندگی بدم",
        "راه دریا به ایتالیا خطرناکه؟",
        "مدارکم گم شده چیکار کنم",
        "بچه‌ام مریضه و دکتر نداریم",
        "مصاحبه چقدر طول می‌کشه",
        "من از افغانستان استم و کمک کار دارم",  # Dari
    ],
    "ps": [
        "زه د پناه غوښتنې لپاره چیرته ولاړ شم",
        "ایا په بېړۍ کې تلل خطرناک دي؟",
        "زما اسناد ورک شوي دي څه وکړم",
        "زما زوی ناروغ دی او ډاکټر نشته",
        "مرکه څومره وخت نیسي",
    ],
    "ti": [
        "ዑቕባ ንምሕታት ናበይ ክኸይድ",
        "ብጃልባ ምኻድ ሓደገኛ ድዩ",
        "ሰነዳተይ ጠፊኦም እንታይ ክገብር",
        "ወደይ ሓሚሙ ሓኪም የለን",
        "ሰላም ከመይ ኣለኹም",
    ],
    "so": [
        "halkee ka codsan karaa magangelyo",
        "doonida talyaaniga ma ammaan baa",
        "waraaqahaygii waan lumiyay maxaan sameeyaa",
        "wiilkeyga wuu xanuunsan yahay dhakhtar ma jiro",
        "wareysigu intee ayuu qaadanayaa",
    ],
    "fr": [
        "où est-ce que je peux demander l'asile",
        "est ce que le bateau pour l'italie est dangereux",
        "j'ai perdu mes papiers je fais quoi",
        "mon fils est malade on a pas de médecin",
        "l'entretien dure combien de temps",
    ],
    "es": [
        "dónde puedo pedir asilo",
        "es peligroso ir en barco a españa",
        "perdí mis papeles que hago",
        "mi hijo esta enfermo y no tenemos medico",
        "cuanto dura la entrevista",
    ],
    "tr": [
        "nereden sığınma başvurusu yapabilirim",
        "italyaya tekneyle gitmek tehlikeli mi",
        "belgelerimi kaybettim ne yapmalıyım",
        "oğlum hasta ve doktorumuz yok",
        "mülakat ne kadar sürüyor",
    ],
    "ur": [
        "میں پناہ کی درخواست کہاں دے سکتا ہوں",
        "کیا کشتی سے اٹلی جانا خطرناک ہے",
        "میرے کاغذات گم ہو گئے ہیں کیا کروں",
        "میرا بیٹا بیمار ہے",
        "انٹرویو میں کتنا وقت لگتا ہے",
    ],
    "bn": [
        "আমি কোথায় আশ্রয়ের আবেদন করতে পারি",
        "নৌকায় ইতালি যাওয়া কি বিপজ্জনক",
        "আমার কাগজপত্র হারিয়ে গেছে কী করব",
        "আমার ছেলে অসুস্থ",
        "ইন্টারভিউ কতক্ষণ লাগে",
    ],
    "uk": [
        "де я можу подати заяву на притулок",
        "чи безпечно їхати човном до італії",
        "я загубив документи що робити",
        "мій син хворий",
        "скільки триває співбесіда",
    ],
}

ARABIZI = [
    "ana 3ayez aro7 3al ba7r",
    "shu ba3mel",
    "kifak",
    "wein",
    "inshallah",
    "fi 7ad y2dar ysa3edni?",
    "el markab 5ater wala la2",
    "3andi moshkle bel awra2",
    "mesh 3aref a3mel eh",
    "keef a2dam 3al lujoo2",
]


@pytest.fixture(scope="module", autouse=True)
def _loaded():
    warm_up()


def test_constants():
    assert set(LANGUAGES) == {
        "en",
        "ar",
        "fa",
        "ps",
        "ti",
        "so",
        "fr",
        "es",
        "tr",
        "ur",
        "bn",
        "uk",
    }
    assert len(LANGUAGES) == 12
    assert frozenset({"ar", "fa", "ps", "ur"}) == RTL


@pytest.mark.parametrize(
    "language,text", [(lang, text) for lang, texts in CHAT.items() for text in texts]
)
def test_chat_messages(language, text):
    result = detect(text)
    assert result.language == language, result
    assert result.arabizi is False
    assert 0.0 < result.confidence <= 1.0


def test_every_launch_language_has_chat_examples():
    assert set(CHAT) == set(LANGUAGES)
    assert all(len(texts) >= 5 for texts in CHAT.values())


@pytest.mark.parametrize("text", ARABIZI)
def test_arabizi_is_arabic_with_flag(text):
    result = detect(text)
    assert result == Detection("ar", result.confidence, True)


@pytest.mark.parametrize(
    "text,language",
    [
        ("i need 2 tickets for the bus at 3pm", "en"),
        ("my appointment is on the 2nd, room 3b", "en"),
        ("do i need a covid19 test", "en"),
        ("where is the b2 german course", "en"),
        ("j'ai 25 ans et je suis seul", "fr"),
        ("inta badan dadka waxay u socdaan talyaaniga", "so"),
        ("ana yolda çok insan var", "tr"),
        ("la ayuda es para el 5 de mayo", "es"),
    ],
)
def test_digits_and_lookalikes_are_not_arabizi(text, language):
    result = detect(text)
    assert result.language == language
    assert result.arabizi is False


@pytest.mark.parametrize(
    "text",
    [
        "👍",
        "😀😀🙏",
        "112",
        "+39 06 1234567",
        "https://help.unhcr.org/italy",
        "",
        "  ",
        "?!",
        "UNHCR",
        "ok",
    ],
)
def test_no_language_signal(text):
    assert detect(text) == Detection(None, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "thanks",
        "UNHCR",
        "yes",
        "thx",
        "112",
        "👍",
        "https://unhcr.org",
        "WhatsApp",
        "IOM office?",
        "merci",
        "kifak",
    ],
)
def test_short_foreign_words_keep_the_conversation_language(text):
    assert choose_language(text, current="fa").language == "fa"
    assert choose_language(text, current="fa", client_hint="fa-IR").language == "fa"


def test_english_name_inside_persian_message_stays_persian():
    assert choose_language("آدرس دفتر UNHCR در آتن کجاست", current="en").language == "fa"
    assert detect("Apple کے CEO نے کہا").language == "ur"


def test_clear_switch_to_another_language():
    french = "Bonjour, je cherche un avocat pour ma demande d'asile en France"
    assert choose_language(french, current="en").language == "fr"
    english = "I would like to know how to apply for asylum in Germany"
    assert choose_language(english, current="fa").language == "en"
    assert choose_language("ana 3ayez aro7 3al ba7r", current="en") == detect(
        "ana 3ayez aro7 3al ba7r"
    )


def test_short_message_in_another_latin_language_does_not_switch():
    assert choose_language("gracias", current="fr").language == "fr"
    assert choose_language("help me", current="so").language == "so"


def test_changed_keyboard_switches_even_when_short():
    assert choose_language("привіт", current="en").language == "uk"
    assert choose_language("ሰላም", current="ar").language == "ti"
    assert choose_language("سلام دوستان", current="en").language in RTL


def test_same_script_needs_a_clear_message():
    assert choose_language("شكرا", current="fa").language == "fa"
    long_arabic = "مرحبا، أريد أن أعرف كيف أقدم طلب لجوء في ألمانيا"
    assert choose_language(long_arabic, current="fa").language == "ar"


def test_client_hint_used_for_very_short_messages():
    assert choose_language("hi", client_hint="fa-IR").language == "fa"
    assert choose_language("سلام", client_hint="fa-IR").language == "fa"
    assert choose_language("سلام", client_hint="ar").language == "ar"
    assert choose_language("سلام", client_hint="ps-AF").language == "ps"
    assert choose_language("hello", client_hint="tr").language == "tr"
    assert choose_language("👍", client_hint="so").language == "so"
    # A keyboard the hinted language does not use wins over the hint.
    assert choose_language("مرحبا", client_hint="en-US").language in RTL


def test_client_hint_loses_against_a_clear_message():
    clear = "Where can I find a lawyer for my asylum case?"
    assert choose_language(clear, client_hint="fa-IR").language == "en"
    assert choose_language("hi", current="en", client_hint="fa-IR").language == "en"


def test_no_context_and_no_signal_gives_none():
    assert choose_language("👍").language is None
    assert choose_language("112", client_hint="pt-BR").language is None


def test_arabizi_flag_survives_choice():
    result = choose_language("shu ba3mel", current="ar")
    assert result.language == "ar" and result.arabizi is True


@pytest.mark.parametrize(
    "code,expected",
    [
        ("fa-IR", "fa"),
        ("fa_AF", "fa"),
        ("prs", "fa"),
        ("ps-AF", "ps"),
        ("EN-us", "en"),
        ("ar", "ar"),
        ("uk-UA", "uk"),
        ("pt-BR", None),
        ("ru", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language_code(code, expected):
    assert normalize_language_code(code) == expected


@pytest.mark.parametrize(
    "text,language",
    [
        ("mujhe madad chahiye bhai", "ur"),
        ("salam chetori, komak mikham", "fa"),
        ("apnar sathe kotha bolte chai", "bn"),
    ],
)
def test_romanised_urdu_persian_bengali(text, language):
    """Roman Urdu, Finglish and Banglish are common in chat; a word list recognises them, never
    with full confidence, and they do not move a conversation on their own."""
    result = detect(text)
    assert result.language == language and result.arabizi is False
    assert result.confidence <= 0.8
    assert choose_language("bhai lawyer kahan milega", current="ur").language == "ur"
    assert choose_language("kya haal hai", current="en").language == "en"


# Romanised messages as the first message of a conversation: no current language, no client
# language code, often with English loanwords. Written for these tests, not taken from content.
ROMANISED = {
    "ur": [
        "mujhe lawyer chahiye",
        "mera bhai libya mein phansa hua hai",
        "agent paise wapas nahi de raha",
        "kya main greece mein asylum le sakta hoon",
        "police ne pakad liya ab kya karun",
        "mera case reject ho gaya appeal kaise karun",
        "boat kab chalegi",
    ],
    "bn": [
        "amar passport harie geche",
        "ami italy te jete chai",
        "dalal taka ferot dicche na",
        "amar bhai greece e ache",
        "police dhore niye geche ekhon ki kori",
        "family reunion er jonno ki ki documents lagbe",
        "boat kobe chharbe",
    ],
    "ps": [
        "zama passport wrak shaw",
        "za greece ta tlal ghwaram",
        "zama wror pa libya ke dy",
        "ma ta wakil pakar dy",
        "da kaar sahi dy ka na",
        "zama asylum case reject shawe dy",
    ],
    "fa": [
        "man komak mikham",
        "mikham beram alman",
        "baradaram dar libi gir oftade",
        "pool nadaram chi kar konam",
        "man az afghanistan hastam",
        "interview baraye asylum kei hast",
    ],
}


@pytest.mark.parametrize(
    "language,text", [(lang, text) for lang, texts in ROMANISED.items() for text in texts]
)
def test_romanised_first_message_gets_its_language(language, text):
    """Roman Urdu, Banglish, romanised Pashto and Finglish are told apart by their own function
    words and verb forms, even when half the words are English loans ("lawyer", "passport")."""
    result = detect(text)
    assert result.language == language and result.arabizi is False, result
    assert 0.0 < result.confidence <= 0.8  # a word list, not a model
    assert choose_language(text).language == language


@pytest.mark.parametrize(
    "text",
    [
        "my bhai is stuck in libya",
        "is the dalal legit",
        "salam i need help",
        "hello bhai how are you",
        "salam alaikum, where can i get food",
        "i am from pakistan and i need a lawyer",
        "sham marriage is a crime",
    ],
)
def test_english_with_a_few_loanwords_stays_english(text):
    assert detect(text).language == "en"
    assert choose_language(text).language == "en"


@pytest.mark.parametrize(
    "text",
    [
        "help fadlan",
        "passport-kayga waa lumay",
        "ma jiraa lawyer bilaash ah",
        "asylum sidee loo codsadaa",
        "agent-ka lacag ayuu iga qaatay",
        "visa ma heli karaa",
    ],
)
def test_somali_mixed_with_english_stays_somali(text):
    assert detect(text).language == "so"


@pytest.mark.parametrize(
    "text,language",
    [
        ("mon ami est en libye", "fr"),  # Bengali "ami"
        ("hoy no hay trabajo", "es"),  # Bengali "hoy", Urdu "hay"
        ("la banda me pidio mas dinero", "es"),  # Urdu "banda", "me"
        ("nos vemos manana en la oficina", "es"),  # Pashto "manana"
        ("kac kisi var teknede", "tr"),  # Turkish without its letters; Urdu "kisi"
        ("tum belgelerimi kaybettim", "tr"),  # Urdu "tum"
        ("waxaan kala tagnay qoyskayga", "so"),  # Pashto "kala"
    ],
)
def test_lookalike_words_do_not_make_a_message_romanised(text, language):
    assert detect(text).language == language


def test_pashto_letter_outweighs_arabic_words():
    """ګ ښ ړ ... are never Arabic: one of them beats a model that only saw Arabic loanwords."""
    assert detect("صفحه وګوره مهرباني").language == "ps"


def test_small_language_model_setting(monkeypatch):
    """`small` builds lingua's low-accuracy detectors; an unknown value is refused at start-up."""
    from bot import language, settings

    monkeypatch.setenv("MASAR_LANGUAGE_MODEL", "large")
    with pytest.raises(SystemExit, match="MASAR_LANGUAGE_MODEL"):
        settings.load()
    monkeypatch.setenv("MASAR_LANGUAGE_MODEL", "small")
    language.use_model(settings.load().language_model)
    saved = dict(language._detectors)
    language._detectors.clear()
    try:
        assert detect("where can I find a lawyer for my asylum case").language == "en"
        assert detect("je voudrais demander l'asile en France, comment faire").language == "fr"
        assert language._low_accuracy_mode()
        monkeypatch.setenv("MASAR_LANGUAGE_MODEL", "full")
        language.use_model(settings.load().language_model)
        assert not language._low_accuracy_mode()
    finally:
        language.use_model("full")
        language._detectors.clear()
        language._detectors.update(saved)


def test_invisible_direction_marks_inside_words_do_not_change_the_language():
    """A Persian question with bidi marks, embeddings and isolates inside its words (from the
    seeded hostile input) was read as Urdu; the marks only steer display and are dropped."""
    from bot.messages import clean_text

    marked = (
        "در\u202a بلغاریا ب\u202cه کی مر\u061cا\u2066ج\u202aعه\u2067 کن\u202aم بر\u202cای کم\u2066ک"
    )
    assert detect(clean_text(marked)).language == "fa"
    assert clean_text("می\u200cخواهم 👨\u200d👩\u200d👧") == "می\u200cخواهم 👨\u200d👩\u200d👧"


def test_numbers_do_not_count_as_words_against_arabizi():
    """Prices and phone numbers are no language's words: "ana 3ayez ..." followed by an amount
    and a number is as Arabizi as without them."""
    from bot.language import _arabizi_score

    words = ["ana", "3ayez", "arou7", "almanya", "3000", "euro", "000", "555", "0192"]
    evidence, n = _arabizi_score(words)
    assert n == 5 and evidence >= 2
