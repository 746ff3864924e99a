"""Where the user is: a shared location, or "I am in ..." in their own words.

The country the user is in decides the emergency numbers, so it is kept apart from countries
a message only mentions (a destination, where a relative lives): "my brother was going to
Libya" must not turn a user in Egypt into a user in Libya. `stated_country()` recognises the
ways people say where they are, in the launch languages and romanised Arabic, Persian and
Urdu; everything else is a mention (bot/engine.py).

A shared location -> one of the countries of the help-services directory, offline.

When someone shares their location on Telegram, Masar can offer that country's help
services. The lookup is deliberately approximate: a few bounding boxes per country
(bot/places.py), and where boxes overlap (the Aegean between Greece and Turkey, the Strait of
Sicily, Sudan and South Sudan) the country with the nearest reference town wins; countries
next to the directory have boxes too, so a point in Kabul is not Pakistan. Near a border or at sea
it can be wrong, so the answer is only a suggestion: the user is shown the country's name
and decides (see bot/channels/telegram.py). No map service is called, so the location never
leaves the server, and it is not stored.
"""

from __future__ import annotations

import functools
import math
import re

from .content.catalogue import LANGUAGES
from .content.models import Content
from .i18n import babel_locale, country_names
from .places import COUNTRIES, NEIGHBOURS, Point


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine), good enough to pick the nearest town."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def country_at(latitude: float, longitude: float, known: set[str] | None = None) -> str | None:
    """The ISO code of the directory country around a point, or None (elsewhere, or far at sea).

    Approximate by design (see the module docstring): always let the user confirm it. The
    nearest reference town of every country whose box holds the point decides, neighbours
    outside the directory included, so a point in Kabul gives None rather than Pakistan.
    `known` limits the answer to the countries that have services in content/.
    """
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    places = {**NEIGHBOURS, **COUNTRIES}
    candidates = [
        code
        for code, (boxes, _towns) in places.items()
        if any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in boxes)
    ]
    if not candidates:
        return None
    point = (latitude, longitude)
    code = min(
        candidates, key=lambda code: min(distance_km(point, town) for town in places[code][1])
    )
    if code not in COUNTRIES or (known is not None and code not in known):
        return None
    return code


