"""Romanised Arabic, Persian and Urdu -> native script, before the sentence embedding.

People on borrowed phones write "ana 3ayez aro7 italia bel markab", "mikham panahandegi
begiram" or "mujhe asylum ke liye madad chahiye". The sentence embedding was trained on
Arabic, Persian and Urdu in their own scripts and reads these Latin spellings poorly, so the
tokenizer (bot/nlu/tokenizer.py) writes such a message in native script once, and the
featurizers read both: character n-grams see the folded Latin and the native words, the
embedding sees the native text.

Two steps, word by word:
1. fold spelling variants into one key: Arabizi digits (2 3 5 6 7 8 9 -> hamza, ain, kh, t,
   h, gh, q), ou/oo/u, ee/i, e/a, doubled letters, a final h;
2. look the key up in the lexicon (bot/nlu/romanised_words.py), also with an Arabic article,
   conjunction or preposition in front and a possessive ending behind ("wel ba7r", "wladi");
   an Arabizi word with digits that is not listed is transliterated letter by letter; any
   other unknown word stays in Latin letters (loanwords: "visa", "UNHCR", "Italia").

Which language a message is in comes from the engine (message metadata) when it is there,
else from bot.language's word lists (no model, so training and the benchmark get the same
answer as serving).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import romanised_words

LANGUAGES = ("ar", "fa", "ur")
_WORD = re.compile(r"[a-z0-9'’`]+|[^\sa-z0-9'’`]+", re.IGNORECASE)
_HAS_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-zA-Z]")  # é, ı, ş: French, Turkish, ...


def fold(word: str, language: str) -> str:
    """The lookup key of a romanised word: one spelling for the many ways people type it."""
    w = word.casefold().replace("’", "'").replace("`", "'")
    if language == "ar":
        w = w.replace("3'", "gh").replace("7'", "kh").replace("9'", "d")
        w = w.translate(_ARABIZI_DIGITS)
        w = re.sub(r"([^aeiou])\1+", r"\1", w)  # doubled consonants: "3ayyez", "ba77r"
        w = w.replace("ch", "sh").replace("dj", "j")
        w = re.sub(r"ou|oo|o", "u", w)
        w = re.sub(r"ee|ie|ii|y(?=[^aeiou]|$)", "i", w)
        w = w.replace("e", "a")
    else:
        w = w.replace("'", "")
        w = re.sub(r"ou|oo|u", "u", w)
        w = re.sub(r"ee|ii", "i", w)
        w = re.sub(r"(?<=[a-z])y", "i", w)
        w = re.sub(r"ai|ei|ay", "e", w)
        w = w.replace("w", "v")
        w = w.replace("q", "gh" if language == "fa" else "k")
    w = re.sub(r"(.)\1+", r"\1", w)
    if len(w) > 3 and w.endswith("h") and w[-2] in "aeiou":
        w = w[:-1]
    return w


_ARABIZI_DIGITS = str.maketrans(
    {"2": "", "3": "c", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "q"}
)


def _lexicon(text: str, language: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in text.strip().splitlines():
        native, _sep, spellings = line.partition(":")
        for spelling in spellings.split():
            table.setdefault(fold(spelling, language), native.strip())
    return table


LEXICONS = {
    "ar": _lexicon(romanised_words.ARABIC, "ar"),
    "fa": _lexicon(romanised_words.PERSIAN, "fa"),
    "ur": _lexicon(romanised_words.URDU, "ur"),
}

# Arabic: clitics in front (folded) and possessive endings behind, with their native forms.
_AR_ARTICLES = {"al", "il", "l", "al-", "il-", "l-"}
# Clitics written as words of their own ("bel markab", "fel ba7r", "wel wlad").
_AR_CLITICS = {"bal": "بال", "fal": "فال", "wal": "وال", "lal": "لل"}
_AR_PREFIXES = (
    ("wal", "وال"),
    ("bal", "بال"),
    ("fal", "فال"),
    ("lal", "لل"),
    ("al", "ال"),
    ("il", "ال"),
    ("wa", "و"),
    ("bi", "ب"),
    ("ba", "ب"),
    ("fa", "ف"),
    ("la", "ل"),
    ("w", "و"),
    ("b", "ب"),
    ("l", "ال"),
    ("f", "ف"),
)
_AR_SUFFIXES = (
    ("kum", "كم"),
    ("hum", "هم"),
    ("ha", "ها"),
    ("na", "نا"),
    ("ak", "ك"),
    ("ik", "ك"),
    ("k", "ك"),
    ("i", "ي"),
    ("u", "ه"),
)
# Letter by letter, for Arabizi words with digits that no list holds (longest spelling first).
_AR_LETTERS = sorted(
    {
        "3'": "غ", "7'": "خ", "kh": "خ", "sh": "ش", "ch": "ش", "gh": "غ", "th": "ث", "dh": "ذ",
        "ou": "و", "oo": "و", "ee": "ي", "aa": "ا", "2": "ء", "3": "ع", "5": "خ", "6": "ط",
        "7": "ح", "8": "غ", "9": "ق", "b": "ب", "p": "ب", "t": "ت", "j": "ج", "g": "ج",
        "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف", "v": "ف", "q": "ق", "k": "ك",
        "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي", "x": "كس",
        "u": "و", "o": "و", "i": "ي",
    }.items(),
    key=lambda kv: -len(kv[0]),
)  # fmt: skip


def _arabizi_letters(word: str) -> str:
    """Letter-by-letter Arabic for an Arabizi word: short a/e are not written inside a word."""
    w = word.casefold()
    out, i = [], 0
    while i < len(w):
        if w[i] == "2":  # a glottal stop: hamza at the edges, the dialects' qaf inside a word
            out.append("ا" if i == 0 else "ء" if i == len(w) - 1 else "ق")
            i += 1
            continue
        if w[i] in "ae":
            if i == 0:
                out.append("ا")
            elif i == len(w) - 1:
                out.append("ة" if len(w) > 3 else "ا")
            i += 1
            continue
        for latin, arabic in _AR_LETTERS:
            if w.startswith(latin, i):
                out.append(arabic)
                i += len(latin)
                break
        else:
            i += 1  # punctuation inside the word
    return "".join(out)


def _arabic_word(word: str) -> str | None:
    table = LEXICONS["ar"]
    key = fold(word, "ar")
    if key in table:
        return table[key]
    for latin, arabic in _AR_PREFIXES:
        rest = key[len(latin) :].lstrip("-")
        if key.startswith(latin) and len(rest) >= 3:
            if rest in table:
                return arabic + table[rest].removeprefix("ال")
            for end, suffix in _AR_SUFFIXES:
                stem = rest[: -len(end)]
                if rest.endswith(end) and len(stem) >= 3 and stem in table:
                    return arabic + table[stem] + suffix
    for end, suffix in _AR_SUFFIXES:
        stem = key[: -len(end)]
        if key.endswith(end) and len(stem) >= 3 and stem in table:
            native = table[stem]
            return native[:-1] + "ت" + suffix if native.endswith("ة") else native + suffix
    if any(c in "235679" for c in word) and any(c.isalpha() for c in word):
        return _arabizi_letters(word)
    return None


@lru_cache(maxsize=4096)
def to_native(text: str, language: str) -> str:
    """The text with its romanised words written in `language`'s script (others unchanged)."""
    if language not in LEXICONS:
        return text
    table = LEXICONS[language]
    out: list[str] = []
    article = article_as_written = ""
    for piece in _WORD.findall(text):
        if not _HAS_LATIN.search(piece):
            out.append(piece)
            continue
        if language == "ar":
            key = fold(piece, "ar").rstrip("-")
            if key in _AR_ARTICLES or key in _AR_CLITICS:
                article, article_as_written = _AR_CLITICS.get(key, "ال"), piece
                continue
            native = _arabic_word(piece)
            if article:  # "el markab" -> "المركب"; an unknown word keeps its article in Latin
                native = article + native.removeprefix("ال") if native else None
                if native is None:
                    out.append(article_as_written)
                article = ""
        else:
            native = table.get(fold(piece, language))
        out.append(native or piece)
    if article:
        out.append(article_as_written)
    return " ".join(out)


