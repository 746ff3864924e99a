"""Which launch language a message is in, and which language Masar should answer in.

Masar's users write short chat messages, switch keyboards, mix in English words ("ok", "UNHCR",
brand names, URLs) and often type Arabic in Latin letters with digits (Arabizi: "ana 3ayez aro7
3al ba7r"). A general-purpose language identifier alone gets these wrong, so detection is done in
layers, cheapest and most certain first:

1. **Script.** Ethiopic can only be Tigrinya, Bengali script only Bengali, Cyrillic only
   Ukrainian among the launch languages, so those need no model at all.
2. **Arabic script** is shared by Arabic, Persian (and Dari), Pashto and Urdu. Letters that only
   one of them uses (Pashto ټ ډ ړ ښ ...; Urdu ٹ ڈ ڑ ں ے ھ ہ; Persian keyboards' ی ک against
   Arabic ي ك ة) and frequent function words decide most messages; the statistical model (lingua,
   restricted to ar/fa/ur, since it has no Pashto) decides the rest.
3. **Latin script** is first checked for Arabizi (digits inside words, frequent Arabizi words),
   then given to lingua restricted to en/fr/es/tr/so, nudged by a small lexicon of chat words
   ("hello", "merci", "mahadsanid") that n-gram models get wrong when they stand alone. Romanised
   Urdu, Bengali, Pashto, Persian, Tigrinya and Ukrainian, which no model knows, are recognised
   by their function words, pronouns and verb forms ("kya karun", "kivabe jabo", "zama wror",
   "komak mikham"): the grammar words of a message decide its language, not the English loans
   around them ("temporary protection mein health insurance milti hai?" is Urdu). Somali gets
   the same help, since its short messages are often half English.

``detect`` judges one message on its own; ``choose_language`` weighs that against the
conversation's current language and the client's language code, so that "ok" or "thanks" in a
Persian conversation does not switch Masar to English.

lingua-language-detector (Apache-2.0) ships its models inside the wheel: nothing is downloaded.
Its models are loaded lazily, once, on the first message that needs them (about a second and
~290 MB for the eight languages, in its high-accuracy mode); call ``warm_up()`` at start-up to pay
that before the first user arrives. MASAR_LANGUAGE_MODEL=small selects lingua's low-accuracy mode
(~35 MB) for small hosts: on the content's own examples English then falls from 99.4% to 94.7%
right language and Persian from 98.6% to 92.6% (`python -m bot.benchmarks.language`).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import language_words as word_lists

# One list of launch languages and one of right-to-left scripts for the whole bot.
from . import settings
from .content.catalogue import LANGUAGES
from .i18n import RTL

_LATIN_MODEL_LANGUAGES = ("en", "fr", "es", "tr", "so")
_ARABIC_MODEL_LANGUAGES = ("ar", "fa", "ur")  # lingua has no Pashto; letters and words cover it

# A message must be at least this sure, and this long, to move a conversation to another
# language of the same script (or from a non-Latin script to Latin, where loanwords live).
SWITCH_CONFIDENCE = 0.7
SWITCH_WORDS = 3

# How much a listed word of a language (Roman Urdu "hai", Banglish "korbo", Somali "waxaan")
# weighs against the model's verdict on the rest of the message, and a shared function word
# ("ke", "se", "na") against an own word. Tuned on half of the content examples, checked on the
# other half (python -m bot.benchmarks.language).
LISTED_WORD_WEIGHT = 2.5
SHARED_WORD_WEIGHT = 0.5


@dataclass(frozen=True)
class Detection:
    """One verdict.

    ``language`` is None when the text carries no language signal at all (emoji, numbers, a URL,
    an acronym): the caller should then keep whatever language it had. ``confidence`` (0..1)
    already accounts for length: one short word is never very sure. ``arabizi`` marks Arabic
    written in Latin letters, which the bot may want to mirror or at least not answer in English.
    """

    language: str | None
    confidence: float
    arabizi: bool = False


_NO_SIGNAL = Detection(None, 0.0)

# --------------------------------------------------------------------------- text preparation

# URLs, e-mail addresses, @mentions and /commands carry no language.
_NOISE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\S+@\S+\.\w+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|int|info|gov|edu|eu|io|de|fr|it|gr|es|tr|uk|ir|af|so|pk)\b"
    r"(?:/\S*)?"
    r"|(?<!\w)[@/#]\w+"
)
# Token = run of letters, combining marks, digits, apostrophes, ZWNJ/ZWJ (Persian half-space).
_SPLIT = re.compile(r"[\s.,!?;:()\[\]{}\"«»“”„،؛؟…/\\|<>*+=~`^&%$#@_–—]+")
_EDGE_QUOTES = "'’‘`-"  # hyphens stay inside words: "peut-être", Arabizi "al-bahr"

_ZW = "\u200c\u200d"


def _script(ch: str) -> str | None:
    """Script of one letter, only for the scripts Masar cares about ("Other" for the rest)."""
    o = ord(ch)
    if o < 0x80:
        return "Latn" if ch.isalpha() else None
    if not (ch.isalpha() or _is_mark(ch)):
        return None
    if 0x00C0 <= o <= 0x024F or 0x1E00 <= o <= 0x1EFF:
        return "Latn"
    if (
        0x0600 <= o <= 0x06FF
        or 0x0750 <= o <= 0x08FF
        or 0xFB50 <= o <= 0xFDFF
        or 0xFE70 <= o <= 0xFEFF
    ):
        return "Arab"
    if 0x1200 <= o <= 0x139F or 0x2D80 <= o <= 0x2DDF or 0xAB00 <= o <= 0xAB2F:
        return "Ethi"
    if 0x0980 <= o <= 0x09FF:
        return "Beng"
    if 0x0400 <= o <= 0x052F:
        return "Cyrl"
    return "Other"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


@dataclass(frozen=True)
class _Token:
    text: str  # as written (case kept)
    script: str | None  # dominant script of its letters, None if it has none
    letters: int


def _tokens(text: str) -> list[_Token]:
    out = []
    for raw in _SPLIT.split(_NOISE.sub(" ", text)):
        raw = raw.strip(_EDGE_QUOTES + _ZW)
        if not raw:
            continue
        counts: dict[str, int] = {}
        for ch in raw:
            s = _script(ch)
            if s:
                counts[s] = counts.get(s, 0) + 1
        if counts:
            script = max(counts, key=counts.__getitem__)
            out.append(_Token(raw, script, sum(counts.values())))
        else:
            out.append(_Token(raw, None, 0))
    return out


def _is_acronym(token: str) -> bool:
    """UNHCR, IOM, NGO, EU, ID: capitalised abbreviations say nothing about the language."""
    return 2 <= len(token) <= 7 and token.isupper() and token.isalpha() and token.isascii()


# Tokens that occur in chats in every language (interjections, brands, organisations).
_NEUTRAL = word_lists.NEUTRAL

# --------------------------------------------------------------------------- Arabizi

# Digits that stand for Arabic letters: 2 hamza, 3 ain, 5 kha, 6 ta, 7 ha, 9 qaf/sad (8 and 4
# are left out: "gr8", "b4", "4u" are English texting).
_ARABIZI_DIGIT_WORD = re.compile(r"^(?=.*[a-z])(?=.*[235679])[a-z235679'-]+$")
_NOT_ARABIZI = re.compile(
    r"^\d+(?:st|nd|rd|th|e|er|eme|ème|ère|re|o|a|h|am|pm|min|mins|km|kg|g|gb|mb|m|cm|ml|x|k|s|d|y"
    r"|yr|yrs|ans)$"
    r"|^[a-z]\d$|^\d[a-z]$"  # a2, b2 (language levels), 5g, 3d
    r"|\d\d"  # covid19, h264: Arabizi digits stand alone between letters
)
_TEXTING = word_lists.TEXTING  # "2day", "mp3": digits that are not Arabic letters
# Frequent Arabizi words; strong ones decide on their own, weak ones only count next to a strong
# word or a digit word (bot/language_words.py says how each list was checked)
_ARABIZI_STRONG, _ARABIZI_WEAK = word_lists.ARABIZI_STRONG, word_lists.ARABIZI_WEAK


# Arabizi content words of this length or more that the transliteration lexicon knows
# ("ashtaghel", "qanooniya", "tareeqa") count like weak words, next to a strong or digit word:
# Gulf and Maghrebi Arabizi is often written without digits. Arabic loanwords of Somali and
# Turkish and place names written alike in several languages say nothing.
LEXICON_WORD_LETTERS = 6
_SHARED_LOANWORD_SPELLINGS = (
    "sharci ammaan khatar insani kanada almanya doolar doktor markab sahara suudaan carabi "
    "muhaajir shabaab merhaba holanda europea fransa calaykum dhamaan mahkeme jawaab canary "
    "soudan married wallah boolis italya libya"
)
_SHARED_LOANWORDS = frozenset(_SHARED_LOANWORD_SPELLINGS.split())


def _arabizi_lexicon_word(w: str) -> bool:
    if len(w) < LEXICON_WORD_LETTERS or not w.isalpha() or w in _OWN_WORDS:
        return False
    if w in _SHARED_LOANWORDS:
        return False
    from .nlu import romanised as rom

    return w not in rom._LOANWORDS and rom.fold(w, "ar") in rom.LEXICONS["ar"]


def _arabizi_score(words: list[str]) -> tuple[float, int]:
    """(evidence, number of scored words); evidence ~ count of Arabizi-looking words."""
    digit_words = strong = weak = known = 0
    evidence: float
    for w in words:
        if w in _TEXTING or _NOT_ARABIZI.search(w):
            continue
        if _ARABIZI_DIGIT_WORD.match(w) or w.startswith(("al-", "el-", "il-")):
            digit_words += 1
        elif w in _ARABIZI_STRONG:
            strong += 1
        elif w in _ARABIZI_WEAK:
            weak += 1
        elif _arabizi_lexicon_word(w):
            known += 1
    evidence = digit_words + strong
    if evidence:
        evidence += 0.5 * (weak + known)
    # numbers (prices, phone numbers, dates) are no language's words: they do not dilute it
    return evidence, sum(any(c.isalpha() for c in w) for w in words)


# --------------------------------------------------------------------------- lexicons

# Chat words that identify a language on their own but that n-gram models misjudge in isolation.
_LATIN_LEXICON: dict[str, str] = {}
for _lang, _words in word_lists.CHAT_WORDS.items():
    for _w in _words.split():
        _LATIN_LEXICON.setdefault(_w, _lang)

# Function words of the languages the model knows (Somali's are in _WORD_LISTS below). In a
# message that also holds listed words of another language ("mon ami est en Libye": Bengali
# "ami") they speak for the sentence's grammar the way the listed words do; loanwords such as
# "lawyer" or "passport" are not among them, since Roman Urdu and Banglish borrow those.
_FUNCTION_WORDS: dict[str, str] = {}
for _lang, _words in word_lists.FUNCTION_WORDS.items():
    for _w in _words.split():
        _FUNCTION_WORDS.setdefault(_w, _lang)

# The own and shared words of each romanised language (bot/language_words.py says how they
# count and how they were checked), as word -> languages tables.
_WORD_LISTS = word_lists.ROMANISED_WORDS
_OWN_WORDS: dict[str, tuple[str, ...]] = {}  # word -> languages
_SHARED_WORDS: dict[str, tuple[str, ...]] = {}
for _lang, (_own, _shared) in _WORD_LISTS.items():
    for _table, _words in ((_OWN_WORDS, _own), (_SHARED_WORDS, _shared)):
        for _w in _words.split():
            if _lang not in _table.get(_w, ()):
                _table[_w] = (*_table.get(_w, ()), _lang)

# Verb endings and prefixes that mark a romanised word nobody listed ("chalegi", "bulwana",
# "jacche", "khujbo", "mitarsam", "begiram", "rasawalay"), each checked against English, French,
# Spanish, Turkish and Somali words that end alike ("llega", "entrega", "pazartesi", "walbo").
_VERB_ENDINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (lang, re.compile(pattern))
    for lang, pattern in (
        # Urdu future (chalegi, milenge, karunga) and causative (banwana, bulwao)
        ("ur", r"^[a-z]{2,}(?:[bcfghjkmpstvwyz]eg[ai]|[^lv]enge|unga|ungi|oonga|oongi)$"),
        ("ur", r"^[a-z]{2,}(?:wana|wane|wani|wao|wayen|wayein|waen)$"),
        # Bengali progressive and perfect (jacche, korchhi, kheyeche), future (khujbo, dakbo)
        ("bn", r"^[a-z]{2,}(?:cche|cchi|cchen|chhe|chhi|chhen|teche|techi|yeche|yechi)$"),
        ("bn", r"^[a-z]+[kgjtrhnsp]bo$"),
        # Persian present (mikham, nemitunam, mishe) and subjunctive (begiram, bezanam)
        (
            "fa",
            r"^n?e?mi(?:kh|tun|toon|sh|kon|dun|doon|gir|zan|bin|gu|ya|ra|res|ras|fahm|pors"
            r"|khor|mun|moon|tars|far|fer|pard|kesh|bar|ger|gi|ar|ay)[a-z]*"
            r"(?:am|i|e|im|id|in|an|ad|and|ast)$",
        ),
        ("fa", r"^be[a-z]{2,}am$"),
        # Pashto verbal nouns and verbs (rasawalay, tashtawal, kegam)
        ("ps", r"^[a-z]{2,}(?:[^r]awal|awalay|edal|edalay|edale|awam|egam)$"),
    )
)

# Arabic-script letters used by only one launch language (or one group).
_PASHTO_LETTERS = frozenset("ټډړږښګڼۍېځڅ")
_URDU_LETTERS = frozenset("ٹڈڑںےھہۂۓ")
_PERSIAN_LETTERS = frozenset("پچژگکی")  # also Urdu/Pashto, but never in standard Arabic
_ARABIC_LETTERS = frozenset("يكةىإؤ")  # Arabic-keyboard letters; Persian keyboards type ی ک

# Function words and chat words of each Arabic-script language. Those in the first string of each
# pair are nearly unique to it (the Pashto genitive "د", Urdu "ہے", Persian "است") and count
# double; the second string holds words that are frequent but shared now and then.
_ARABIC_SCRIPT_WORDS: dict[str, tuple[frozenset, frozenset]] = {
    lang: (frozenset(strong.split()), frozenset(weak.split()))
    for lang, strong, weak in word_lists.ARABIC_SCRIPT_WORDS
}

# --------------------------------------------------------------------------- lingua (lazy)

_lock = threading.Lock()
_detectors: dict[str, object] = {}


LANGUAGE_MODELS = settings.LANGUAGE_MODELS


_model_choice = {"name": "full"}


def use_model(name: str) -> None:
    """lingua's mode, from the settings (MASAR_LANGUAGE_MODEL): "full" or "small". Detectors
    already built keep their mode, so it is set before the first message (Engine.load)."""
    if name not in LANGUAGE_MODELS:
        raise ValueError(f"unknown language model {name!r}")
    _model_choice["name"] = name


def language_model() -> str:
    """The lingua mode in use ("full" unless `use_model` chose "small")."""
    return _model_choice["name"]


def _low_accuracy_mode() -> bool:
    """MASAR_LANGUAGE_MODEL=small trades some accuracy on short messages for ~250 MB less memory."""
    return language_model() == "small"


def _lingua(group: str):
    """lingua detector for "Latn" or "Arab", built once on first use (models load lazily)."""
    detector = _detectors.get(group)
    if detector is None:
        with _lock:
            detector = _detectors.get(group)
            if detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                codes = _LATIN_MODEL_LANGUAGES if group == "Latn" else _ARABIC_MODEL_LANGUAGES
                languages = [
                    Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes
                ]
                builder = LanguageDetectorBuilder.from_languages(*languages)
                if _low_accuracy_mode():
                    builder = builder.with_low_accuracy_mode()
                detector = builder.with_preloaded_language_models().build()
                _detectors[group] = detector
    return detector


def _model_scores(group: str, text: str) -> dict[str, float]:
    values = _lingua(group).compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values}


def warm_up() -> None:
    """Load the models now (about 1 s) instead of on the first user's message."""
    _lingua("Latn")
    _lingua("Arab")


