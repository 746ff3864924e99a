"""Mistakes real editors make in content files, each answered with a clear `file:line` message.

NGO staff edit YAML in whatever editor they have (Notepad, TextEdit, Word "save as text",
a phone). Each case here is one of those mistakes; the check must say where it is and how
to fix it, and the rest of the content must still load.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from samples import TOPIC_HEAD, languages

from bot.content import check
from bot.content.loader import load

HEAD = TOPIC_HEAD


def _languages(answer: str = "An answer.") -> str:
    return languages(answer=answer)


GOOD = HEAD + _languages()
EN_ANSWER_LINE = GOOD.splitlines().index("    answer: An answer.") + 1  # the English answer


def _write(root: Path, name: str, data: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _check(root: Path) -> tuple[int, str]:
    (root / "topics").mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    code = check.main(root, out=out)
    return code, out.getvalue()


def test_good_fixture_is_clean(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", GOOD)
    _code, out = _check(tmp_path)
    assert [line for line in out.splitlines() if "asylum_basics.yml" in line] == []


# ------------------------------------------------------------------ encoding


def test_a_file_saved_in_windows_1252_names_the_line_of_the_first_bad_character(tmp_path):
    text = GOOD.replace("answer: An answer.", "answer: Un café près de la gare.", 1)
    _write(tmp_path, "topics/asylum_basics.yml", text.encode("cp1252"))
    _write(
        tmp_path,
        "topics/asylum_rights.yml",
        GOOD.replace("asylum_basics", "asylum_rights").replace("question", "rights question"),
    )
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE}: error: this line has a character that is not UTF-8"
        in out
    ), out
    assert "save the file as UTF-8" in out
    content, _ = load(tmp_path)
    assert "asylum_rights" in content.topics  # one broken file does not take the others down


def test_a_file_saved_as_utf16_says_so(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", GOOD.encode("utf-16"))
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        "asylum_basics.yml:1: error: the file is saved as UTF-16 ('Unicode'); save it as UTF-8"
        in out
    )


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", "\ufeff" + GOOD)  # Notepad's "UTF-8 with BOM"
    content, problems = load(tmp_path)
    assert "asylum_basics" in content.topics
    assert not [p for p in problems if p.path.name == "asylum_basics.yml" and p.severity == "error"]


# ------------------------------------------------------------------ YAML syntax


def test_a_tab_in_the_indentation_names_its_line(tmp_path):
    lines = GOOD.splitlines(keepends=True)
    lines[EN_ANSWER_LINE - 1] = "\tanswer: An answer.\n"
    _write(tmp_path, "topics/asylum_basics.yml", "".join(lines))
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE}: error: broken YAML: this line contains a tab; "
        "YAML allows only spaces"
    ) in out, out


def test_a_tab_after_the_colon_names_its_line(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", GOOD.replace("group: asylum", "group:\tasylum"))
    _code, out = _check(tmp_path)
    assert "asylum_basics.yml:2: error: broken YAML: this line contains a tab" in out, out


def test_a_colon_inside_unquoted_text_suggests_quotes(tmp_path):
    _write(
        tmp_path,
        "topics/asylum_basics.yml",
        GOOD.replace("answer: An answer.", "answer: Important: ask for asylum at once.", 1),
    )
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE}: error: broken YAML: a ':' where YAML does not expect one"
        in out
    )
    assert "put the whole text in double quotes" in out


def test_an_unclosed_quote_points_at_the_line_where_it_opens(tmp_path):
    _write(
        tmp_path,
        "topics/asylum_basics.yml",
        GOOD.replace("answer: An answer.", 'answer: "An answer.', 1),
    )
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE}: error: broken YAML: a quote opened on this line is never closed"
        in out
    )


# ------------------------------------------------------------------ duplicate keys


def test_a_duplicate_key_is_reported_with_both_lines(tmp_path):
    lines = GOOD.splitlines(keepends=True)
    lines.insert(
        EN_ANSWER_LINE, "    answer: A second answer that would silently replace the first.\n"
    )
    _write(tmp_path, "topics/asylum_basics.yml", "".join(lines))
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE + 1}: error: 'answer' is written twice in the same block "
        f"(first on line {EN_ANSWER_LINE}); only this one is used and the first is lost"
    ) in out, out


def test_a_language_written_twice_is_reported(tmp_path):
    again = "  fa:\n    native_review: false\n    examples: [a, b]\n    answer: Another one.\n"
    text = GOOD + again
    _write(tmp_path, "topics/asylum_basics.yml", text)
    _code, out = _check(tmp_path)
    first_fa = GOOD.splitlines().index("  fa:") + 1
    assert f"error: 'fa' is written twice in the same block (first on line {first_fa})" in out, out


def test_a_duplicate_key_in_a_services_file_is_reported(tmp_path):
    services = textwrap.dedent("""\
        country: IT
        emergency:
          number: "112"
          number: "113"
          source: https://digital-strategy.ec.europa.eu/en/policies/112
        services: []
        """)
    _write(tmp_path, "services/it.yml", services)
    _code, out = _check(tmp_path)
    assert (
        "services/it.yml:4: error: 'number' is written twice in the same block (first on line 3)"
        in out
    )


# ------------------------------------------------------------------ empty files


def test_an_empty_topic_file_says_it_is_empty(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", "")
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        "asylum_basics.yml:1: error: the file is empty: a topic file needs topic, group, sources"
        in out
    )


def test_a_file_with_only_comments_counts_as_empty(tmp_path):
    _write(tmp_path, "services/it.yml", "# Italy: to be written\n")
    _code, out = _check(tmp_path)
    assert (
        "it.yml:1: error: the file is empty: a services file needs country, emergency and services"
        in out
    )


# ------------------------------------------------------------------ dates


def test_a_date_written_day_month_year_suggests_the_right_form(tmp_path):
    _write(
        tmp_path,
        "topics/asylum_basics.yml",
        GOOD.replace("expires_on: 2099-01-01", "expires_on: 22/11/2026"),
    )
    code, out = _check(tmp_path)
    assert code == 1
    assert (
        "asylum_basics.yml:10: error: 'expires_on' must be a date written year-month-day like 2026-11-22, "
        "not '22/11/2026'; did you mean 2026-11-22?"
    ) in out, out


def test_an_ambiguous_day_month_date_asks_for_year_first(tmp_path):
    _write(
        tmp_path,
        "topics/asylum_basics.yml",
        GOOD.replace("written_on: 2026-01-01", "written_on: 05.06.2026"),
    )
    _code, out = _check(tmp_path)
    assert "asylum_basics.yml:9: error: 'written_on' must be a date" in out
    assert "write the year first, then the month, then the day" in out


def test_an_impossible_date_is_reported_not_a_crash(tmp_path):
    _write(
        tmp_path,
        "topics/asylum_basics.yml",
        GOOD.replace("expires_on: 2099-01-01", "expires_on: 2027-02-30"),
    )
    code, out = _check(tmp_path)
    assert code == 1
    assert "asylum_basics.yml:10: error: 'expires_on' must be a date" in out
    assert "that day does not exist in the calendar" in out


# ------------------------------------------------------------------ unknown keys


def test_a_misspelt_key_gets_a_did_you_mean_hint(tmp_path):
    text = GOOD.replace("    answer: An answer.\n", "    answr: An answer.\n", 1)
    _write(tmp_path, "topics/asylum_basics.yml", text)
    code, out = _check(tmp_path)
    assert code == 1  # the answer is missing, so it is an error, and the hint says why
    assert (
        f"asylum_basics.yml:{EN_ANSWER_LINE}: warning: unknown key 'answr' in asylum_basics/en, it is ignored; "
        "did you mean 'answer'?"
    ) in out, out
    assert (
        "asylum_basics.yml:14: error: missing answer for asylum_basics/en" in out
    )  # first line of the en block


def test_a_misspelt_review_key_gets_a_hint(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", GOOD.replace("  written_on:", "  writen_on:"))
    _code, out = _check(tmp_path)
    assert (
        "asylum_basics.yml:9: warning: unknown key 'writen_on' in 'review', it is ignored; did you mean 'written_on'?"
        in out
    )
    assert "error: 'review' has no 'written_on'" in out


def test_a_misspelt_services_key_gets_a_hint(tmp_path):
    services = textwrap.dedent("""\
        country: IT
        emergency:
          numbr: "112"
          source: https://digital-strategy.ec.europa.eu/en/policies/112
        services: []
        """)
    _write(tmp_path, "services/it.yml", services)
    _code, out = _check(tmp_path)
    assert (
        "it.yml:3: warning: unknown key 'numbr' in the IT emergency block, it is ignored; did you mean 'number'?"
        in out
    )


def test_a_language_code_in_capitals_gets_a_hint(tmp_path):
    _write(tmp_path, "topics/asylum_basics.yml", GOOD.replace("  fr:\n", "  FR:\n"))
    _code, out = _check(tmp_path)
    assert "error: unknown language 'FR'; did you mean 'fr'?" in out


# ------------------------------------------------------------------ numbers


def test_a_phone_number_with_a_leading_zero_keeps_its_zero_without_quotes(tmp_path):
    services = textwrap.dedent("""\
        country: IT
        emergency:
          number: 0112
          source: https://digital-strategy.ec.europa.eu/en/policies/112
        services: []
        """)
    _write(tmp_path, "services/it.yml", services)
    content, _ = load(tmp_path)
    assert content.countries["IT"].emergency == "0112"  # not 74, as YAML 1.1 octal would read it
