"""Honest dates: written is not verified, dated facts go stale on their day, unconfirmed is said.

`masar content check` runs on the shipped content and on copies of tests/fixtures/mini whose
dates are set per test (the check is given the day it runs on). Answers come from the real
engine and model on the shipped content, or from the real renderer on a copy of the shipped
content in which one topic is marked as verified.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from bot.answers import Renderer, Situation
from bot.cli import main as cli_main
from bot.content import check
from bot.content.catalogue import LANGUAGES
from bot.content.loader import load
from bot.evaluation.runner import plain
from bot.i18n import _, format_day

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"  # its topics were written on 2026-01-01
NOT_CONFIRMED = "(not yet confirmed)"
NOT_CHECKED = (
    "This answer has not yet been checked against the official sources: please confirm with them."
)


def _check(content_dir: Path, today: dt.date, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = check.main(content_dir, out=out, today=today, **kwargs)
    return code, out.getvalue()


def _tree(tmp_path: Path, facts: str) -> Path:
    """A copy of the shipped content with `facts` as the dated_facts of sea_crossing_risks.

    Its answers were written on 2026-11-22 and its reviews run until 2027-05-22, so between
    those days the dated fact is the only thing that can make the check fail.
    """
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content", root, ignore=shutil.ignore_patterns("schema"))
    path = root / "topics" / "sea_crossing_risks.yml"
    text = path.read_text(encoding="utf-8")
    assert "written_on: 2026-11-22" in text and "\nlanguages:" in text
    path.write_text(text.replace("\nlanguages:", "\n" + facts + "languages:", 1), encoding="utf-8")
    return root


ENDS = """\
dated_facts:
  - fact: temporary protection runs until this day
    ends_on: 2027-03-04
    source: https://home-affairs.ec.europa.eu/
"""
STARTS = """\
dated_facts:
  - fact: a new regulation applies from this day
    starts_on: 2027-01-01
    source: https://eur-lex.europa.eu/eli/reg/2024/1351/oj