# How people say where they are, just before the country's name ("I am in", "je suis en",
# "ana fi", "أنا في", "я в") ...
_HERE_BEFORE = re.compile(
    r"(?:^|[\s,.!?:;])(?:"
    r"i\s*am|i'?m|im|we\s*are|we'?re|i\s*live|we\s*live|i'?m\s*living|i\s*am\s*living"
    r"|i'?m\s*staying|i\s*am\s*staying|i'?m\s*stuck|i\s*am\s*stuck|we\s*are\s*stuck"
    r"|i\s*arrived|we\s*arrived|i\s*reached|we\s*reached|i'?m\s*here|here"
    r"|je\s*suis|nous\s*sommes|j'?habite|je\s*vis|je\s*me\s*trouve|on\s*est|suis"
    r"|estoy|estamos|vivo|vivimos|me\s*encuentro|llegu[ée]"
    r"|ana|e7na|a7na|ehna|7na|hna|ana\s*hassi|ana\s*mawjou?d|ana\s*sakn?[ei]n?|wsolt|wsalt|wasalt"
    r"|انا|أنا|إنا|احنا|إحنا|نحن|موجود|موجودة|ساكن|ساكنة|عايش|عايشة|وصلت|حاليا|هلق|هلأ"
    r"|waxaan\s*joogaa|waxaan\s*ku\s*noolahay|waxaan\s*ku\s*sugnahay"
    r"|я|ми|живу|перебуваю|знаходжуся|знаходжусь"
    r")(?:\s+(?:now|currently|still|right\s+now|already|maintenant|actuellement|ahora"
    r"|hala2|halla2|daba|hassi|hassa|al7in|dilwa2ti|هلق|الحين|حاليا|الان|الآن|зараз|вже))?"
    r"\s*(?:in|at|to|en|au|aux|à|a|fi|f|b|bi|fel|fil|3a|3al|la|في|فى|ب|بـ|ف|الى|إلى|لـ|ل|в|у)?"
    r"\s*(?:the\s+|el\s+|al\s+|l'|la\s+|le\s+)?$",
    re.IGNORECASE,
)
# ... or just after it, in languages that put the verb last ("Türkiye'deyim", "یونان میں ہوں",
# "در آلمان هستم", "ایران کې یم", "ইতালিতে আছি", "ኣብ ኢጣልያ ኣለኹ", "greece mein hoon").
_HERE_AFTER = re.compile(
    r"^\s*(?:'|’)?(?:"
    r"dayım|deyim|tayım|teyim|dayiz|deyiz|dayız|tayız|teyiz|dayim|tayim|da\s*yaşıyorum"
    r"|de\s*yaşıyorum|da\s*yasiyorum|de\s*yasiyorum"
    r"|هستم|هستیم|زندگی\s*می|hastam|hastim|astam|zendegi\s*mikonam"
    r"|میں\s*ہوں|میں\s*ہیں|میں\s*رہتا|میں\s*رہتی|mein\s*(?:hoon|hun|hu|hain|rehta|rehti)"
    r"|me\s*(?:hoon|hun|hu|hain)|main\s*(?:hoon|hun)"
    r"|کې\s*یم|کی\s*یم|کې\s*یو|کې\s*اوسېږم|ke\s*yam"
    r"|(?:তে|এ|য়)?\s*আছি|(?:te|e)?\s*achi|থাকি|thaki"
    r"|ayaan\s*joogaa|ኣለኹ|ኣለና|ኣለኹም"
    r")",
    re.IGNORECASE,
)


# Where an emergency is happening: "sinking near Lampedusa, Italy", "au large de la Libye",
# "قرب اليونان", "Yunanistan açıklarında" (a place name or two may come between).
_NEAR_BEFORE = re.compile(
    r"(?:^|[\s,.!?:;])(?:near|close\s*to|off|off\s*the\s*coast\s*of|outside|at\s*the\s*border\s*of"
    r"|près\s*de|pres\s*de|au\s*large\s*de|à\s*côté\s*de|cerca\s*de|frente\s*a|frente\s*al"
    r"|біля|поблизу|коло|قرب|قريب\s*من|بالقرب\s*من|جنب|قبالة|عند|2orb|orb|janb|nazdik|نزدیک|نزدیکی"
    r")(?:\s+(?:the|la|le|l'|el|al|de|des|du))?\s+(?:[^\s,.!?]+[\s,]+){0,2}$",
    re.IGNORECASE,
)
_NEAR_AFTER = re.compile(
    r"^\s*(?:'|’)?(?:[a-zçğıöşü]*\s*)?(?:yakınında|yakınlarında|açıklarında|açığında"
    r"|ke\s*qareeb|ke\s*paas|کے\s*قریب|کے\s*پاس|u\s*dhow|এর\s*কাছে|কাছে)",
    re.IGNORECASE,
)


# Places people name that contain a directory country's name but are another country, beyond
# the official names (CLDR, every launch language) that `_longer_places` already reads.
OTHER_PLACES: dict[str, str] = {
    "south sudanese": "SS",
    "janub al sudan": "SS",
    "janoub al sudan": "SS",
    "janub el sudan": "SS",
    "janoub el sudan": "SS",
    "sudan al janubi": "SS",
    "السودان الجنوبي": "SS",
    "جنوب سودان": "SS",
    "nigerian": "NG",
    "nijeria": "NG",
    "nigerya": "NG",
}