# --------------------------------------------------------------------------- detection


def _length_factor(letters: int) -> float:
    """How much a text of this many letters can be trusted: 2 letters ~0.3, 20+ letters 1.0."""
    return min(1.0, math.sqrt(letters / 20.0))


def _best(scores: dict[str, float]) -> tuple[str, float]:
    total = sum(scores.values()) or 1.0
    lang = max(scores, key=scores.__getitem__)
    return lang, scores[lang] / total


def _listed_scores(words: list[str]) -> dict[str, float]:
    """Evidence from the word lists, per language: one for each own word or verb form, plus
    SHARED_WORD_WEIGHT for each shared function word once the language has an own word."""
    own: dict[str, float] = {}
    shared: dict[str, float] = {}
    for w in words:
        for lang in _OWN_WORDS.get(w, ()):
            own[lang] = own.get(lang, 0.0) + 1.0
        for lang in _SHARED_WORDS.get(w, ()):
            shared[lang] = shared.get(lang, 0.0) + 1.0
        if len(w) > 4 and w not in _OWN_WORDS and w not in _LATIN_LEXICON:
            for lang, ending in _VERB_ENDINGS:
                if ending.match(w):
                    own[lang] = own.get(lang, 0.0) + 1.0
                    break
    return {lang: value + SHARED_WORD_WEIGHT * shared.get(lang, 0.0) for lang, value in own.items()}