"""
WHERE = "topic 'sea_crossing_risks': 'temporary protection runs until this day'"


# ------------------------------------------------------------------ masar content check


def test_check_passes_on_the_shipped_content_and_knows_its_dated_facts():
    code, out = _check(ROOT / "content", dt.date.today())
    assert code == 0, out
    assert " 0 errors," in out.splitlines()[-1]
    content, _ = load(ROOT / "content")
    ends = {f.ends_on for f in content.topics["temporary_protection"].dated_facts}
    starts = {f.starts_on for f in content.topics["dublin_rules"].dated_facts}
    assert dt.date(2028, 3, 4) in ends
    assert dt.date(2026, 7, 1) in starts
    assert all(f.source for t in content.topics.values() for f in t.dated_facts)


def test_shipped_temporary_protection_warns_before_and_fails_after_its_end_date():
    ended = "temporary_protection.yml"
    _, long_before = _check(ROOT / "content", dt.date(2027, 1, 4))
    assert "ends on 2028-03-04" not in long_before
    _, before = _check(ROOT / "content", dt.date(2028, 1, 4))
    assert "ends on 2028-03-04 (in 60 days)" in before
    _, on_the_day = _check(ROOT / "content", dt.date(2028, 3, 4))
    assert "ended on 2028-03-04" not in on_the_day
    _, after = _check(ROOT / "content", dt.date(2028, 3, 5))
    line = next(line for line in after.splitlines() if "ended on 2028-03-04" in line)
    assert ended in line and ": error: " in line and "(1 days ago)" in line


def test_a_dated_fact_is_quiet_long_before_its_day(tmp_path):
    code, out = _check(_tree(tmp_path, ENDS), dt.date(2026, 12, 2))
    assert code == 0, out
    assert "temporary protection runs until this day" not in out


def test_check_warns_before_a_dated_fact_ends(tmp_path):
    code, out = _check(_tree(tmp_path, ENDS), dt.date(2027, 1, 13))
    assert code == 0, out  # a warning, not an error: the content is still true today
    assert f"warning: {WHERE} ends on 2027-03-04 (in 50 days)" in out


def test_the_warning_window_is_configurable(tmp_path):
    root = _tree(tmp_path, ENDS)
    today = dt.date(2026, 12, 14)  # 80 days before
    assert "ends on 2027-03-04" not in _check(root, today)[1]
    code, out = _check(root, today, warn_days=90)
    assert code == 0 and f"warning: {WHERE} ends on 2027-03-04 (in 80 days)" in out
    own = _tree(tmp_path / "own", ENDS.replace("    source:", "    warn_days: 100\n    source:"))
    assert "ends on 2027-03-04 (in 80 days)" in _check(own, today)[1]


def test_check_fails_after_a_dated_fact_ended_and_the_topic_is_not_served(tmp_path):
    root = _tree(tmp_path, ENDS)
    today = dt.date(2027, 3, 5)
    code, out = _check(root, today)
    assert code == 1
    assert "sea_crossing_risks.yml:" in out
    assert f"error: {WHERE} ended on 2027-03-04 (1 days ago)" in out
    content, _problems = load(root, today)
    renderer = Renderer(content)
    stale = renderer.topic("sea_crossing_risks", Situation("ti"), today)[0].text
    notice = _(
        "ti",
        "This information is being checked again and is not shown until it is. "
        "Meanwhile, please use the official sources:",
    )
    assert notice in stale
    the_day = renderer.topic("sea_crossing_risks", Situation("ti"), dt.date(2027, 3, 4))[0].text
    assert notice not in the_day


def test_a_rule_that_starts_fails_answers_written_before_it(tmp_path):
    root = _tree(tmp_path, STARTS)  # the answers were written on 2026-11-22
    code, out = _check(root, dt.date(2026, 12, 2))
    assert code == 0 and "applies from 2027-01-01 (in 30 days)" in out
    code, out = _check(root, dt.date(2027, 1, 1))
    assert code == 1
    assert "applies since 2027-01-01, but the answers were written on 2026-11-22, before it" in out
    path = root / "topics" / "sea_crossing_risks.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "written_on: 2026-11-22", "written_on: 2027-01-02"
        ),
        encoding="utf-8",
    )
    code, out = _check(root, dt.date(2027, 1, 5))
    assert code == 0 and "a new regulation applies" not in out


@pytest.mark.parametrize(
    "facts, message",
    [
        (
            "dated_facts:\n  - fact: no day\n    source: https://www.unhcr.org/\n",
            "needs exactly one of 'ends_on'",
        ),
        (
            "dated_facts:\n  - fact: no source\n    ends_on: 2030-01-01\n",
            "a dated fact needs 'source'",
        ),
        (
            "dated_facts:\n  - fact: bad day\n    ends_on: 04/03/2028\n"
            "    source: https://www.unhcr.org/\n",
            "'ends_on' must be a date written year-month-day",
        ),
    ],
)
def test_a_malformed_dated_fact_is_an_error(tmp_path, facts, message):
    code, out = _check(_tree(tmp_path, facts), dt.date(2026, 12, 2))
    assert code == 1 and message in out


def test_the_command_line_takes_the_warning_window(tmp_path, monkeypatch, capsys):
    day = dt.date.today() + dt.timedelta(days=75)
    monkeypatch.setenv(
        "MASAR_CONTENT_DIR", str(_tree(tmp_path, ENDS.replace("2027-03-04", str(day))))
    )
    cli_main(["content", "check"])
    assert "(in 75 days)" not in capsys.readouterr().out
    cli_main(["content", "check", "--warn-days", "80"])
    assert f"ends on {day} (in 75 days)" in capsys.readouterr().out


def _mini(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    path = root / "topics" / "greet.yml"
    text = path.read_text(encoding="utf-8")
    for a, b in zip(old.split("|"), new.split("|"), strict=True):
        assert a in text
        text = text.replace(a, b)
    path.write_text(text, encoding="utf-8")
    return root


def test_first_edition_review_keys_still_load_with_a_warning(tmp_path):
    root = _mini(tmp_path, "written_by:|written_on:", "reviewed_by:|reviewed_on:")
    content, problems = load(root, dt.date(2026, 12, 2))
    mine = [p for p in problems if p.path.name == "greet.yml" and "review" in p.message]
    assert [p.severity for p in mine] == ["warning", "warning"]
    assert "'reviewed_by' is the old name of 'written_by'" in mine[0].message
    assert "'reviewed_on' is the old name of 'written_on'" in mine[1].message
    assert content.topics["greet"].review.written_on == dt.date(2026, 1, 1)
    assert not content.topics["greet"].verified("en")


def test_a_reviewer_is_a_role_or_initials_not_contact_details(tmp_path):
    root = _mini(
        tmp_path,
        "verified_by: null|verified_on: null",
        "verified_by: someone@example.org|verified_on: 2026-11-30",
    )
    _, problems = load(root, dt.date(2026, 12, 2))
    assert any(
        p.severity == "error"
        and "looks like contact details; write a role or initials" in p.message
        for p in problems
    )


def test_the_migration_is_mechanical_and_idempotent(tmp_path):
    from bot.content.migrate import migrate_review

    first = "review:\n  reviewed_by: Masar editorial team\n  reviewed_on: 2026-11-22\n  expires_on: 2027-05-22\nother: 1\n"
    once = migrate_review(first, add_verified=True)
    assert once == (
        "review:\n  written_by: Masar editorial team\n  written_on: 2026-11-22\n"
        "  verified_by: null\n  verified_on: null\n  expires_on: 2027-05-22\nother: 1\n"
    )
    assert migrate_review(once, add_verified=True) == once


# ------------------------------------------------------------------ answers: Last checked


def _verified_copy(tmp_path: Path, topic: str, languages: str | None) -> Path:
    """The shipped content, with `topic` checked against its sources on 2026-12-01."""
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content", root, ignore=shutil.ignore_patterns("schema"))
    path = root / "topics" / f"{topic}.yml"
    text = path.read_text(encoding="utf-8")
    assert "verified_by: null\n  verified_on: null\n" in text
    block = "verified_by: legal adviser (AB)\n  verified_on: 2026-12-01\n"
    if languages:
        block += f"  verified_languages: {languages}\n"
    path.write_text(
        text.replace("verified_by: null\n  verified_on: null\n", block), encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("language", ["en", "ar", "ti"])
def test_footer_says_last_checked_only_for_verified_content(tmp_path, language):
    today = dt.date(2026, 12, 2)
    content, problems = load(_verified_copy(tmp_path, "asylum_how_to_apply", "[en, ar, ti]"), today)
    assert not [p for p in problems if p.severity == "error"]
    renderer = Renderer(content)
    verified = plain(renderer.topic("asylum_how_to_apply", Situation(language), today)[0].text)
    last_checked = _(
        language, "Last checked: {date}", date=format_day(dt.date(2026, 12, 1), language)
    )
    assert plain(last_checked) in verified
    assert plain(_(language, NOT_CHECKED)) not in verified
    written_only = plain(renderer.topic("asylum_basics", Situation(language), today)[0].text)
    assert plain(_(language, NOT_CHECKED)) in written_only
    assert plain(_(language, "Last checked: {date}", date="")).strip(" :") not in written_only


def test_a_language_outside_the_check_is_not_called_checked(tmp_path):
    today = dt.date(2026, 12, 2)
    content, _problems = load(_verified_copy(tmp_path, "asylum_how_to_apply", "[en]"), today)
    text = plain(Renderer(content).topic("asylum_how_to_apply", Situation("fa"), today)[0].text)
    assert plain(_("fa", NOT_CHECKED)) in text


def test_answers_changed_after_the_check_are_not_called_checked(tmp_path):
    root = _verified_copy(tmp_path, "asylum_how_to_apply", None)
    path = root / "topics" / "asylum_how_to_apply.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "written_on: 2026-11-22", "written_on: 2026-12-02"
        ),
        encoding="utf-8",
    )
    today = dt.date(2026, 12, 2)
    content, problems = load(root, today)
    assert any("the check no longer covers them" in p.message for p in problems)
    text = Renderer(content).topic("asylum_how_to_apply", Situation("en"), today)[0].text
    assert NOT_CHECKED in text and "Last checked" not in text


@pytest.mark.parametrize(
    "language", ["en", "ar", "fa", "ps", "ti", "so", "fr", "es", "tr", "ur", "bn", "uk"]
)
def test_where_the_country_is_unknown_112_is_not_offered_as_a_worldwide_number(content, language):
    """112 is confirmed for the EU only; off Libya or Tunisia the advice is the coast guard, any
    rescue centre that can be reached and the radio's distress channel, as in emergency_at_sea."""
    renderer = Renderer(content)
    text = plain(renderer.emergency_numbers(None, language, at_sea=True))
    on_land = plain(renderer.emergency_numbers(None, language, at_sea=False))
    general, _unknown, sea = text.split("\n")
    assert "112" in general and "112" in sea and "16" in sea and "GPS" in sea
    assert on_land.split("\n") == [general, _unknown]
    if language == "en":
        assert "in EU countries call 112" in general and "112 in Europe" not in general
        assert "VHF channel 16" in sea
    else:  # translated, not English
        assert "EU countries" not in general and "rescue centre" not in sea