def romanised_language(text: str, hint: str | None = None) -> str | None:
    """ "ar", "fa" or "ur" when the text is that language in Latin letters, else None.

    `hint` is the language the engine detected for the message (with the conversation's
    history) or the content language of a training example; when it is not one of these,
    bot.language's Arabizi score and word lists and the lexicons decide (Maghrebi or Sudanese
    Arabizi without digits often looks French, Somali or Turkish to a language model).
    """
    if not _HAS_LATIN.search(text) or _NON_LATIN_LETTER.search(text):
        return None
    if hint in LANGUAGES:
        return hint
    from ..language import romanised

    return romanised(text) or _by_lexicon(text)


# Listed spellings that are also English, French or Spanish words, or names every language
# writes alike: they say nothing about the language of a message.
_LOANWORD_SPELLINGS = (
    "doctor visa viza dollar dollars euro europa europe italia italya italy libya libia sudan "
    "syria tunis dublin lampedusa robot police polis camp amen passport pasport hospital germany "
    "greece turkey iran afghanistan pakistan whatsapp telefon merci mersi mama baba salam bad "
    "man to too ma la ya be ba dar bet bas sar fin men min hal kam kar rad zan pak rah sal sen "
    "alan hasti mail main mein have here hare said sale safe more for tar log ghar kal mar mara "
    "jaan maa par pe ki ke ka ko se ne do ja hum ham wo ye kon raha saken gaza "
    "india nahar banda taleb jaali kali khana"
)
_LOANWORDS = frozenset(_LOANWORD_SPELLINGS.split())


def _by_lexicon(text: str) -> str | None:
    """The romanised language most of whose words the lexicons know (two at least)."""
    words = [w for w in _WORD.findall(text.casefold()) if _HAS_LATIN.search(w)]
    if not words:
        return None
    counts: dict[str, int] = {}
    for language, table in LEXICONS.items():
        known = 0
        for w in words:
            if len(w) < 3 or w in _LOANWORDS:
                continue
            key = fold(w, language)
            if key in table or (language == "ar" and _arabic_word(w) is not None):
                known += 1
        counts[language] = known
    best = max(counts, key=lambda language: counts[language])
    if counts[best] >= 2 and counts[best] / len(words) >= 0.4:
        return best
    return None