def _detect_latin(tokens: list[_Token]) -> Detection:
    words = [t.text for t in tokens if t.script == "Latn"]
    if all(_is_acronym(w) for w in words):
        if len(words) <= 1:
            return _NO_SIGNAL  # "UNHCR", "SOS"
        words = [w.lower() for w in words]  # "HELP ME PLEASE": caps lock, not acronyms
    else:
        words = [w.lower() for w in words if not _is_acronym(w)]
    words = [w for w in words if w not in _NEUTRAL]
    if not words:
        return _NO_SIGNAL
    letters = sum(sum(c.isalpha() for c in w) for w in words)
    factor = _length_factor(letters)

    evidence, n = _arabizi_score(words)
    # Arabizi when Arabizi-looking words are a fair share of the message: one digit word among
    # twenty French words is a typo or a code, three among five is Arabizi.
    if evidence and n and evidence / n >= 0.25:
        share = min(1.0, evidence / n / 0.6)
        return Detection("ar", round(min(0.99, (0.6 + 0.4 * share) * max(factor, 0.5)), 3), True)

    text = " ".join(w for w in words if not any(c.isdigit() for c in w))
    if not text:
        return _NO_SIGNAL
    scores = _model_scores("Latn", text)
    n = len(words)
    # Listed words (Roman Urdu "hai", Somali "waxaan"): the share of the message they explain
    # is taken from the model's verdict and given to their language, each word counting
    # LISTED_WORD_WEIGHT times, since the words left to the model are often English loans
    # ("passport", "family reunion") inside an Urdu or Somali sentence. Romanised Urdu,
    # Persian etc. have no model at all: this is their only way in.
    listed = _listed_scores(words)
    if listed:
        keep = max(0.0, 1.0 - max(listed.values()) / n)
        scores = {lang: value * keep for lang, value in scores.items()}
        for lang, value in listed.items():
            scores[lang] = scores.get(lang, 0.0) + LISTED_WORD_WEIGHT * value / n
        for w in words:
            if w in _FUNCTION_WORDS and w not in _OWN_WORDS and w not in _SHARED_WORDS:
                scores[_FUNCTION_WORDS[w]] += LISTED_WORD_WEIGHT / n
    # Chat words: in short messages they outweigh character n-grams ("hello" is not Spanish).
    if n <= 4:
        for w in words:
            if w in _LATIN_LEXICON and w not in _OWN_WORDS:
                scores[_LATIN_LEXICON[w]] += 1.0 / n
    lang, share = _best(scores)
    confidence = share * factor
    if lang not in _LATIN_MODEL_LANGUAGES:
        confidence = min(confidence, 0.8)  # a word list, not a model: never fully sure
    return Detection(lang, round(confidence, 3))


