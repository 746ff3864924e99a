"""Interface strings from Babel gettext catalogs, language names from CLDR, text direction.

Every fixed string the user sees (menus, buttons, "Source", "Last checked") goes through
`translator(language)`; answers themselves come from content/. Catalogs live in
locales/<lang>/LC_MESSAGES/masar.po and are compiled to .mo by `make` (pybabel compile);
if a .mo is missing, the .po is compiled in memory so a fresh checkout still speaks every
language.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from .content.catalogue import LANGUAGES

DOMAIN = "masar"
RTL = frozenset({"ar", "fa", "ps", "ur"})
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

LRM, RLM = "\u200e", "\u200f"
FSI, PDI = "\u2068", "\u2069"

_L = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"  # Latin letters, with accents (names of Italian or French services)
_URL_TAIL = (
    r"[^\s<>\"«»]*[^\s<>\"«».,;:!?،؛؟)\]'’]"  # sentence punctuation after it is not part of it
)
# Web and e-mail addresses: isolated whole, never with a mark inside, so that they still work
# when tapped or copied (Telegram's link detection stops at direction marks).
_ADDRESS = re.compile(
    rf"(?:https?://|www\.){_URL_TAIL}"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{{2,}}\b(?:/{_URL_TAIL})?"
)
# Left-to-right runs inside right-to-left text: a phone number ("+39 06 1234 5678"), or a Latin
# name or phrase with its inner spaces, slashes, dashes and a bracketed part ("Red Cross / Red
# Crescent", "UNHCR (UN Refugee Agency)"), each kept whole so its parts are not reordered.
_WORD = rf"[{_L}0-9](?:[{_L}0-9.&'’_-]*[{_L}0-9])?"
_LTR_RUN = re.compile(
    r"\+?[0-9](?:[0-9 ./-]*[0-9])?"
    rf"|[{_L}](?:[{_L}0-9.&'’_-]*[{_L}0-9])?(?:(?: ?[/&–-] ?| ){_WORD}| ?\([{_L}0-9 .,&'’/-]*\))*"
)


@functools.cache
def translator(
    language: str, locales_dir: Path = LOCALES_DIR, domain: str = DOMAIN
) -> NullTranslations:
    """The gettext translations of one language in one catalog (`domain`: the bot's own, or
    the staff console's); English strings when none exist. A .po newer than its .mo is
    compiled in memory, so an edited catalog is seen before `make locales` runs."""
    if language == "en":
        return NullTranslations()
    mo = locales_dir / language / "LC_MESSAGES" / f"{domain}.mo"
    po = mo.with_suffix(".po")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=domain)
    if po.exists():
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=language)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=domain)
    return NullTranslations()


def _(language: str, message: str, **values) -> str:
    """Translate an interface string into `language` and fill in {placeholders}."""
    text = translator(language).gettext(message)
    return text.format(**values) if values else text


def ngettext(language: str, singular: str, plural: str, n: int, **values) -> str:
    """The plural form for `n` in `language`, with {n} written as the locale writes numbers."""
    text = translator(language).ngettext(singular, plural, n)
    return text.format(n=format_decimal(n, locale=babel_locale(language)), **values)


def launch_language(code: str | None) -> str | None:
    """The launch language a client reports ("fr-CA", Telegram's language_code), or None:
    only a weak hint, used when the conversation has no language yet."""
    code = (code or "").split("-")[0].lower()
    return code if code in LANGUAGES else None


def babel_locale(language: str) -> Locale:
    return Locale.parse({"fa": "fa", "ps": "ps", "ti": "ti", "so": "so"}.get(language, language))


def language_name(code: str) -> str:
    """A language's own name in its own script (CLDR), e.g. 'فارسی', 'ትግርኛ'."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:]


def country_name(code: str, language: str) -> str:
    """A country's name in the user's language (CLDR), e.g. IT in Arabic: 'إيطاليا'."""
    try:
        return babel_locale(language).territories.get(code.upper(), code)
    except (ValueError, TypeError):
        return code


def country_names(code: str) -> set[str]:
    """Every launch language's name for a country, case-folded, for matching user text."""
    return {country_name(code, lang).casefold() for lang in LANGUAGES}


def format_day(day: dt.date, language: str) -> str:
    """A date the way the user's locale writes it."""
    try:
        return format_date(day, format="medium", locale=babel_locale(language))
    except (ValueError, TypeError):
        return day.isoformat()


def bidi(text: str, language: str) -> str:
    """Keep Latin names, addresses and numbers readable inside right-to-left text.

    Without isolation, a URL, a phone number or "Red Cross / Red Crescent" inside an Arabic
    sentence can be displayed with its parts reordered. First-strong isolates (FSI...PDI) keep
    each such run in its own direction as one unit, and a right-to-left mark at the start of
    each line makes the line right-to-left even when it begins with a Latin name. Addresses are
    isolated whole (marks around them, never inside). Lines that already start with the mark
    are left as they are, so calling this twice changes nothing.
    """
    if language not in RTL:
        return text
    return "\n".join(_bidi_line(line) for line in text.split("\n"))


def _isolate(match: re.Match) -> str:
    return f"{FSI}{match.group(0)}{PDI}"


def _bidi_line(line: str) -> str:
    if not line.strip() or line.startswith(RLM):
        return line
    parts, start = [], 0
    for address in _ADDRESS.finditer(line):
        parts.append(_LTR_RUN.sub(_isolate, line[start : address.start()]))
        parts.append(_isolate(address))
        start = address.end()
    parts.append(_LTR_RUN.sub(_isolate, line[start:]))
    return RLM + "".join(parts)
