"""The facts corrected in December 2026 stay corrected, in every language and every file.

Each test names a fact an audit of content/ against stored public sources found wrong or
outdated on 2026-12-02; the source of each correction is in the content file itself (sources,
dated_facts or the entry's note). These tests read the shipped content only: no model.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.content.catalogue import LANGUAGES
from bot.content.loader import load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def content():
    return load(ROOT / "content")[0]


def answers(content, topic: str) -> dict[str, str]:
    found = {lang: content.topics[topic].translation(lang) for lang in LANGUAGES}
    assert all(found.values()), topic
    return {lang: tr.answer for lang, tr in found.items() if tr}


def test_temporary_protection_runs_until_march_2028_everywhere(content):
    for language, answer in answers(content, "temporary_protection").items():
        assert "2028" in answer and "2027" not in answer, language
    facts = content.topics["temporary_protection"].dated_facts
    assert any(f.ends_on == dt.date(2028, 3, 4) and f.source for f in facts)


def test_dublin_answer_says_the_new_regulation_applies_from_july_2026(content):
    for language, answer in answers(content, "dublin_rules").items():
        assert "2026" in answer, language
    topic = content.topics["dublin_rules"]
    assert any("2024/1351" in s.url for s in topic.sources)
    assert any(f.starts_on == dt.date(2026, 7, 1) for f in topic.dated_facts)


def test_family_reunification_names_the_suspensions(content):
    for language, answer in answers(content, "family_reunification").items():
        assert "2027" in answer and "2025" in answer, language  # Germany to July 2027, Austria


def test_libya_no_longer_lists_the_norwegian_refugee_council(content):
    for service in content.countries["LY"].services:
        assert not re.search(r"\bNRC\b|Norwegian", service.name), service.name


def test_egypt_names_its_asylum_law(content):
    authority = [s for s in content.countries["EG"].services if s.kind == "asylum_authority"]
    assert authority and "164" in authority[0].name


def test_italy_lists_the_confirmed_anti_trafficking_number(content):
    numbers = [n.number for n in content.countries["IT"].other_numbers]
    assert "800 290 290" in numbers


@pytest.mark.parametrize("topic", ["visa_basics", "fake_documents", "job_offer_scams"])
def test_visa_centres_are_not_said_to_decide(content, topic):
    english = answers(content, topic)["en"]
    assert "only the embassy decides" not in english.lower()
    assert "authorities decide" in english


def test_turkish_detention_speaks_of_immigration_detention(content):
    turkish = answers(content, "detention")["tr"]
    assert "dari gözetim" in turkish  # İdari / idari
    assert "gözaltı" not in turkish.lower()


def test_arabic_unaccompanied_children_tell_officials_not_relatives(content):
    assert "فأخبرهم بذلك" not in answers(content, "unaccompanied_children")["ar"]


def test_the_boat_in_distress_answer_does_not_rely_on_112_off_libya(content):
    for language, answer in answers(content, "emergency_at_sea").items():
        assert "112" in answer, language
    assert "Libya" in answers(content, "emergency_at_sea")["en"]


def test_the_directory_covers_thirty_countries_and_says_what_is_unconfirmed(content):
    assert len(content.countries) >= 30
    readme = (ROOT / "content" / "services" / "README.md").read_text(encoding="utf-8")
    for code in ("RS", "BA", "BG", "ET", "DZ", "IR", "SD", "MR", "SN", "PK"):
        assert code in content.countries
        assert re.search(rf"^\| {code} \|", readme, re.M), code  # verified / flagged (why)
    for country in content.countries.values():
        for service in country.services:
            assert service.confirmed or service.note, (country.code, service.name)
