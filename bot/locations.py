"""Where the user is: a shared location, or "I am in ..." in their own words.

The country the user is in decides the emergency numbers, so it is kept apart from countries
a message only mentions (a destination, where a relative lives): "my brother was going to
Libya" must not turn a user in Egypt into a user in Libya. `stated_country()` recognises the
ways people say where they are, in the launch languages and romanised Arabic, Persian and
Urdu; everything else is a mention (bot/engine.py).

A shared location -> one of the countries of the help-services directory, offline.

When someone shares their location on Telegram, Masar can offer that country's help
services. The lookup is deliberately approximate: a few bounding boxes per country, and
where boxes overlap (the Aegean between Greece and Turkey, the Strait of Sicily, the
Benelux borders) the country with the nearest reference town wins. Near a border or at sea
it can be wrong, so the answer is only a suggestion: the user is shown the country's name
and decides (see bot/channels/telegram.py). No map service is called, so the location never
leaves the server, and it is not stored.
"""

from __future__ import annotations

import math
import re

Box = tuple[float, float, float, float]  # south, north, west, east (degrees)
Point = tuple[float, float]  # latitude, longitude

# code: (bounding boxes, reference towns). Coordinates are approximate (about 0.1 degree).
COUNTRIES: dict[str, tuple[tuple[Box, ...], tuple[Point, ...]]] = {
    "AT": (
        ((46.37, 49.02, 9.53, 17.16),),
        (
            (48.21, 16.37),
            (47.07, 15.44),
            (48.31, 14.29),
            (47.81, 13.04),
            (47.27, 11.40),
            (46.62, 14.31),
            (47.50, 9.75),
        ),
    ),
    "BE": (
        ((49.50, 51.50, 2.54, 6.41),),
        ((50.85, 4.35), (51.22, 4.40), (51.05, 3.72), (50.63, 5.57), (50.47, 4.87), (49.68, 5.82)),
    ),
    "CY": (
        ((34.55, 35.70, 32.25, 34.60),),
        (
            (35.17, 33.36),
            (34.68, 33.04),
            (34.92, 33.63),
            (34.77, 32.42),
            (35.12, 33.94),
            (35.34, 33.32),
        ),
    ),
    "DE": (
        ((47.27, 55.06, 5.87, 15.04),),
        (
            (52.52, 13.40),
            (53.55, 9.99),
            (48.14, 11.58),
            (50.94, 6.96),
            (50.11, 8.68),
            (48.78, 9.18),
            (51.05, 13.74),
            (52.37, 9.74),
            (54.32, 10.14),
            (49.45, 11.08),
            (47.99, 7.85),
            (48.57, 13.43),
            (53.08, 8.80),
            (51.34, 12.37),
        ),
    ),
    "EG": (
        ((22.00, 31.67, 24.70, 36.90),),
        (
            (30.04, 31.24),
            (31.20, 29.92),
            (31.26, 32.30),
            (24.09, 32.90),
            (25.69, 32.64),
            (31.35, 27.24),
            (29.20, 25.52),
            (27.26, 33.81),
            (27.92, 34.33),
            (25.45, 30.55),
            (22.34, 31.63),
            (31.55, 25.16),
        ),
    ),
    "ES": (
        (
            (35.95, 38.00, -7.60, -0.60),
            (38.00, 43.79, -9.30, 3.33),
            (38.60, 40.10, 1.15, 4.33),
            (27.60, 29.50, -18.20, -13.40),
            (35.86, 35.92, -5.38, -5.27),
            (35.26, 35.32, -2.97, -2.92),
        ),
        (
            (40.42, -3.70),
            (41.39, 2.17),
            (39.47, -0.38),
            (37.39, -5.98),
            (36.72, -4.42),
            (36.84, -2.46),
            (36.13, -5.45),
            (43.26, -2.93),
            (43.36, -8.41),
            (39.57, 2.65),
            (28.12, -15.43),
            (28.47, -16.25),
            (28.96, -13.55),
            (27.81, -17.92),
            (35.89, -5.32),
            (35.29, -2.94),
        ),
    ),
    "FR": (
        ((41.33, 51.09, -5.14, 9.56),),
        (
            (48.86, 2.35),
            (45.76, 4.84),
            (43.30, 5.37),
            (43.60, 1.44),
            (43.70, 7.27),
            (44.84, -0.58),
            (47.22, -1.55),
            (50.63, 3.06),
            (48.57, 7.75),
            (50.95, 1.86),
            (43.78, 7.50),
            (44.90, 6.64),
            (41.93, 8.74),
            (42.70, 9.45),
            (42.69, 2.90),
            (43.49, -1.47),
            (49.12, 6.18),
        ),
    ),
    "GB": (
        ((49.90, 60.90, -8.65, 1.77),),
        (
            (51.51, -0.13),
            (52.49, -1.89),
            (53.48, -2.24),
            (54.98, -1.61),
            (55.86, -4.25),
            (55.95, -3.19),
            (57.15, -2.09),
            (54.60, -5.93),
            (51.48, -3.18),
            (51.13, 1.31),
            (50.38, -4.14),
            (55.00, -7.32),
        ),
    ),
    "GR": (
        ((34.80, 41.75, 19.37, 28.25), (36.10, 36.20, 29.55, 29.65)),
        (
            (37.98, 23.73),
            (40.64, 22.94),
            (38.25, 21.73),
            (39.66, 20.85),
            (40.85, 25.87),
            (41.50, 26.53),
            (35.34, 25.14),
            (35.51, 24.02),
            (39.11, 26.55),
            (38.37, 26.14),
            (37.76, 26.98),
            (36.89, 27.29),
            (37.15, 26.85),
            (36.43, 28.22),
            (39.62, 19.92),
            (36.15, 29.59),
        ),
    ),
    "IT": (
        ((35.49, 47.09, 6.63, 18.52),),
        (
            (41.90, 12.50),
            (45.46, 9.19),
            (45.07, 7.69),
            (45.44, 12.32),
            (43.77, 11.26),
            (40.85, 14.27),
            (41.12, 16.87),
            (38.11, 15.65),
            (39.08, 17.13),
            (38.12, 13.36),
            (37.50, 15.09),
            (36.73, 14.85),
            (38.02, 12.51),
            (35.50, 12.60),
            (36.83, 11.94),
            (39.22, 9.12),
            (40.73, 8.56),
            (43.79, 7.61),
            (45.65, 13.78),
            (46.50, 11.35),
            (40.35, 18.17),
        ),
    ),
    "JO": (
        ((29.19, 33.37, 34.96, 39.30),),
        (
            (31.95, 35.93),
            (32.56, 35.85),
            (32.34, 36.21),
            (31.83, 36.82),
            (29.53, 35.01),
            (30.19, 35.73),
            (31.18, 35.70),
            (32.51, 38.20),
        ),
    ),
    "LB": (
        ((33.05, 34.69, 35.10, 36.62),),
        (
            (33.89, 35.50),
            (34.44, 35.83),
            (33.56, 35.37),
            (33.27, 35.20),
            (33.85, 35.90),
            (34.01, 36.21),
            (34.39, 36.39),
        ),
    ),
    "LY": (
        ((19.50, 33.17, 9.39, 25.15),),
        (
            (32.89, 13.19),
            (32.93, 12.08),
            (32.38, 15.09),
            (31.21, 16.59),
            (32.12, 20.09),
            (32.08, 23.96),
            (27.04, 14.43),
            (24.18, 23.31),
            (24.96, 10.17),
            (30.13, 9.50),
            (29.03, 21.55),
            (24.93, 14.64),
        ),
    ),
    "MA": (
        ((27.66, 35.92, -13.17, -0.99),),
        (
            (34.02, -6.84),
            (33.57, -7.59),
            (35.76, -5.83),
            (35.17, -2.93),
            (34.68, -1.91),
            (34.03, -5.00),
            (31.63, -8.01),
            (30.43, -9.60),
            (31.93, -4.42),
            (32.11, -1.23),
            (28.44, -11.10),
            (27.94, -12.93),
        ),
    ),
    "MT": (((35.78, 36.08, 14.18, 14.58),), ((35.90, 14.51), (36.04, 14.24), (35.83, 14.53))),
    "NE": (
        ((11.69, 23.52, 0.17, 15.99),),
        (
            (13.51, 2.11),
            (16.97, 7.99),
            (13.81, 8.99),
            (13.50, 7.10),
            (14.89, 5.27),
            (13.32, 12.61),
            (18.74, 7.39),
            (18.97, 12.89),
            (21.96, 13.65),
        ),
    ),
    "NL": (
        ((50.75, 53.56, 3.36, 7.23),),
        (
            (52.37, 4.90),
            (51.92, 4.48),
            (52.08, 4.30),
            (52.09, 5.12),
            (53.22, 6.57),
            (51.44, 5.47),
            (50.85, 5.69),
            (52.88, 7.07),
            (51.50, 3.61),
            (52.22, 6.89),
        ),
    ),
    "PL": (
        ((49.00, 54.84, 14.12, 24.15),),
        (
            (52.23, 21.01),
            (50.06, 19.94),
            (54.35, 18.65),
            (51.11, 17.04),
            (52.41, 16.93),
            (53.43, 14.55),
            (53.13, 23.16),
            (51.25, 22.57),
            (49.78, 22.77),
            (52.08, 23.62),
            (54.10, 22.93),
        ),
    ),
    "TN": (
        ((30.23, 37.35, 7.52, 11.60),),
        (
            (36.81, 10.18),
            (34.74, 10.76),
            (35.83, 10.64),
            (37.27, 9.87),
            (33.88, 10.10),
            (33.14, 11.22),
            (32.93, 10.45),
            (34.43, 8.78),
            (33.92, 8.13),
            (36.50, 8.78),
        ),
    ),
    "TR": (
        ((35.80, 42.10, 25.66, 44.80),),
        (
            (41.01, 28.98),
            (41.68, 26.56),
            (38.42, 27.14),
            (38.32, 26.30),
            (39.32, 26.69),
            (37.03, 27.43),
            (36.72, 27.69),
            (36.20, 29.64),
            (36.90, 30.71),
            (36.81, 34.64),
            (36.20, 36.16),
            (37.07, 37.38),
            (37.16, 38.79),
            (38.50, 43.38),
            (39.93, 32.86),
            (40.15, 26.41),
            (41.00, 39.72),
            (39.55, 44.08),
        ),
    ),
}


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

    Approximate by design (see the module docstring): always let the user confirm it.
    `known` limits the answer to the countries that have services in content/.
    """
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    candidates = [
        code
        for code, (boxes, _towns) in COUNTRIES.items()
        if (known is None or code in known)
        and any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in boxes)
    ]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    point = (latitude, longitude)
    return min(
        candidates, key=lambda code: min(distance_km(point, town) for town in COUNTRIES[code][1])
    )


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


def stated_country(text: str, names: dict[str, str], emergency: bool = False) -> str | None:
    """The country the user says they are in ("I am in Tunisia"), from `names` (any language's
    name of a country -> its code); None when the text only mentions countries, or none.

    In an emergency message a place described as near ("the boat is sinking near Greece") is
    also where the user is: that is where help must come from.
    """
    low = f" {text.casefold()} "
    for name, code in sorted(names.items(), key=lambda kv: -len(kv[0])):
        start = low.find(name)
        while start != -1:
            before = low[max(0, start - 40) : start]
            after = low[start + len(name) : start + len(name) + 30]
            if _HERE_BEFORE.search(before) or _HERE_AFTER.match(after):
                return code
            if emergency and (_NEAR_BEFORE.search(before) or _NEAR_AFTER.match(after)):
                return code
            start = low.find(name, start + 1)
    return None