# How each launch language names the EU (or Europe) next to 112.
EU_WORDS = {
    "en": ("EU", "Europe"),
    "ar": ("الاتحاد الأوروبي", "الأوروبية"),
    "fa": ("اروپا",),
    "ps": ("اروپا",),
    "ti": ("ኤውሮጳ",),
    "so": ("Yurub",),
    "fr": ("UE", "europ"),
    "es": ("UE", "europe"),
    "tr": ("AB", "Avrupa"),
    "ur": ("یورپ",),
    "bn": ("ইউরোপ", "ইইউ"),
    "uk": ("ЄС", "європ"),
}


def test_no_answer_gives_112_as_a_number_that_works_everywhere(content):
    """112 is confirmed for the EU; an answer that gives it says where it works, in every
    language, so nobody in Libya, Sudan or Afghanistan is told to rely on it."""
    assert set(EU_WORDS) == set(LANGUAGES)
    for topic in content.topics.values():
        for language, words in EU_WORDS.items():
            translation = topic.translation(language)
            if translation and "112" in translation.answer:
                assert any(w in translation.answer for w in words), (topic.id, language)


# ------------------------------------------------------------------ the real engine


def _country_with_mixed_services(content):
    for code in sorted(content.countries):
        services = content.countries[code].services
        if any(s.confirmed for s in services) and any(not s.confirmed for s in services):
            return content.countries[code]
    pytest.skip("no country has both confirmed and unconfirmed services")


