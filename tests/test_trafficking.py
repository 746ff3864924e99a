"""Signs of trafficking and kidnapping in the user's story: protection information, the
organisations of the user's country, and the offer of a person, in every launch language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.catalogue import LANGUAGES
from bot.safety.checks import check_safety_files
from bot.safety.trafficking import load_signs

ROOT = Path(__file__).resolve().parent.parent

# (message, expected topic) per launch language: a story of exploitation and one of kidnapping.
STORIES = {
    "en": [
        ("my boss took my passport and says I owe him more every month", "trafficking_signs"),
        ("we are locked in the farm and not allowed to leave", "trafficking_signs"),
        (
            "they are asking my family for 5000 dollars or they will not let me go",
            "kidnapping_extortion",
        ),
    ],
    "ar": [
        ("صاحب الشغل أخذ جوازي وما بدو يرجعلي ياه", "trafficking_signs"),
        ("حابسينا بالمزرعة وما بيخلونا نطلع", "trafficking_signs"),
        ("الخاطفين عم يطلبوا من أهلي 3000 دولار", "kidnapping_extortion"),
    ],
    "fa": [
        ("کارفرما پاسپورتم را گرفته و پس نمی‌دهد", "trafficking_signs"),
        ("مجبورم می‌کنن بدون حقوق کار کنم", "trafficking_signs"),
        ("قاچاقبرها از خانواده ام پول می‌خوان وگرنه ولم نمی‌کنن", "kidnapping_extortion"),
    ],
    "ps": [
        ("کارفرما زما پاسپورټ اخیستی او بیرته یې نه راکوي", "trafficking_signs"),
        ("تښتوونکي زما له کورنۍ پیسې غواړي", "kidnapping_extortion"),
    ],
    "ti": [
        ("ኣስራሒየይ ፓስፖርተይ ወሲዱዎ", "trafficking_signs"),
        ("ሰብ ጨወይቲ ካብ ስድራይ ገንዘብ ይሓቱ ኣለዉ", "kidnapping_extortion"),
    ],
    "so": [
        ("shaqo bixiyaha ayaa baasaboorkayga iga qaaday", "trafficking_signs"),
        ("afduubayaal ayaa qoyskayga lacag ka dalbanaya", "kidnapping_extortion"),
    ],
    "fr": [
        ("mon patron a pris mon passeport et ne veut pas le rendre", "trafficking_signs"),
        ("ils m'obligent à travailler sans salaire depuis des mois", "trafficking_signs"),
        ("les ravisseurs demandent une rançon à ma famille", "kidnapping_extortion"),
    ],
    "es": [
        ("mi jefe se quedó con mi pasaporte", "trafficking_signs"),
        ("la deuda crece cada mes y no me dejan salir", "trafficking_signs"),
        ("los secuestradores piden dinero a mi familia", "kidnapping_extortion"),
    ],
    "tr": [
        ("patronum pasaportumu aldı ve geri vermiyor", "trafficking_signs"),
        ("ailemden fidye istiyorlar", "kidnapping_extortion"),
    ],
    "ur": [
        ("مالک نے میرا پاسپورٹ لے لیا ہے", "trafficking_signs"),
        ("اغوا کاروں نے گھر والوں سے پیسے مانگے", "kidnapping_extortion"),
    ],
    "bn": [
        ("মালিক আমার পাসপোর্ট রেখে দিয়েছে", "trafficking_signs"),
        ("দালালরা বাড়িতে টাকা চাইছে, না হলে ছাড়বে না", "kidnapping_extortion"),
    ],
    "uk": [
        ("роботодавець забрав мій паспорт", "trafficking_signs"),
        ("викрадачі вимагають у моєї родини гроші", "kidnapping_extortion"),
    ],
}

# General questions and other troubles: no sign in the user's own story.
NOT_SIGNS = [
    "what is human trafficking?",
    "I lost my passport, what do I do",
    "how do I renew my passport",
    "ما هو الاتجار بالبشر؟",
    "mi pasaporte caducó, qué hago",
    "je dois rembourser un prêt à la banque",
    "how do I get a work visa for Canada",
    "پاسپورتم گم شده چه کنم",
    # detention by the authorities and sexual violence have their own topics
    "they locked me up in a detention centre in libya",
    "cuanto tiempo me pueden tener encerrado en el CIE",
    "a man forced me to have sex on the journey",
    # Spanish "enfermo" (sick) is not French "enfermé" (locked in)
    "mi hijo esta enfermo, podemos pedir un visado humanitario",
]


@pytest.fixture(scope="module")
def signs():
    return load_signs(ROOT / "content")


def test_every_launch_language_has_stories():
    assert set(STORIES) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signs_are_recognised_in_every_language(signs, language):
    for message, topic in STORIES[language]:
        sign = signs.check(message)
        assert sign is not None and sign.topic == topic, (message, sign)


def test_questions_and_other_troubles_are_not_signs(signs):
    for message in NOT_SIGNS:
        assert signs.check(message) is None, message


def test_other_topics_examples_in_the_content_rarely_show_signs(signs, content):
    examples = [
        e
        for t in content.topics.values()
        if t.id not in ("trafficking_signs", "kidnapping_extortion")
        for tr in t.translations.values()
        for e in tr.examples
    ]
    shown = [e for e in examples if signs.check(e)]
    assert len(examples) > 1000
    assert len(shown) / len(examples) < 0.01, shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_story_gets_protection_and_the_offer_of_a_person(ask, language, content):
    for i, (message, topic) in enumerate(STORIES[language]):
        answer = ask(f"traff-{language}-{i}", message)
        replies = answer.replies
        if answer.emergency:  # the model is sure of danger now: the numbers, then the same help
            assert answer.topic == "emergency_general", (message, answer.topic)
            replies = replies[1:]
        else:
            assert answer.topic == topic, (message, answer.topic)
        payloads = [b.payload for r in replies for b in r.buttons]
        assert "/human_help" in payloads
        answer_text = content.topics[topic].translation(answer.language).answer
        assert replies[0].text.translate(NO_MARKS).startswith(answer_text[:40].translate(NO_MARKS))


def test_most_stories_are_not_emergencies(ask):
    answers = [
        ask(f"traff-most-{lang}-{i}", message)
        for lang, stories in STORIES.items()
        for i, (message, _topic) in enumerate(stories)
    ]
    assert sum(a.emergency for a in answers) <= 2, [a.said for a in answers if a.emergency]


def test_danger_now_in_a_story_of_exploitation_gets_the_numbers_then_the_protection(ask, content):
    message = (
        "she is giving birth since hours and bleeding, the smugglers keep us locked in the house"
    )
    answer = ask("traff-danger", message, lang="en")
    assert answer.emergency and answer.topic == "emergency_general"
    protection = content.topics["trafficking_signs"].translation("en").answer
    texts = [r.text.translate(NO_MARKS) for r in answer.replies]
    assert any(t.startswith(protection[:40]) for t in texts[1:])


NO_MARKS = str.maketrans("", "", "\u2068\u2069\u200e\u200f")


def test_when_the_country_is_known_its_organisations_are_listed(ask, content):
    answer = ask("traff-country", "my boss took my passport, I am in Libya")
    assert answer.topic == "trafficking_signs"
    text = "\n".join(r.text for r in answer.replies)
    iom = next(s for s in content.countries["LY"].services if s.kind == "iom")
    assert iom.url in text


def test_the_country_from_earlier_in_the_conversation_is_used(ask, content):
    ask("traff-earlier", "/country TN", lang="fr")
    answer = ask("traff-earlier", "les ravisseurs demandent une rançon à ma famille", lang="fr")
    assert answer.topic == "kidnapping_extortion"
    text = "\n".join(r.text for r in answer.replies)
    assert "197" in text  # Tunisia's emergency number
    assert any(s.url in text for s in content.countries["TN"].services if s.url)


def test_without_a_country_the_user_is_asked_for_it(ask):
    answer = ask("traff-nocountry", "they took my passport and I work without pay")
    payloads = [b.payload for b in answer.replies[-1].buttons]
    assert "/find_help" in payloads and "/human_help" in payloads


def test_content_check_reports_sign_file_problems_with_lines(tmp_path):
    safety = tmp_path / "safety"
    safety.mkdir()
    shutil.copy(ROOT / "content" / "safety" / "trafficking.yml", safety / "trafficking.yml")
    text = (safety / "trafficking.yml").read_text(encoding="utf-8")
    text = text.replace("    topic: kidnapping_extortion\n", "    topic: kidnaping\n", 1)
    text = text.replace("        - '\\brancon\\w*", "        - '[\\brancon\\w*", 1)
    (safety / "trafficking.yml").write_text(text, encoding="utf-8")
    problems = [p for p in check_safety_files(tmp_path) if p.severity == "error"]
    lines = text.splitlines()
    assert any(
        "topic: kidnapping_extortion" in p.message and "kidnaping" in lines[p.line - 1]
        for p in problems
    )
    broken = next(p for p in problems if "invalid pattern" in p.message)
    assert "rancon" in lines[broken.line - 1]
