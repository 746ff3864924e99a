"""Interface strings, language and country names, dates, and right-to-left display."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.content.catalogue import LANGUAGES
from bot.i18n import (
    FSI,
    LRM,
    PDI,
    RLM,
    RTL,
    _,
    bidi,
    country_name,
    format_day,
    language_name,
    translator,
)

MARKS = re.compile(f"[{LRM}{RLM}{FSI}{PDI}]")


def unmarked(text: str) -> str:
    return MARKS.sub("", text)


def isolated(text: str) -> list[str]:
    """The runs bidi() put inside first-strong isolates."""
    return re.findall(f"{FSI}(.*?){PDI}", text)


# --------------------------------------------------------------------------- strings


def test_interface_strings_come_from_the_catalogs():
    assert _("fa", "Menu") == "منو"
    assert _("uk", "Choose your language:") == "Виберіть мову:"
    assert _("en", "Menu") == "Menu"


def test_placeholders_are_filled_in_every_language():
    for code in LANGUAGES:
        text = _(code, "Emergency in {country}: {number}", country="Italia", number="112")
        assert "Italia" in text and "112" in text and "{" not in text, code


def test_an_unknown_language_or_string_falls_back_to_english():
    assert _("xx", "Menu") == "Menu"
    assert _("ar", "A sentence nobody translated") == "A sentence nobody translated"


def test_plural_forms_follow_the_catalog(tmp_path):
    """Ukrainian has three plural forms; the .po is compiled in memory when no .mo exists."""
    catalog = Catalog(locale="uk", domain="masar")
    catalog.add(("{n} day", "{n} days"), ("{n} день", "{n} дні", "{n} днів"))
    folder = tmp_path / "uk" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "masar.po").open("wb") as fh:
        write_po(fh, catalog)
    uk = translator("uk", tmp_path)
    assert [uk.ngettext("{n} day", "{n} days", n).format(n=n) for n in (1, 3, 5, 21)] == [
        "1 день",
        "3 дні",
        "5 днів",
        "21 день",
    ]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("uk", {1: "1 ознака", 3: "3 ознаки", 5: "5 ознак", 21: "21 ознака"}),
        ("ar", {1: "علامة تحذير واحدة", 2: "علامتا تحذير", 3: "3 علامات", 11: "11 علامة"}),
        ("fr", {0: "0 signe d'alerte", 1: "1 signe d'alerte", 2: "2 signes d'alerte"}),
        # CLDR's "many" form (Babel 2.19): a round million takes "de" in French and Spanish.
        ("fr", {1_000_000: "000 de signes d'alerte"}),
        ("es", {1: "1 señal de", 2: "2 señales de alerta", 1_000_000: "000 de señales"}),
        ("tr", {1: "1 uyarı işareti", 2: "2 uyarı işareti"}),
        ("en", {1: "1 warning sign in", 2: "2 warning signs in"}),
    ],
)
def test_the_offer_check_counts_warning_signs_with_each_languages_plural_forms(language, expected):
    from bot.i18n import ngettext

    for n, start in expected.items():
        text = ngettext(
            language, "{n} warning sign in this message", "{n} warning signs in this message", n
        )
        assert start in text, (n, text)


# --------------------------------------------------------------------------- CLDR names and dates


@pytest.mark.parametrize(
    "code, name",
    [
        ("ar", "العربية"),
        ("fa", "فارسی"),
        ("ps", "پښتو"),
        ("ti", "ትግርኛ"),
        ("so", "Soomaali"),
        ("fr", "Français"),
        ("es", "Español"),
        ("tr", "Türkçe"),
        ("ur", "اردو"),
        ("bn", "বাংলা"),
        ("uk", "Українська"),
        ("en", "English"),
    ],
)
def test_language_names_are_in_their_own_script(code, name):
    assert language_name(code) == name


def test_country_names_are_in_the_users_language():
    assert country_name("IT", "ar") == "إيطاليا"
    assert country_name("GR", "fr") == "Grèce"
    assert country_name("ZZ-not-a-country", "fa") == "ZZ-not-a-country"


def test_dates_are_written_the_locales_way():
    day = dt.date(2025, 3, 12)
    assert format_day(day, "fr") == "12 mars 2025"
    assert "مارس" in format_day(day, "fa")
    assert format_day(day, "en") == "Mar 12, 2025"


# --------------------------------------------------------------------------- right to left


def test_left_to_right_languages_are_untouched():
    text = "Source: UNHCR – https://www.unhcr.org/"
    for code in set(LANGUAGES) - RTL:
        assert bidi(text, code) == text


def test_every_rtl_line_starts_right_to_left():
    text = "UNHCR يساعدك\n\nسطر ثان"
    lines = bidi(text, "ar").split("\n")
    assert lines[0].startswith(RLM) and lines[2].startswith(RLM)
    assert lines[1] == ""


def test_urls_are_isolated_whole_and_still_work_when_copied():
    url = "https://help.unhcr.org/italy/asylum-procedure?x=1&y=2#apply"
    out = bidi(f"المصدر: UNHCR – {url}.", "ar")
    assert f"{FSI}{url}{PDI}." in out  # sentence full stop stays outside
    bare = bidi("راجع unhcr.org/it/asylum، أو اكتب إلى info@example.org", "fa")
    assert isolated(bare)[-2:] == ["unhcr.org/it/asylum", "info@example.org"]


def test_latin_names_and_phone_numbers_stay_in_one_piece():
    out = bidi("• الصليب الأحمر / Red Cross / Red Crescent: +39 06 4705 1", "ar")
    assert isolated(out) == ["Red Cross / Red Crescent", "+39 06 4705 1"]
    out = bidi("اتصل بـ UNHCR (UN Refugee Agency) الآن", "ur")
    assert isolated(out) == ["UNHCR (UN Refugee Agency)"]


def test_bidi_only_adds_marks_and_is_idempotent():
    text = "آخرین بررسی: 12 مارس 2025\nمنبع: UNHCR Help – https://help.unhcr.org/ · 112"
    once = bidi(text, "fa")
    assert unmarked(once) == text
    assert bidi(once, "fa") == once


def test_every_rtl_answer_keeps_its_text_and_its_links(content):
    """On the real content: marks only, and each link of an answer appears unbroken."""
    link = re.compile(r"https?://[^\s<>\"«»]*[^\s<>\"«».,;:!?،؛؟)\]'’]")
    checked = 0
    for topic in content.topics.values():
        for code in RTL:
            tr = topic.translations.get(code)
            if tr is None:
                continue
            out = bidi(tr.answer, code)
            assert unmarked(out) == tr.answer
            for url in link.findall(tr.answer):
                assert f"{FSI}{url}{PDI}" in out, (topic.id, code, url)
            checked += 1
    assert checked


def test_counts_are_written_as_the_locale_writes_numbers():
    from babel.numbers import format_decimal

    from bot.i18n import ngettext

    text = ngettext(
        "uk", "{n} warning sign in this message", "{n} warning signs in this message", 1234
    )
    assert text.startswith(format_decimal(1234, locale="uk")) and not text.startswith("1234")
    assert ngettext(
        "en", "{n} warning sign in this message", "{n} warning signs in this message", 1234
    ).startswith("1,234")