@pytest.mark.parametrize("language", ["ar", "ti", "en"])
def test_unconfirmed_services_are_marked_in_the_users_language(ask, content, language):
    country = _country_with_mixed_services(content)
    answer = ask(f"honest-services-{language}", f"/country {country.code}", lang=language)
    assert answer.topic == "find_help"
    lines = plain(answer.replies[0].text).split("\n")
    mark = _(language, NOT_CONFIRMED)
    assert mark != NOT_CONFIRMED or language == "en"
    for service in country.services:
        line = next(line for line in lines if service.name in line)
        assert (mark in line) == (not service.confirmed), line
    checked = [s.verified_on for s in country.services if s.confirmed]
    assert (
        plain(_(language, "Last checked: {date}", date=format_day(min(checked), language))) in lines
    )


@pytest.mark.parametrize("language", ["ar", "ti"])
def test_an_unconfirmed_emergency_number_is_shown_and_marked(ask, content, language):
    country = next(
        c
        for c in (content.countries[k] for k in sorted(content.countries))
        if c.emergency and not c.emergency_confirmed
    )
    user = f"honest-emergency-{language}"
    ask(user, f"/country {country.code}", lang=language)
    answer = ask(user, "/emergency")
    first = plain(answer.replies[0].text).split("\n")[0]
    assert country.emergency in first  # emergency numbers are always shown
    assert _(language, NOT_CONFIRMED) in first


@pytest.mark.parametrize("language", ["ar", "ti"])
def test_a_confirmed_emergency_number_is_not_marked(ask, content, language):
    user = f"honest-emergency-ok-{language}"
    assert content.countries["IT"].emergency_confirmed
    ask(user, "/country IT", lang=language)
    first = plain(ask(user, "/emergency").replies[0].text).split("\n")[0]
    assert "112" in first and _(language, NOT_CONFIRMED) not in first


@pytest.mark.parametrize("language", ["ar", "ti"])
def test_an_unverified_answer_says_so_in_the_users_language(ask, content, language):
    assert not content.topics["asylum_how_to_apply"].verified(language)
    answer = ask(f"honest-topic-{language}", "/asylum_how_to_apply", lang=language)
    text = plain(answer.replies[0].text)
    assert plain(_(language, NOT_CHECKED)) in text
    assert _(language, NOT_CHECKED) != NOT_CHECKED  # translated, not English


def test_a_verified_topic_with_open_notes_is_flagged(tmp_path):
    root = _verified_copy(tmp_path, "asylum_how_to_apply", None)
    content, problems = load(root, dt.date(2026, 12, 2))
    assert content.topics["asylum_how_to_apply"].verified("ar")
    assert any(
        p.severity == "warning"
        and p.path.name == "asylum_how_to_apply.yml"
        and "still has" in p.message
        and "needs_verification notes" in p.message
        for p in problems
    )
