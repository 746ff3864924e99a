"""The word lists bot/language.py reads messages with, kept apart so they can be reviewed
(and added to) without reading the detection code: chat words, function words, Arabizi words,
the own and shared words of each romanised language, and the words of each Arabic-script
language. Every list is checked the way its comment says before a word is added; run
`python -m bot.benchmarks.language` and tests/test_language.py after any change.
"""

from __future__ import annotations

# Tokens that occur in chats in every language (interjections, brands, organisations).
NEUTRAL = frozenset(
    [
        "ok",
        "okay",
        "okey",
        "oki",
        "okk",
        "k",
        "kk",
        "lol",
        "haha",
        "hahaha",
        "hehe",
        "hmm",
        "hm",
        "mm",
        "ah",
        "oh",
        "eh",
        "wow",
        "xd",
        "whatsapp",
        "telegram",
        "viber",
        "signal",
        "facebook",
        "instagram",
        "tiktok",
        "google",
        "youtube",
        "messenger",
        "imo",
        "unhcr",
        "iom",
        "unicef",
        "msf",
        "ngo",
        "redcross",
        "covid",
        "sms",
        "pdf",
        "id",
        "gps",
        "wifi",
    ]
)


# Arabizi: texting words with digits that are not Arabic letters, and frequent words.
TEXTING = frozenset(
    ["2day", "2morrow", "2moro", "2nite", "2gether", "2u", "2b", "mp3", "h2o", "co2", "b2b", "p2p"]
)