def _detect_arabic(tokens: list[_Token]) -> Detection:
    words = [t.text for t in tokens if t.script == "Arab"]
    letters = sum(t.letters for t in tokens if t.script == "Arab")
    joined = " ".join(words)
    scores = {"ar": 0.0, "fa": 0.0, "ps": 0.0, "ur": 0.0}

    pashto = sum(joined.count(c) for c in _PASHTO_LETTERS)
    urdu = sum(joined.count(c) for c in _URDU_LETTERS)
    persian = sum(joined.count(c) for c in _PERSIAN_LETTERS)
    arabic = sum(joined.count(c) for c in _ARABIC_LETTERS)
    n = max(1, len(words))

    # Letters: each letter specific to one language is strong evidence. Persian letters
    # (پ چ ژ گ ک ی) are also Urdu and Pashto letters, so they only count against Arabic; Pashto
    # also writes ي, so that one does not count against Pashto. A Pashto letter (ګ ښ ړ ...) also
    # counts against Arabic, whose model would otherwise claim "صفحه وګوره" for its loanwords.
    scores["ps"] += 1.5 * pashto + (0.5 * joined.count("ي") if pashto else 0.0)
    scores["ur"] += 1.5 * urdu if urdu else -0.75  # chat Urdu nearly always has ے ہ ں
    scores["ar"] += 0.5 * arabic - 0.5 * persian - 1.5 * pashto

    # Function words.
    for w in words:
        plain = w.replace("\u200c", "")
        for lang, (strong, weak) in _ARABIC_SCRIPT_WORDS.items():
            if w in strong or plain in strong:
                scores[lang] += 2.0
            elif w in weak or plain in weak:
                scores[lang] += 0.75
        if len(w) > 3 and w.startswith(("ال", "وال", "بال", "لل", "فال")):
            scores["ar"] += 0.5

    # The model, for what letters and words do not settle; its weight grows with length. It has
    # no Pashto and calls Pashto Persian, so Pashto gets Persian's share and the letters and
    # words above tell the two apart.
    model = _model_scores("Arab", joined)
    model["ps"] = model.get("fa", 0.0)
    weight = min(6.0, 1.0 + n / 2.0)
    for lang, value in model.items():
        scores[lang] += weight * value

    best = max(scores, key=scores.__getitem__)
    ordered = sorted(scores.values(), reverse=True)
    margin = ordered[0] - ordered[1]
    certainty = 1.0 - math.exp(-max(margin, 0.0))  # margin 1 -> 0.63, 3 -> 0.95
    return Detection(best, round(max(0.3, certainty) * _length_factor(letters), 3))


