"""Text folding shared by the safety checks: one spelling for the many ways people type a word.

A panicked message is typed fast, on whatever keyboard is at hand: without accents ("bateau
coule", "batiyo"), with Persian or Arabic letters, with or without the zero-width non-joiner
in "می‌شه", with curly apostrophes, with Bengali or Persian digits. The safety patterns in content/safety/ are folded the same
way as the messages, so an editor writes a word once, in its usual spelling, and it matches
all of these. `fold_with_map` also remembers where each folded character came from, so the
offer check can quote the user's own words back to them.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ..nlu.normalise import normalise

_ACCENTS = re.compile("[\u0300-\u036f]")  # Latin/Cyrillic accents only, not Indic vowel signs
_EXTRA = str.maketrans(
    {
        "ı": "i",
        "\u200c": " ",
        "\u00a0": " ",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
    }
)
_ESCAPE = re.compile(r"(\\.)")


def _fold_char(ch: str) -> str:
    if ch.isdecimal():  # ৫০, ۵۰, ٥٠ -> 50: prices and percentages in any script
        return str(unicodedata.decimal(ch))
    ch = _ACCENTS.sub("", unicodedata.normalize("NFKD", ch)).translate(_EXTRA)
    return normalise(ch) if ch else ""


@functools.lru_cache(maxsize=16)
def fold_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The folded text, and for each of its characters the index of its source in `text`.

    Cached: the emergency net, the offer check and the trafficking signs fold the same message.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), tuple(where)


def fold(text: str) -> str:
    """Lower case, no accents, Arabic-script variants unified (see module docstring)."""
    return fold_with_map(unicodedata.normalize("NFC", text))[0]


def fold_pattern(pattern: str) -> str:
    r"""Fold a reviewed pattern like a message, leaving escapes such as \b, \d, \s untouched."""
    return "".join(
        part if part.startswith("\\") else fold(part) for part in _ESCAPE.split(pattern) if part
    )


# A pattern that starts with an unbounded run (`\S*ضرب`, `\w*`) is tried from every position of
# the message, and from each it runs to the end of the word before backing off: on one
# 4,000-character "word" (CJK without spaces, pasted binary) that is 4,000 x 4,000 steps, a
# third of a second for one pattern. Anchored where the run can start (not inside a run), it
# finds the same matches in one pass.
_LEADING_RUN = re.compile(r"^(\\[Sw])[*+]")


def compile_pattern(pattern: str) -> re.Pattern:
    """A reviewed pattern, folded like messages, with a leading unbounded run anchored."""
    folded = fold_pattern(str(pattern))
    folded = _LEADING_RUN.sub(lambda m: f"(?<!{m.group(1)}){m.group(0)}", folded)
    return re.compile(folded, re.IGNORECASE)