# Frequent Arabizi words (Levantine, Egyptian, Gulf, Iraqi, Maghrebi, MSA) that do not occur in
# en/fr/es/tr/so. Strong ones decide on their own.
ARABIZI_STRONG = frozenset(
    [
        # Maghrebi and Gulf words frequent in chat ("chno", "triq", "khouya", "galli")
        "chno",
        "chnou",
        "chnowa",
        "chnu",
        "triq",
        "tri9",
        "akhuy",
        "akhoya",
        "ahalna",
        "qalli",
        "galli",
        "2alli",
        "shoghol",
        "shoghl",
        "talbin",
        "fidya",
        "ensaniye",
        "mamarat",
        "foran",
        "lel",
        "enta",
        "enti",
        "inti",
        "ente",
        "entu",
        "intu",
        "e7na",
        "ehna",
        "i7na",
        "ihna",
        "howa",
        "huwa",
        "heya",
        "homa",
        "shu",
        "shou",
        "sho",
        "shoo",
        "eish",
        "eshi",
        "shno",
        "shnu",
        "chno",
        "chnou",
        "chnu",
        "izzay",
        "ezzay",
        "ezay",
        "izay",
        "keef",
        "kif",
        "kaif",
        "kifak",
        "kifik",
        "kifkon",
        "keefak",
        "keefik",
        "kifek",
        "izayak",
        "ezayak",
        "izayek",
        "ezayek",
        "wein",
        "fein",
        "feen",
        "fain",
        "emta",
        "imta",
        "lesh",
        "leish",
        "leesh",
        "lish",
        "inshallah",
        "inshalla",
        "nshallah",
        "insha'allah",
        "inshaallah",
        "mashallah",
        "yalla",
        "yallah",
        "habibi",
        "habibti",
        "mish",
        "msh",
        "mesh",
        "mush",
        "mafi",
        "mafish",
        "mafeesh",
        "maalesh",
        "bdi",
        "baddi",
        "biddi",
        "bedi",
        "bidi",
        "aayez",
        "awez",
        "ayez",
        "mumkin",
        "momken",
        "mumken",
        "momkin",
        "kteer",
        "ktir",
        "kter",
        "kiteer",
        "ketir",
        "shway",
        "shwaya",
        "shwayeh",
        "shwaye",
        "tayeb",
        "tayyeb",
        "tayib",
        "ahlan",
        "marhaba",
        "marhaban",
        "shukran",
        "shokran",
        "shukra",
        "alhamdulillah",
        "hamdulillah",
        "hamdellah",
        "wallah",
        "khalas",
        "khalaas",
        "aywa",
        "aiwa",
        "eywa",
        "halla",
        "hallaq",
        "hek",
        "heik",
        "keda",
        "kda",
        "hon",
        "hone",
        "hena",
        "hina",
        "hnak",
        "hunak",
        "hunaak",
        "hunaka",
        "kaman",
        "kamaan",
        "kman",
        "bta3",
        "beta3",
        "aro7",
        "rou7",
        "nrou7",
        "qala",
        "qalat",
        "qad",
        "laqad",
        "hadhihi",
        "hadha",
        "hatha",
        "hathihi",
        "haza",
        "hazihi",
        "kana",
        "kanat",
        "yumkin",
        "yumkinu",
        "aydan",
        "aydhan",
        "idha",
        "itha",
        "lakin",
        "allati",
        "allathi",
        "alladhi",
        "allazi",
        "bayna",
        "alaa",
        "haga",
        "haja",
        # Maghrebi
        "wach",
        "kifach",
        "kifash",
        "kifech",
        "bzaf",
        "bezzaf",
        "dyal",
        "dial",
        "khouya",
        "bghit",
        "bghina",
        "mzyan",
        "mezyan",
        "kayen",
        "kayn",
        "makaynch",
        "chkoun",
        "chkon",
        "hadchi",
        "dakchi",
        "wakha",
        "barsha",
        "ghadi",
        "chneya",
        # Sudanese
        "dayer",
        "dayir",
        "zol",
        "zool",
        "shinu",
        "shino",
        "kefin",
        "hassi",
        "gadir",
        "bigool",
        "kattir",
        # Maghrebi, Gulf, Iraqi, Sudanese, Egyptian and Levantine chat words without digits
        # ("wesh ndir", "shlon", "rafdouli", "dayra") that en/fr/es/tr/so do not use
        "bghiti",
        "nmchi",
        "nemchi",
        "nmshi",
        "wesh",
        "dyali",
        "diali",
        "mazal",
        "walakin",
        "shlonak",
        "ashlon",
        "shaku",
        "maku",
        "hallak",
        "ayza",
        "ashan",
        "betaa",
        "dayra",
        "zoul",
        "shunu",
        "leysh",
        "laish",
        "abgha",
        "abga",
        "ngdar",
        "nqder",
        "neqder",
        "najjem",
        "nejjem",
        "barcha",
        "famma",
        "mouch",
        "chwiya",
        "chwia",
        "khuya",
        "khti",
        "okhti",
        "nkhdem",
        "nekhdem",
        "khdma",
        "kayna",
        "kaynin",
        "walou",
        "heek",
        "hayda",
        "haida",
        "hwaya",
        "alhin",
        "alheen",
        "dilwaati",
        "wlad",
        "rahi",
        "raho",
    ]
)
# Weak ones only count next to a strong word or a digit word: "la", "el", "ya" are Spanish or
# French, "ana" and "fen" Turkish, "inta", "leh", "badi", "markab" Somali.
ARABIZI_WEAK = frozenset(
    [
        "ana",
        "la",
        "el",
        "il",
        "al",
        "w",
        "ya",
        "fi",
        "fe",
        "min",
        "men",
        "mn",
        "ela",
        "ma",
        "bas",
        "yani",
        "tamam",
        "mashi",
        "salam",
        "salaam",
        "hal",
        "kam",
        "kol",
        "kul",
        "ay",
        "eh",
        "ah",
        "ha",
        "walla",
        "wallahi",
        "akhi",
        "ukhti",
        "zay",
        "leh",
        "lih",
        "badi",
        "inta",
        "markab",
        "balam",
        "bi",
        "li",
        "an",
        "lam",
        "lan",
        "ahl",
        "shi",
        "shy",
        "shee",
        "safar",
        "jawaz",
        "wen",
        "fen",
        "hon",
        "mina",
        "ila",
        "ala",
        "barra",
        "wayn",
        "wa",
        "hiya",
        "hya",
    ]
)


# Chat words that identify a language on their own (bot/language.py: _LATIN_LEXICON).
CHAT_WORDS: dict[str, str] = {
    "en": "hello helo hi hiya hey yo thanks thank thx ty u pls plz bye cya goodbye please yes yeah "
    "sorry help where what how when why is are the my i me need want can do does have it this that "
    "with and or lawyer asylum boat border police",
    "fr": "bonjour bonsoir salut slt bjr merci mercii oui svp stp aide aidez moi je suis veux besoin "
    "où comment pourquoi est les des une avec pour dans avocat asile bateau frontière ça",
    "es": "hola holaa gracias grax buenos buenas sí si por favor ayuda ayúdame quiero necesito dónde "
    "donde cómo como qué que porque estoy soy tengo una los las del con para abogado asilo barco "
    "frontera chao chau gratis hasta luego vemos nos",
    "tr": "merhaba mrb selam teşekkürler teşekkür ederim sağol sağ ol evet hayır yok var lütfen yardım "
    "nerede nasıl neden ne ben sen bir ve için avukat sınır tekne istiyorum lazım bay",
    "so": "mahadsanid waad salaan haa maya iska warran fadlan caawin caawimaad waan waxaan "
    "xagee sidee maxaa aan iyo ku ka ma waa dhoof doon badda xuduudka qareen magangelyo asc",
}