def _analyse(text: str) -> tuple[Detection, int, str | None]:
    """(detection, number of words with letters, dominant script)."""
    tokens = _tokens(text)
    weights: dict[str, float] = {}
    for t in tokens:
        if t.script is None or t.script == "Other":
            continue
        if t.script == "Latn":
            # Latin words turn up in every language's chat (names, brands, "ok"): a quarter
            # of the weight, nothing for acronyms and neutral words.
            if _is_acronym(t.text) or t.text.lower() in _NEUTRAL:
                continue
            weights["Latn"] = weights.get("Latn", 0.0) + 0.25 * t.letters
        elif t.script == "Ethi":
            weights["Ethi"] = weights.get("Ethi", 0.0) + 2 * t.letters  # one sign = one syllable
        else:
            weights[t.script] = weights.get(t.script, 0.0) + t.letters
    words = sum(1 for t in tokens if t.script)
    if not weights:
        # Only acronyms/neutral words (or other scripts): Latin is the only candidate left.
        if any(t.script == "Latn" for t in tokens):
            return _detect_latin(tokens), words, "Latn"
        return _NO_SIGNAL, words, None
    script = max(weights, key=weights.__getitem__)
    if script == "Ethi":
        return Detection("ti", 0.95), words, script  # Amharic shares the script but is not launched
    if script == "Beng":
        return Detection("bn", 0.98), words, script
    if script == "Cyrl":
        return Detection("uk", 0.9), words, script  # Russian shares the script but is not launched
    if script == "Arab":
        return _detect_arabic(tokens), words, script
    if script == "Latn":
        return _detect_latin(tokens), words, script
    return _NO_SIGNAL, words, script


