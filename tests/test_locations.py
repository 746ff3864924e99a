"""Where the user is: a shared location -> a directory country, and country names in messages.

A shared location is matched against rough boxes and reference towns (bot/places.py); every
country of the services directory must be found from its capital, and a point in a country
next to the directory (Kabul, Juba, Aleppo, Lviv) must not be suggested as its neighbour.
Country names are matched in every launch language; a directory country's name inside a longer
name ("Sudan" in "South Sudan", "Niger" in "Nigeria") is not that country.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.catalogue import LANGUAGES
from bot.content.loader import load
from bot.i18n import babel_locale
from bot.locations import (
    COUNTRIES,
    NEIGHBOURS,
    country_at,
    country_index,
    mentioned_country,
    stated_country,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def directory():
    return load(ROOT / "content")[0]


@pytest.fixture(scope="module")
def names(directory):
    return country_index(directory)


# -- shared locations ----------------------------------------------------------------------------

CAPITALS = {
    "AT": ("Vienna", 48.21, 16.37),
    "BA": ("Sarajevo", 43.86, 18.41),
    "BE": ("Brussels", 50.85, 4.35),
    "BG": ("Sofia", 42.70, 23.32),
    "CY": ("Nicosia", 35.17, 33.36),
    "DE": ("Berlin", 52.52, 13.40),
    "DZ": ("Algiers", 36.75, 3.06),
    "EG": ("Cairo", 30.04, 31.24),
    "ES": ("Madrid", 40.42, -3.70),
    "ET": ("Addis Ababa", 9.03, 38.74),
    "FR": ("Paris", 48.86, 2.35),
    "GB": ("London", 51.51, -0.13),
    "GR": ("Athens", 37.98, 23.73),
    "IR": ("Tehran", 35.69, 51.39),
    "IT": ("Rome", 41.90, 12.50),
    "JO": ("Amman", 31.95, 35.93),
    "LB": ("Beirut", 33.89, 35.50),
    "LY": ("Tripoli", 32.89, 13.19),
    "MA": ("Rabat", 34.02, -6.84),
    "MR": ("Nouakchott", 18.09, -15.98),
    "MT": ("Valletta", 35.90, 14.51),
    "NE": ("Niamey", 13.51, 2.11),
    "NL": ("Amsterdam", 52.37, 4.90),
    "PK": ("Islamabad", 33.69, 73.05),
    "PL": ("Warsaw", 52.23, 21.01),
    "RS": ("Belgrade", 44.79, 20.45),
    "SD": ("Khartoum", 15.50, 32.56),
    "SN": ("Dakar", 14.72, -17.47),
    "TN": ("Tunis", 36.81, 10.18),
    "TR": ("Ankara", 39.93, 32.86),
}


def test_every_directory_country_can_be_found_from_a_shared_location(directory):
    assert set(directory.countries) <= set(COUNTRIES), "add boxes and towns to bot/places.py"
    assert set(directory.countries) <= set(CAPITALS)
    assert not set(COUNTRIES) & set(NEIGHBOURS)


@pytest.mark.parametrize("code", sorted(CAPITALS))
def test_a_location_in_the_capital_is_that_country(code, directory):
    _city, lat, lon = CAPITALS[code]
    assert country_at(lat, lon) == code
    assert country_at(lat, lon, known=set(directory.countries)) == code


@pytest.mark.parametrize(
    "place, lat, lon, code",
    [
        # Sudan, its neighbours and the routes out of it
        ("Geneina", 13.45, 22.45, "SD"),
        ("Adre, Chad", 13.47, 22.20, None),
        ("Kassala", 15.45, 36.40, "SD"),
        ("Tesseney, Eritrea", 15.11, 36.66, None),
        ("Port Sudan", 19.62, 37.22, "SD"),
        ("Juba, South Sudan", 4.85, 31.58, None),
        ("Malakal, South Sudan", 9.53, 31.66, None),
        ("Renk, South Sudan", 11.75, 32.78, None),
        ("Wadi Halfa", 21.80, 31.35, "SD"),
        ("Aswan", 24.09, 32.90, "EG"),
        ("Kufra", 24.18, 23.31, "LY"),
        # the Horn of Africa
        ("Gondar", 12.60, 37.47, "ET"),
        ("Mekelle", 13.50, 39.47, "ET"),
        ("Jijiga", 9.35, 42.80, "ET"),
        ("Asmara, Eritrea", 15.32, 38.93, None),
        ("Hargeisa, Somalia", 9.56, 44.06, None),
        ("Djibouti", 11.59, 43.15, None),
        ("Kakuma, Kenya", 3.72, 34.87, None),
        # Iran, Afghanistan, Pakistan and the Gulf
        ("Kabul", 34.53, 69.17, None),
        ("Herat", 34.35, 62.20, None),
        ("Mashhad", 36.30, 59.61, "IR"),
        ("Zahedan", 29.50, 60.86, "IR"),
        ("Tabriz", 38.08, 46.29, "IR"),
        ("Van", 38.50, 43.38, "TR"),
        ("Quetta", 30.18, 67.00, "PK"),
        ("Peshawar", 34.01, 71.58, "PK"),
        ("Lahore", 31.55, 74.34, "PK"),
        ("Amritsar, India", 31.63, 74.87, None),
        ("Erbil, Iraq", 36.19, 44.01, None),
        ("Kuwait", 29.38, 47.99, None),
        ("Dubai", 25.20, 55.27, None),
        ("Ashgabat", 37.95, 58.38, None),
        ("Yerevan", 40.18, 44.51, None),
        # Syria and Turkey
        ("Aleppo", 36.20, 37.16, None),
        ("Gaziantep", 37.07, 37.38, "TR"),
        ("Antakya", 36.20, 36.16, "TR"),
        ("Zaatari camp", 32.29, 36.32, "JO"),
        # the Balkans
        ("Sid", 45.13, 19.23, "RS"),
        ("Subotica", 46.10, 19.67, "RS"),
        ("Presevo", 42.31, 21.65, "RS"),
        ("Pristina", 42.66, 21.17, None),
        ("Skopje", 42.00, 21.43, None),
        ("Bihac", 44.82, 15.87, "BA"),
        ("Zagreb", 45.81, 15.98, None),
        ("Tirana", 41.33, 19.82, None),
        ("Harmanli", 41.93, 25.90, "BG"),
        ("Edirne", 41.68, 26.56, "TR"),
        ("Budapest", 47.50, 19.04, None),
        ("Lviv", 49.84, 24.03, None),
        ("Przemysl", 49.78, 22.77, "PL"),
        # north-west Africa and the Atlantic route
        ("Oran", 35.70, -0.63, "DZ"),
        ("Annaba", 36.90, 7.77, "DZ"),
        ("Tamanrasset", 22.79, 5.52, "DZ"),
        ("Tindouf", 27.67, -8.15, "DZ"),
        ("Agadez", 16.97, 7.99, "NE"),
        ("Kano, Nigeria", 12.00, 8.52, None),
        ("Nouadhibou", 20.94, -17.04, "MR"),
        ("Bassikounou", 15.87, -5.96, "MR"),
        ("Laayoune", 27.15, -13.20, None),
        ("Bamako", 12.64, -8.00, None),
        ("Ziguinchor", 12.58, -16.27, "SN"),
        ("Banjul", 13.45, -16.58, None),
        ("Las Palmas", 28.12, -15.43, "ES"),
        # Europe
        ("Lisbon", 38.72, -9.14, None),
        ("Dublin", 53.35, -6.26, None),
        ("Zurich", 47.37, 8.54, None),
        ("Calais", 50.95, 1.86, "FR"),
        ("Trieste", 45.65, 13.78, "IT"),
        ("Lampedusa", 35.50, 12.60, "IT"),
        ("Lesbos", 39.11, 26.50, "GR"),
        ("Gaza", 31.50, 34.47, None),
    ],
)
def test_border_cases_stay_sane(place, lat, lon, code):
    assert country_at(lat, lon) == code, place


@pytest.mark.parametrize("table", [COUNTRIES, NEIGHBOURS], ids=["directory", "neighbours"])
def test_every_reference_town_is_in_its_box_and_in_its_own_country(table):
    for code, (boxes, towns) in table.items():
        for lat, lon in towns:
            assert any(s <= lat <= n and w <= lon <= e for s, n, w, e in boxes), (code, lat, lon)
            assert country_at(lat, lon) == (code if table is COUNTRIES else None), (code, lat, lon)


def test_only_directory_countries_with_services_are_suggested():
    assert country_at(41.90, 12.50, known={"GR"}) is None
    assert country_at(15.50, 32.56, known={"SD"}) == "SD"
    assert country_at(34.53, 69.17, known={"AF", "PK"}) is None  # Afghanistan has no services


# -- country names in messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "I am in South Sudan",
        "we are in south sudan now",
        "je suis au Soudan du Sud",
        "estoy en Sudán del Sur",
        "انا في جنوب السودان",
        "احنا في السودان الجنوبي",
        "ana fi janub al sudan",
        "Güney Sudan'dayım",
        "ደቡብ ሱዳን ኣለኹ",
        "waxaan joogaa Koonfur Suudaan",
        "я в Південний Судан",
        "I'm in Nigeria",
        "Nijerya'dayım",
        "من در نیجریه هستم",
        "je suis au Nigeria",
    ],
)
def test_a_longer_country_name_is_not_the_directory_country_inside_it(said, names):
    assert stated_country(said, names) is None, said
    assert mentioned_country(said, names) is None, said


@pytest.mark.parametrize(
    "said, code",
    [
        ("I am in Sudan", "SD"),
        ("انا في السودان", "SD"),
        ("je suis au Soudan", "SD"),
        ("ሱዳን ኣለኹ", "SD"),
        ("waxaan joogaa Suudaan", "SD"),
        ("I am in Niger", "NE"),
        ("je suis au Niger", "NE"),
        ("Nijer'deyim", "NE"),
        ("انا في ليبيا", "LY"),
        ("я в Лівія", "LY"),
    ],
)
def test_the_directory_country_itself_is_still_found(said, code, names):
    assert stated_country(said, names) == code, said
    assert mentioned_country(said, names) == code, said


def test_both_names_in_one_message_find_the_directory_country(names):
    assert mentioned_country("from South Sudan I came to Sudan", names) == "SD"
    assert stated_country("I fled South Sudan and now I am in Sudan", names) == "SD"
    assert mentioned_country("my cousin is in South Sudan", names) is None


def test_a_short_name_inside_a_word_is_not_a_country(names):
    assert "fas" in names  # Morocco in Turkish
    assert stated_country("I am in fast food work", names) is None
    assert stated_country("Fas'tayım", names) == "MA"


def test_no_other_countrys_official_name_is_read_as_a_directory_country(names):
    """Every country's name in every launch language (CLDR) that contains a directory country's
    name ("Guinea-Bissau", "Papua New Guinea", "Caribbean Netherlands", "болівія") is itself."""
    checked = 0
    for language in LANGUAGES:
        for code, place in babel_locale(language).territories.items():
            low = place.casefold()
            inside = {c for n, c in names.items() if n in low and c != code}
            if not inside or code in names.values():
                continue
            checked += 1
            assert mentioned_country(place, names) is None, (language, place, inside)
    assert checked >= 20  # Sudan, Niger, France, the Netherlands, Britain, Libya ... in many