@functools.cache
def _territory_names() -> dict[str, frozenset[str]]:
    """Every country's official name in every launch language (CLDR), case-folded -> codes."""
    found: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for code, name in babel_locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                found.setdefault(name.casefold(), set()).add(code)
    for name, code in OTHER_PLACES.items():
        found.setdefault(name, set()).add(code)
    return {name: frozenset(codes) for name, codes in found.items()}


@functools.lru_cache(maxsize=16)
def _longer_places(names: frozenset[tuple[str, str]]) -> tuple[tuple[str, frozenset[str]], ...]:
    """The names of other countries that contain one of `names`: "south sudan" holds "sudan",
    "nigeria" holds "niger", "جنوب السودان" holds "السودان", "болівія" holds "лівія"."""
    places = []
    for place, codes in _territory_names().items():
        if any(name in place and name != place and code not in codes for name, code in names):
            places.append((place, codes))
    return tuple(places)


def named_countries(low: str, names: dict[str, str]) -> list[tuple[int, str, str]]:
    """Where `names` (any language's name of a country -> its code) occur in `low` (case-folded
    text): (start, name, code), longest names first.

    A name inside another country's longer name is not that country: "I am in South Sudan"
    names no country of the directory when only Sudan is in it, "Nigeria" is not Niger. Names
    are matched inside words on purpose (Arabic "بليبيا", Turkish "Almanyaya", Bengali "ইতালিতে").
    """
    masked: list[tuple[int, int, frozenset[str]]] = []
    for place, codes in _longer_places(frozenset(names.items())):
        start = low.find(place)
        while start != -1:
            masked.append((start, start + len(place), codes))
            start = low.find(place, start + 1)
    found = []
    for name, code in sorted(names.items(), key=lambda kv: -len(kv[0])):
        start = low.find(name)
        while start != -1:
            end = start + len(name)
            if not any(s <= start and end <= e and code not in c for s, e, c in masked):
                found.append((start, name, code))
            start = low.find(name, start + 1)
    return found


def country_index(content: Content) -> dict[str, str]:
    """Every name of every directory country (CLDR in each launch language, and the services
    file's aliases), case-folded -> its code."""
    index: dict[str, str] = {}
    for code, country in content.countries.items():
        for name in country_names(code) | set(country.aliases):
            if len(name) >= 3:
                index[name] = code
    named_countries(" ", index)  # finds the longer names ("south sudan") now, not mid-message
    return index


def mentioned_country(text: str, names: dict[str, str]) -> str | None:
    """A directory country named anywhere in the text, in any language (the longest name wins);
    a name of four letters or fewer only as a whole word."""
    found = mentioned_country_name(text, names)
    return found[0] if found else None


def mentioned_country_name(text: str, names: dict[str, str]) -> tuple[str, str] | None:
    """(code, the name as written in the casefolded text) of the country `mentioned_country`
    finds: the engine also needs the name, to see what else the message says."""
    low = f" {text.casefold()} "
    for start, name, code in named_countries(low, names):
        end = start + len(name)
        if len(name) > 4 or (low[start - 1 : start] == " " and low[end : end + 1] == " "):
            return code, name
    return None


def stated_country(text: str, names: dict[str, str], emergency: bool = False) -> str | None:
    """The country the user says they are in ("I am in Tunisia"), from `names` (any language's
    name of a country -> its code); None when the text only mentions countries, or none.

    In an emergency message a place described as near ("the boat is sinking near Greece") is
    also where the user is: that is where help must come from.
    """
    low = f" {text.casefold()} "
    for start, name, code in named_countries(low, names):
        before = low[max(0, start - 40) : start]
        after = low[start + len(name) : start + len(name) + 30]
        if len(name) <= 4 and after[:1].isalpha() and not _HERE_AFTER.match(after):
            continue  # a short name inside a longer word: Turkish "fas" in "fast"
        if _HERE_BEFORE.search(before) or _HERE_AFTER.match(after):
            return code
        if emergency and (_NEAR_BEFORE.search(before) or _NEAR_AFTER.match(after)):
            return code
    return None