@lru_cache(maxsize=4096)
def _cached(text: str) -> tuple[Detection, int, str | None]:
    return _analyse(text)


def detect(text: str) -> Detection:
    """The launch language of ``text`` on its own, without any conversation context.

    Returns ``Detection(None, 0.0)`` for text without language signal (emoji, numbers, URLs,
    acronyms like "UNHCR", "ok"). Arabizi comes back as ``ar`` with ``arabizi=True``.
    """
    if not text or not text.strip():
        return _NO_SIGNAL
    return _cached(text.strip()[:2000])[0]


def romanised(text: str) -> str | None:
    """ "ar", "fa" or "ur" when a Latin-script text is Arabizi, Finglish or Roman Urdu, else None.

    Word lists and the Arabizi score only, no language model: cheap enough for the NLU
    pipeline (bot/nlu/romanised.py), which must give training examples and served messages
    the same verdict.
    """
    words = [
        t.text.lower() for t in _tokens(text) if t.script == "Latn" and not _is_acronym(t.text)
    ]
    words = [w for w in words if w not in _NEUTRAL]
    if not words:
        return None
    evidence, n = _arabizi_score(words)
    if evidence and n and evidence / n >= 0.25:
        return "ar"
    listed = _listed_scores(words)
    if not listed:
        return None
    lang = max(listed, key=listed.__getitem__)
    return lang if lang in ("fa", "ur") and listed[lang] / n >= 0.2 else None


