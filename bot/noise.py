"""Is there a question in this text at all? Noise goes to the fallback, not to a topic.

A classifier always picks its nearest topic: random Unicode, keyboard mashing, an emoji flood
or binary bytes were answered `unaccompanied_children`, `emergency_general` or `greet`. Those
texts share one trait that real messages, however short or misspelled, do not: almost none of
their words is a word Masar has ever seen. The vocabulary is what Masar already holds in every
launch language (the topics' examples and answers, the emergency examples, the language
detector's word lists, romanised spellings, country names), so it grows with the content.

A word counts as known when it is in the vocabulary or shares its first four letters with a
known word (Persian, Turkish and Somali glue endings to their words). A message is noise when
it has letters but fewer than a quarter of its words are known, or has neither letters nor
digits (emoji, punctuation). Digits alone ("112") are not noise: the rest of the bot decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .safety.text import fold

STEM = 4  # letters of a word's beginning that make it "seen" (agglutinating languages)
SYLLABLE_STEM = 3  # the same in Ethiopic script, whose letters are syllables
KNOWN_SHARE = 0.25  # at least this share of a message's words must be known
# a letter under three or more combining marks ("Zalgo" text), before folding removes them
_STACKED = re.compile("[^\\W\\d_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]{3,}")
# characters no keyboard types: C1 controls, private use, unassigned (binary read as text)
_UNTYPED = re.compile("[\x80-\x9f\ue000-\uf8ff]")


def words(text: str) -> list[str]:
    """The folded words of a text with at least two characters, one of them a letter. A word
    is a run of letters, digits and marks (Bengali vowel signs and viramas are marks)."""
    found, word = [], []
    for ch in fold(text) + " ":
        if unicodedata.category(ch)[0] in "LNM":
            word.append(ch)
        elif word:
            found.append("".join(word))
            word = []
    return [w for w in found if len(w) >= 2 and any(c.isalpha() for c in w)]


def _stem(word: str) -> str | None:
    """The word's beginning that counts, or None when the word is shorter than that."""
    size = SYLLABLE_STEM if "\u1200" <= word[0] <= "\u139f" else STEM
    return word[:size] if len(word) >= size else None


class Vocabulary:
    """Every word Masar has seen in its content, folded, and their beginnings."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        for text in texts:
            self.words.update(words(text))
        self.stems = {stem for w in self.words if (stem := _stem(w))}

    def knows(self, word: str) -> bool:
        return word in self.words or _stem(word) in self.stems

    def is_noise(self, text: str) -> bool:
        """True when the text holds no question Masar could recognise (see module docstring)."""
        if _STACKED.search(text):
            return True
        found = words(text)
        untyped = len(_UNTYPED.findall(text))
        if not found:
            return bool(untyped) or (not any(c.isdigit() for c in text) and bool(text.strip()))
        known = sum(1 for w in found if self.knows(w))
        return known < max(1.0, KNOWN_SHARE * (len(found) + untyped))


def content_vocabulary(content, content_dir: Path) -> Vocabulary:
    """The vocabulary of the loaded content, the emergency examples and the language lists."""
    from . import language
    from .nlu.romanised import LEXICONS
    from .safety.emergency_model import shipped_examples

    texts: list[str] = []
    for topic in content.topics.values():
        for translation in topic.translations.values():
            texts.extend(translation.examples)
            texts.append(translation.answer)
    texts.extend(example.text for example in shipped_examples(content_dir))
    for table in (
        language._LATIN_LEXICON,
        language._FUNCTION_WORDS,
        language._OWN_WORDS,
        language._SHARED_WORDS,
    ):
        texts.extend(table)
    for own, shared in language._ARABIC_SCRIPT_WORDS.values():
        texts.extend(own | shared)
    for lexicon in LEXICONS.values():
        texts.extend(lexicon)
        texts.extend(lexicon.values())
    for country in content.countries.values():
        texts.extend(country.aliases)
    return Vocabulary(texts)