# Function words of the languages the model knows (bot/language.py: _FUNCTION_WORDS).
FUNCTION_WORDS: dict[str, str] = {
    "en": "i my you your he she we they it is are am was were be been does did have has had can "
    "could will would should the an of on at for with from and or but not this that what where "
    "when how why who which there here",
    "fr": "je tu il elle nous vous ils mon mes ton tes son ses le les une des du est sont suis "
    "avez ont et mais pas pour dans sur avec cette qui quoi où comment pourquoi quand",
    "es": "yo él ella nosotros ellos mi mis su sus el los las una del es está están estoy soy son "
    "tengo tiene y pero para con qué cómo dónde cuándo porque muy también",
    "tr": "ben sen biz siz onlar benim senin bir ve ile için bu şu ne nasıl nerede neden var yok "
    "mı mi mu mü değil çok ama gibi",
}


# Words that mark a language in Latin-script messages where the character model cannot see it:
# the launch languages people also type in Latin letters (Roman Urdu, Finglish, Banglish,
# romanised Pashto, Tigrinya and Ukrainian), which lingua does not know at all, and Somali,
# whose short messages are often mostly English loanwords ("change language fadlan"). Each
# language has two lists:
#
# * its own words, not also common English, French, Spanish, Turkish or Somali words (pronouns,
#   question words, verb forms: "hai", "korbo", "shta", "mikham", "waxaan"): each counts on its
#   own, for every language whose list holds it ("bhai" is Urdu and Bengali);
# * short function words it shares with those languages or with the others (Urdu and Pashto
#   "ke", Bengali "ki" and Turkish "ki", Persian "to" and English "to", Spanish "se" and Urdu
#   "se"): they only count next to an own word, so they never turn a Spanish or Turkish
#   sentence into Urdu, but they tip "seth ne passport rakh liya" towards it.
#
# Own words were checked against the SIB-200 sentences of English, French, Spanish, Turkish and
# Somali: those that occur there ("hay", "hoy", "alan", "kala", "karo") are in the shared list.
ROMANISED_WORDS: dict[str, tuple[str, str]] = {
    "ur": (  # Roman Urdu
        "aap apka apki apke aapka aapki aapke apna apni apne mera meri mere mujhe mujhay muje mjhe "
        "mujhse mujhko tera teri tere tujhe tumhara tumhari tumhare tumhe tumhein hum hamara "
        "hamari hamare humara humari humare hamen humein unka unki unke uska uski uske usko isko "
        "inko unko unhe unhein woh kya kia kyun kyu kyon kiyon kiyun kaise kaisay kese kaisa kaisi "
        "kesa kesi kahan kahaan kidhar idhar udhar yahan yahaan wahan wahaan kab jab abhi kuch "
        "kuchh koi kaun kon kitna kitni kitne nahi nahin nhi haan yaar bhai bhi sirf lekin magar "
        "aur agar toh phir bahut bohat bohot zyada ziada pe tak liye lye wala wale walay sath "
        "saath bina pehle pehlay bare wajah waja mein hai hain hy hoon hun hoga hogi honge hota "
        "hoti hote hona hua hue tha thi thay raha rahi rahe rha rhi rhe sakta sakti sakte chahiye "
        "chahie chaiye chahta chahti chahte karna karne karni karein karun karoon karu karte kiya "
        "kiye karwa karwana karwao karwane karwayen karwaye jana jane jao jaun jaon jata jati jate "
        "jaye jayega jayegi jaega jaenge gaya gayi gaye milta milti milte milega milegi milenge "
        "mila mili dena dein dijiye dijye diya lena lene liya bata batao batayen bataen bataiye "
        "batain samajh pata lagta lagti paisa paise paisay madad zaroorat zarurat baat jagah "
        "logon bacha bachay bachon beti biwi bivi ghar mulk kaam naukri nokri saal aaj raat waqt "
        "theek thik acha accha achha shukriya shukria meharbani mehrbani khuda hafiz aoa assalam "
        "alaikum khatarnak rasta raasta samandar samundar kashti akela banday rehne likho shuru "
        "sahi karega karegi karenge",
        "ka ki ke ko se ne ho hu to ya ab do de le lo main men par kar mat ham din kal tab jo hay "
        "banda mile dene beta bete baad ap yeh karen pesa karo wali karta baare hui tum kis kisi "
        "karti log",
    ),
    "bn": (  # Banglish
        "ami amar amake amay amra amader tumi tomake tomra tomader apni apnar apnake apnara "
        "apnader tara tader tini ora oder keno kothay kothai kobe kokhon kemon kemne kivabe "
        "kibhabe kibabe kon kono koto eta ota ei oi ekhane okhane ekhon akhon ache achhe ase achi "
        "acho achen achhen nai nei hobe hoye hoyeche hoyse hoise hoilo holo korbo korte kori koro "
        "koren korchi korche korlam korse koreche korle korben jabo jabe jete jawa jaowa jaoa gelo "
        "geche gese jacche jacchi jachhi jachi dibo dite dibe diben nibo nite pabo pabe pari parbo "
        "parben parina lagbe lage lagche lagse chai chay chacchi bolo bolen bolte bole bolche "
        "dekhi dekhte jani janina jante janen theke thake thakbo thakte thaki jonno jonne sathe "
        "songe niye moddhe kache dike vai bhai bhaiya apu didi valo bhalo kharap onek khub ektu "
        "shob sob kichu keu kotha taka poisa kaj chakri manush dhonnobad dhonyobad kintu tai jodi "
        "tahole naki bou chele meye poribar desh deshe nouka nauka jahaj pani kagoj kagojpotro "
        "daktar hoyni korini jabena dorkar shudhu sudhu obostha jazakallah hafez golpo mone karon "
        "karone vabe bhabe jawar upay ferar shuru sahajjo shahajjo jaben paben thakben bolben "
        "dekhben niben lagben",
        "ki ke kar er r e te o ar ba na to se por age pore ta hoy asi tomar dada kore diye bari "
        "pare",
    ),
    "ps": (  # romanised Pashto
        "za zma zama sta staa mung moong mong taso tase dy dai shta shte nishta nashta kawam kawal "
        "kawalay kawi kawo kawey kram kray krai krey krem kra shwe shawi shawe shwa shai warsham "
        "rasham ratlal tlal zam zem ghwaram ghwarem ghwari ghwaro ghwaray ghwarai laram lari lare "
        "laru larem wai wayi wayal sanga singa sangha tsanga tsa chata cherta kella khabara "
        "khabare khabari wror wrore wrora khor khore mor plar zoy zoi lur hewad hagha daghe dalta "
        "halta oos bya bia aw ao kho dera zyat yam staray manena wrak kegi kegam kedai kedalay "
        "raghlay raghle raghay lagay akhistay akhistal warkawi warkray warkram rakawi rakawal zay "
        "gharuna yawazi mrasta komak paisay paise manana madad khatarnak pakar staso mashay pamaan "
        "wakri kawe zhaba badla toka rata wawaya chi tsok wakrai wakray wakra wakrey khuda sahi "
        "dey naroogh naroogha mashoom mashooman",
        "pa ke ta da de ye na sara ka me ma ki sa der yu lar di dee kala kor shay biya chere hata "
        "os sham sok stare",
    ),
    "fa": (  # Finglish (Persian and Dari)
        "shoma oon ishoon inja unja anja injast unjast ast hast hastam hasti hastim hastid nist "
        "nistam nisti neest chi chiye chera chetor chetori chejori chejoori chegune koja kojast "
        "kojas kojaa kuja kujast chand chanta chiz chizi baraye barai baray agar faghat faqat "
        "kheili kheyli khaili kheli khili khob khoob khub ghabl mikham mikhaam mikhay mikhad "
        "mikhaim mikhan mikhastam mitoonam mitunam mitoonim mitunim mitune mitoone mishe mishavad "
        "miram miravam mikonam mikoni mikone mikonan mikonim kon konam konid konim kard kardam "
        "kardan kardim shod shodam shode shodan shodim daram dari darim darid nadaram nadare "
        "nadarim nadari bayad nabayad bedam bedid bede begam begid begoo bego bezanam bezanid "
        "beram berim biam biyam bekonam bekonid bebinam begiram migire migiram gereftan gereftam "
        "midoonam midunam nemidoonam nemidunam nemitoonam nemitunam nemishe nemikham namikham "
        "lotfan lutfan mersi mamnun mamnoon mamnunam tashakor tashakur khodafez khodahafez "
        "panahandegi panahande panahandeh vakil hoghoghi majani rayegan khanevade khanevadam "
        "khanevadeh madarak qayeq ghayegh marz khatarnak mard bache bacheha bachem pesaram "
        "dokhtaram baradar baradaram khahar khaharam pedar madar pul hamin emrooz emruz farda "
        "dirooz kasi hich hichi hame hamash khubi khoobi khubam khoobam dige digar dobare inke "
        "chon chonke mesha meshe mekhaham mekonum astam asti darum nadarum komak etelaat khoda",
        "man to ma in an un va ham ya az dar ba be ra ro ke e ye che bad zan dare key kar alan "
        "pool vali mire khatar daran",
    ),
    "ti": (  # romanised Tigrinya
        "kemey kemay kemei aleka aleki alekum yekenyeley yeqenyeley dehan entay nsika nsiki nsikum "
        "nhna iyu eyu diyu deleye delye yeleyn hagezeni hagezuni abey nabey kabey ezi kulu ika kun",
        "ab nab kab ane nay alo",
    ),
    "uk": (  # Ukrainian in Latin letters
        "shcho scho chomu koly kudy skilky mozhna mozhu treba potribno potribna dopomoha dopomoga "
        "dopomozhit dopomozhy laska dyakuyu dyakuju diakuiu pryvit privit pobachennya dobryi "
        "dobryy mene meni tebe tobi yakyi yaka yake tse chy cherez hroshi groshi dokumenty kordon "
        "kordonu viyna zakhyst tymchasovyi tymchasovyy khochu hochu znayu vony vona dlya vse vsi "
        "zaraz teper shche vzhe duzhe dobre yak vydalyty vydalit dani khto hto zminyty movu "
        "lyudynoyu",
        "ya ty ne tak ni vy vin na do pro bez tut tam ce",
    ),
    "so": (  # Somali
        "waa waxaan waxaad waxay wuxuu waxuu iyo sidee xagee halkee maxaa maxay miyaa ayaa ayaan "
        "ayuu baan baa ahay tahay yahay nahay yihiin jiraa jirta karaa kartaa doonaa rabaa "
        "baahanahay fadlan mahadsanid walaal walaalo hadda haddii hadii lacag halkan iga igu kuu "
        "kaa lagu laga loo caawin caawimaad caawi gargaar dhakhtar badda tahriib sameeyaa sameeyo "
        "ogahay iska warran nabadgelyo maya kasta qof dadka",
        "ka ku ma la oo ee ah u i wax kale karo",
    ),
}


