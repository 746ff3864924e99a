"""The interface catalogs: complete in every launch language, and in step with the code.

These tests are the CI gate for translations: a `_()` string added to the code without
`masar locales update`, or left untranslated in one launch language, fails here.
"""

from __future__ import annotations

import io
import shutil

import pytest
from babel.messages.extract import extract
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po, write_po

from bot import catalogs
from bot.cli import main as masar


def test_every_launch_language_has_every_interface_string():
    problems = catalogs.check()
    assert not problems, "\n".join(map(str, problems))


def test_the_template_holds_every_string_the_code_uses():
    with catalogs.TEMPLATE.open("rb") as fh:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(fh) if m.id}
    missing = catalogs.code_messages() - template
    assert not missing, f"run `masar locales update` and translate: {sorted(missing)}"


def test_button_titles_and_service_labels_are_extracted():
    found = catalogs.code_messages()
    assert {
        "Dangers at sea",
        "Talk to a person",
        "Free legal aid",
        "Red Cross / Red Crescent",
    } <= found


def test_the_extractor_reads_masars_call_style_and_nothing_else():
    source = b"""
TITLES = {"sea": "Dangers at sea"}
OTHER = {"x": "not a label"}
a = _(language, "Hello {name}", name=who)
b = ngettext(language, "{n} day", "{n} days", n)
c = translator(language).gettext(message)
d = gettext("default keywords are off")
e = _(language, TITLES[topic])
"""
    keywords = parse_keywords(list(catalogs.KEYWORDS))
    found = [m[1] for m in extract(catalogs.extract_python, io.BytesIO(source), keywords)]
    assert sorted(found, key=str) == sorted(
        ["Dangers at sea", "Hello {name}", ("{n} day", "{n} days")], key=str
    )


def test_masar_locales_check_passes(capsys):
    assert masar(["locales", "check"]) == 0
    assert "complete" in capsys.readouterr().out


# --------------------------------------------------------------------------- the check itself


@pytest.fixture
def locales(tmp_path):
    """A copy of locales/ that a test may break."""
    copy = tmp_path / "locales"
    shutil.copytree(catalogs.LOCALES_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def edit(locales, language, msgid, **changes):
    po = locales / language / "LC_MESSAGES" / "masar.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    if changes.get("delete"):
        catalog.delete(msgid)
    else:
        message = catalog[msgid]
        message.string = changes.get("string", message.string)
        if changes.get("fuzzy"):
            message.flags.add("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, catalog)


def problems_in(locales):
    return [str(p) for p in catalogs.check(locales, code_root=None)]


def test_a_copy_of_the_catalogs_is_complete(locales):
    assert problems_in(locales) == []


def test_a_missing_translation_fails_the_check(locales):
    edit(locales, "ps", "Menu", string="")
    problems = problems_in(locales)
    assert len(problems) == 1
    assert (
        "ps/LC_MESSAGES/masar.po" in problems[0]
        and "'Menu'" in problems[0]
        and "not translated" in problems[0]
    )


def test_a_msgid_missing_from_a_catalog_fails_the_check(locales):
    edit(locales, "ti", "Choose your language:", delete=True)
    assert any(
        "ti/" in p and "Choose your language:" in p and "missing" in p for p in problems_in(locales)
    )


def test_a_fuzzy_translation_fails_the_check(locales):
    edit(locales, "so", "Yes", fuzzy=True)
    assert any("so/" in p and "fuzzy" in p for p in problems_in(locales))


@pytest.mark.parametrize(
    "wrong",
    ["Emergencia en {pais}: {number}", "Emergencia en {country: {number}", "Emergencia: {number}"],
)
def test_placeholders_must_be_kept_exactly(locales, wrong):
    edit(locales, "es", "Emergency in {country}: {number}", string=wrong)
    assert any("es/" in p and "placeholders" in p for p in problems_in(locales))


def test_a_missing_catalog_fails_the_check(locales):
    shutil.rmtree(locales / "bn")
    assert any("bn/" in p and "missing" in p for p in problems_in(locales))


def test_plural_forms_must_match_cldr(locales):
    po = locales / "uk" / "LC_MESSAGES" / "masar.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index('"MIME-Version')
    po.write_text(
        text[:start] + '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n' + text[end:],
        encoding="utf-8",
    )
    assert any("uk/" in p and "Plural-Forms" in p for p in problems_in(locales))


def test_a_string_in_the_code_but_not_in_the_template_fails_the_check(tmp_path):
    code = tmp_path / "bot"
    code.mkdir()
    (code / "new.py").write_text('x = _(language, "A brand new button")\n', encoding="utf-8")
    problems = [str(p) for p in catalogs.check(code_root=tmp_path)]
    assert any("A brand new button" in p and "masar locales update" in p for p in problems)
