"""The offer check: red flags in a smuggler's or recruiter's advert, quoted back to the user.

People forward adverts from Facebook and Telegram pages ("VIP trip to Italy, big safe ship,
pay half now, WhatsApp +218..."). Masar points at the exact words that are warning signs,
explains each one in the user's language, gives a risk level and what to do instead.

The indicators are content (content/safety/offer_flags.yml), so NGO staff can add new
wording as smugglers change it. Every language's patterns are tried on every advert: an
Arabic speaker often forwards an advert written in English or Turkish.

Risk level (the rule is also written in offer_flags.yml, for the people who edit it):
- high: at least one flag marked `serious` (documents for sale, "no visa needed", an
  irregular crossing, the employer keeps the passport), or three or more different flags;
- medium: two different flags;
- low: one flag or none. "Low" never means "safe": the answer says so.

The pasted text is only matched in memory: nothing here logs or stores it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..content.yamlio import YamlError, read_yaml
from .text import compile_pattern, fold_with_map

logger = logging.getLogger(__name__)

MAX_QUOTE = 90  # characters of the user's text quoted per flag
ADVERT_MIN_WORDS = 12  # shorter messages are questions, not pasted adverts
CONTACT_ADVERT_MIN_WORDS = 8  # with a phone number or handle, a shorter text is an advert too
PASTED_MIN_WORDS = 30  # this long, a message with no red flag is still a pasted text worth checking
ANY = "any"  # patterns that are the same in every language (phone numbers, app names)


@dataclass(frozen=True)
class Flag:
    """One kind of warning sign, with its explanation per language and its patterns."""

    id: str
    serious: bool
    explanation: dict[str, str]
    patterns: tuple[re.Pattern, ...]

    def explain(self, language: str) -> str:
        return self.explanation.get(language) or self.explanation.get("en") or self.id


@dataclass(frozen=True)
class Finding:
    """A flag found in the text, with the user's own words that show it."""

    flag: Flag
    quote: str
    start: int
    end: int


@dataclass
class OfferCheck:
    """The result: the flags found (in text order) and the risk level."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def risk(self) -> str:
        return risk_level(self.findings)

    @property
    def flag_ids(self) -> list[str]:
        return [f.flag.id for f in self.findings]


def risk_level(findings: list[Finding]) -> str:
    """high: a serious flag or 3+ flags; medium: 2 flags; low: 0 or 1 (see module docstring)."""
    if any(f.flag.serious for f in findings) or len(findings) >= 3:
        return "high"
    return "medium" if len(findings) == 2 else "low"


def _quote(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The matched words, widened to whole words and trimmed to a readable length."""
    while start > 0 and (
        text[start - 1].isalnum() or unicodedata.category(text[start - 1]).startswith("M")
    ):
        start -= 1
    while end < len(text) and (
        text[end].isalnum() or unicodedata.category(text[end]).startswith("M")
    ):
        end += 1
    quote = hide_contacts(text[start:end].strip())
    if len(quote) > MAX_QUOTE:
        quote = quote[:MAX_QUOTE].rsplit(" ", 1)[0] + "…"
    return quote, start, end


class OfferChecker:
    """Compiled flags; `check(text)` finds them, `ignore` phrases ("no fee", "never pay") first."""

    def __init__(self, flags: list[Flag], ignore: list[re.Pattern] | None = None) -> None:
        self.flags = flags
        self.ignore = ignore or []

    @classmethod
    def from_file(cls, path: Path) -> OfferChecker:
        data = read_yaml(path)
        flags = []
        for entry in data.get("flags") or []:
            patterns = []
            for items in (entry.get("patterns") or {}).values():
                for p in items or []:
                    rx = _compile(str(p))
                    if rx is not None:
                        patterns.append(rx)
            explanation = {
                str(k): " ".join(str(v).split())
                for k, v in (entry.get("explanation") or {}).items()
            }
            flags.append(
                Flag(str(entry.get("id")), bool(entry.get("serious")), explanation, tuple(patterns))
            )
        ignore = [
            rx
            for items in (data.get("ignore") or {}).values()
            for p in items or []
            if (rx := _compile(str(p))) is not None
        ]
        return cls(flags, ignore)

    def check(self, text: str) -> OfferCheck:
        text = unicodedata.normalize("NFC", text or "")
        folded, where = fold_with_map(text)
        for rx in self.ignore:
            folded = rx.sub(lambda m: " " * len(m.group(0)), folded)
        findings = []
        for flag in self.flags:
            spans = [
                m.span()
                for rx in flag.patterns
                for m in [rx.search(folded)]
                if m and m.end() > m.start()
            ]
            if not spans:
                continue
            start, end = min(spans)  # the earliest place the flag shows
            quote, qs, qe = _quote(text, where[start], where[end - 1] + 1)
            findings.append(Finding(flag, quote, qs, qe))
        findings.sort(key=lambda f: f.start)
        return OfferCheck(findings)