# Function words and chat words of each Arabic-script language (bot/language.py:
# _ARABIC_SCRIPT_WORDS): (language, nearly unique words, shared words).
ARABIC_SCRIPT_WORDS: tuple[tuple[str, str, str], ...] = (
    (
        "ps",
        "د په چې چی کې زه زما ستا موږ مونږ دوی دغه لپاره څخه پورې باندې مرسته غواړم غواړو "
        "کولی کوي لري ولې چیرته څنګه څه ښه مننه شوی شوې کړي کړم کړئ وکړئ نشم هغوي هغوی يې یې "
        "ورور وروره خدای پامان اوس شته ژبه سهار پخیر",
        "دا هغه یو يو ته سره کوم شي وي ده دي نه که خو مو هم او",
    ),
    (
        "ur",
        "ہے ہیں کے کی کا سے میں نہیں اور مجھے چاہیے چاہئے شکریہ ہوں تھا تھی ہم آپ آداب",
        "کو یہ وہ کیا کیسے کہاں پر بھی لیے لئے جی ہو کر کرنا کریں جا جانا اگر",
    ),
    (
        "fa",
        "است هست نیست را می برای چه چطور چگونه کجا چرا آیا بود شد کنم کنید میخواهم میخوام "
        "می‌خواهم می‌خوام خواهم شما دارم ندارم باید نمی ولی اما خیلی مرسی ممنون لطفا هستم "
        "استم کدام چطوری چی برم بریم رفتن ها های گفت کرد شده دارد دارند کند میکند می‌کند",
        "که در این آن از با یک تو ما کمک بخدا او هم اگر کن",
    ),
    (
        "ar",
        "في فى على الى إلى عن هذا هذه ذلك التي الذي اللي أن إن هل كيف وين شو ليش بدي عايز "
        "عاوز انا أنا احنا نحن انت أنت كان اذا إذا عندي فيه فيها مش شنو ايش اريد أريد ابغى "
        "لازم قديش متى ليه ايه حتى شكرا شكراً مرحبا عليكم ماذا لماذا أين اين",
        "ان لا ما مع كل بس لو عند مو أبي كم يا الله السلام ممكن",
    ),
)