# --------------------------------------------------------------------------- choosing


_HINT_ALIASES = {
    "eng": "en",
    "ara": "ar",
    "arb": "ar",
    "apc": "ar",
    "arz": "ar",
    "acm": "ar",
    "ary": "ar",
    "fas": "fa",
    "per": "fa",
    "pes": "fa",
    "prs": "fa",
    "pus": "ps",
    "pbt": "ps",
    "pst": "ps",
    "tir": "ti",
    "som": "so",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "tur": "tr",
    "urd": "ur",
    "ben": "bn",
    "ukr": "uk",
}


# The script each launch language is normally written in.
_SCRIPT = dict.fromkeys(LANGUAGES, "Latn")
_SCRIPT.update(ar="Arab", fa="Arab", ps="Arab", ur="Arab", ti="Ethi", bn="Beng", uk="Cyrl")


def normalize_language_code(code: str | None) -> str | None:
    """'fa-IR' -> 'fa', 'prs' (Dari) -> 'fa', 'pt-BR' -> None: a launch code or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    base = _HINT_ALIASES.get(base, base)
    return base if base in LANGUAGES else None


def choose_language(
    text: str, *, current: str | None = None, client_hint: str | None = None
) -> Detection:
    """The language to answer in: detection of this message weighed against the conversation's
    current language and the client's language code (e.g. Telegram's 'fa-IR'); keeps `current`
    unless the message is clearly (long enough, confident) in another launch language.

    Why these rules:

    * A message without language signal (emoji, "112", a URL, "ok", "UNHCR") never changes
      anything: the answer goes out in ``current``, else in the client's language.
    * Latin-script words turn up in every conversation (names, "thanks", "WhatsApp"), so moving
      *to* a Latin-script language, or between two languages of one script (Persian and Arabic),
      needs a confident message of at least ``SWITCH_WORDS`` words.
    * Typing in another non-Latin script is deliberate (the user changed keyboard), so it moves
      the conversation even when short; within the Arabic script the client's language breaks a
      tie for short messages ("سلام" from a 'fa-IR' client is Persian).
    * Without a current language the client's language code is the prior: it wins for short or
      unsure messages ("hi" from a 'fa-IR' client gets Persian), the message wins when clear.

    ``confidence`` is that of the detection when the message decided, and a prior's fixed
    weight (0.6 for the conversation, 0.5 for the client's code) when context decided.
    Returns ``language=None`` only when neither the message nor the context says anything.
    """
    if text and text.strip():
        detection, words, script = _cached(text.strip()[:2000])
    else:
        detection, words, script = _NO_SIGNAL, 0, None
    current = normalize_language_code(current)
    hint = normalize_language_code(client_hint)

    def keep(language: str | None, weight: float) -> Detection:
        return Detection(language, weight if language else 0.0)

    if detection.language is None:
        return keep(current, 0.6) if current else keep(hint, 0.5)

    clear = detection.confidence >= SWITCH_CONFIDENCE and words >= SWITCH_WORDS
    # Script of the message as typed (Roman Urdu and Arabizi are Latin), and of the priors.
    changed_keyboard = script not in (None, "Latn")

    if current is None:
        if hint is None or detection.language == hint or clear:
            return detection
        if changed_keyboard and script != _SCRIPT[hint]:
            return detection  # a non-Latin script the client's language does not use
        return keep(hint, 0.5)

    if detection.language == current or clear:
        return detection
    if changed_keyboard and script != _SCRIPT[current]:
        # Typed in another non-Latin script than the conversation's: follow it; among the
        # Arabic-script languages prefer the client's when this short message is unsure.
        unsure = detection.confidence < SWITCH_CONFIDENCE
        if unsure and hint and hint != detection.language and _SCRIPT[hint] == script:
            return keep(hint, 0.5)
        return detection
    return keep(current, 0.6)


__all__ = [
    "LANGUAGES",
    "RTL",
    "Detection",
    "choose_language",
    "detect",
    "normalize_language_code",
    "warm_up",
]