def looks_like_advert(text: str, check: OfferCheck) -> bool:
    """A pasted advert or chat message rather than a question, whatever the classifier says.

    Long with two or more flags; or a red flag or a price next to a phone number or messenger
    handle (a "passports without the embassy, Telegram @..." post is short, an advert in words
    no flag knows yet still names its price and a number to call, and a question rarely carries
    a contact).
    """
    words = len((text or "").split())
    if words >= ADVERT_MIN_WORDS and len(check.findings) >= 2:
        return True
    return (
        words >= CONTACT_ADVERT_MIN_WORDS
        and (bool(check.findings) or has_price(text))
        and has_contact(text)
    )


_CONTACT = re.compile(r"(\+|00)\s?\d[\d\s().-]{6,}\d|https?://|www\.|t\.me/|(?<!\w)@\w{3,}")
# What is hidden in quotes: phone numbers (any digits, spaced or not), handles and links.
_HIDE = re.compile(
    r"(\+|00)?\s?\d[\d\s().-]{5,}\d|(?<!\w)@\w{2,}|https?://\S+|www\.\S+|(t|wa)\.me/\S*"
)


# A price: an amount with its currency, in the launch languages' ways of writing both
# (digits of any script: Python's \d is Unicode-aware).
_CURRENCY = (
    r"\$|€|£|usd|eur|euros?|evro|dollars?|d[oó]lar\w*|doolar\w*|dinars?|dinar|pounds?|lira|"
    r"liras?|tl|lakh|lac|crore|taka|fcfa|cfa|dirhams?|dh|"
    r"دولار|دلار|ډالر|ڈالر|يورو|یورو|دينار|دنانير|جنيه|ليره|لیره|تومان|افغانی|افغاني|"
    r"روپے|روپی|روپیہ|لاکھ|ٹکا|টাকা|ডলার|ইউরো|লাখ|ዶላር|ዩሮ|ናቕፋ|"
    r"долар\w*|євро|гривень|гривні|грн|фунт\w*"
)
_PRICE = re.compile(
    rf"(?<![\w])(?:(?:{_CURRENCY})\s?\d[\d\s.,]*|\d[\d.,]*\s?(?:k\s?)?(?:{_CURRENCY}))(?!\w)",
    re.IGNORECASE,
)


def has_price(text: str) -> bool:
    """An amount of money with its currency ("5000 dinar", "$7000", "۷۰۰ ډالر")."""
    return bool(_PRICE.search(text or ""))


def has_contact(text: str) -> bool:
    """A phone number with a country code, a link or a handle: how adverts ask to be contacted."""
    return bool(_CONTACT.search(text or ""))


def hide_contacts(text: str) -> str:
    """The text with every phone number, handle and link replaced by "…".

    Masar quotes the advert's own words back to the user, but never a smuggler's contact: a
    reply must not become one more place where the number circulates.
    """
    return _HIDE.sub("…", text)


def looks_pasted(text: str) -> bool:
    """A forwarded message rather than the user's own question: long, or with a contact in it."""
    return len((text or "").split()) >= PASTED_MIN_WORDS or has_contact(text)


def _compile(pattern: str) -> re.Pattern | None:
    try:
        return compile_pattern(pattern)
    except re.error:
        logger.error(
            "an offer pattern is not a valid regular expression; run `masar content check`"
        )
        return None


def load_checker(content_dir: Path) -> OfferChecker:
    path = content_dir / "safety" / "offer_flags.yml"
    try:
        return OfferChecker.from_file(path)
    except (YamlError, OSError, AttributeError, TypeError) as exc:
        logger.error(
            "offer flags not loaded (%s); fix content/safety/offer_flags.yml", type(exc).__name__
        )
        return OfferChecker([])
