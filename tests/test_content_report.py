"""`masar content report`: coverage, reviews, unverified entries and services, in Markdown and HTML."""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from pathlib import Path

from bot.cli import main as cli_main
from bot.content import report
from bot.content.catalogue import LANGUAGES, TOPICS
from bot.content.loader import MIN_EXAMPLES, load

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


def _run(content_dir: Path, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = report.main(content_dir, out=out, today=kwargs.pop("today", TODAY), **kwargs)
    return code, out.getvalue()


def _row(markdown: str, first_cell: str) -> list[str]:
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r}")


# ------------------------------------------------------------------ shipped content


def test_shipped_report_matches_what_the_loader_sees():
    content, _ = load(ROOT / "content")
    code, out = _run(ROOT / "content", today=None)
    assert code == 0
    covered = sum(
        1
        for t in content.topics.values()
        for lang in LANGUAGES
        if lang in t.translations
        and t.translations[lang].answer
        and len(t.translations[lang].examples) >= MIN_EXAMPLES
    )
    pairs = len(TOPICS) * len(LANGUAGES)
    assert (
        f"Coverage: {covered} of {pairs} topic × language pairs ({100 * covered / pairs:.1f}%)"
        in out
    )
    assert f"Services directory: {len(content.countries)} countries." in out
    for topic_id in TOPICS:  # every catalogue topic has a coverage row with one cell per language
        assert len(_row(out, topic_id)) == 1 + len(LANGUAGES)
    for code_ in content.countries:
        assert f"({code_})" in out


def test_shipped_report_lists_every_unverified_entry_and_unreviewed_translation():
    _, problems = load(ROOT / "content")
    _, out = _run(ROOT / "content", today=None)
    for p in problems:
        if p.severity == "unverified":
            assert f"{p.path.parent.name}/{p.path.name}:{p.line} |" in out
    content, _ = load(ROOT / "content")
    for topic in content.topics.values():
        if any(not tr.native_review for tr in topic.translations.values()):
            assert _row(out, topic.id)  # listed under translations not reviewed by a native speaker


def test_cli_writes_the_html_report(tmp_path, capsys):
    target = tmp_path / "report.html"
    assert cli_main(["content", "report", "--html", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<h2 dir="auto">Coverage per topic and language</h2>' in page
    assert "# Masar content report" in capsys.readouterr().out


# ------------------------------------------------------------------ a small fixture


def _topic(
    topic_id: str,
    group: str,
    *,
    skip=(),
    written_on="2026-01-01",
    expires_on="2099-01-01",
    native=(),
    examples=10,
    notes=(),
    verified="",
    facts="",
) -> str:
    text = textwrap.dedent(f"""\
        topic: {topic_id}
        group: {group}
        follow_up: []
        sources:
          - name: UNHCR
            url: https://www.unhcr.org/
        review:
          written_by: editorial team
          written_on: {written_on}
          expires_on: {expires_on}
        """)
    text += verified + facts
    text += (
        "needs_verification:\n" + "".join(f'  - "{n}"\n' for n in notes)
        if notes
        else "needs_verification: []\n"
    )
    text += "languages:\n"
    for lang in LANGUAGES:
        if lang in skip:
            continue
        mark = native.get(lang, "true") if isinstance(native, dict) else "true"
        text += (
            f"  {lang}:\n    native_review: {mark if lang in native else 'false'}\n    examples:\n"
        )
        text += "".join(
            f"      - {topic_id} question {lang} {n}\n"
            for n in range(examples if lang == "fr" else 10)
        )
        text += "    answer: An answer.\n"
    return text


SERVICES = textwrap.dedent("""\
    country: MT
    written_on: 2026-10-01
    emergency:
      number: "112"
      source: https://digital-strategy.ec.europa.eu/en/policies/112
      verified_on: 2026-11-01
      needs_verification: false
    services:
      - {kind: unhcr, name: UNHCR Help – Malta, url: https://help.unhcr.org/malta/, source: https://help.unhcr.org/malta/, verified_on: 2026-11-01, needs_verification: false}
      - {kind: iom, name: IOM Malta, url: https://malta.iom.int/, source: https://malta.iom.int/, verified_on: 2026-10-01, needs_verification: false}
      - {kind: asylum_authority, name: International Protection Agency, url: https://ipa.gov.mt/, source: https://ipa.gov.mt/, verified_on: 2026-11-01, needs_verification: false}
      - {kind: legal_aid, name: "Legal <b>aid</b> & co", url: https://aditus.org.mt/, source: https://aditus.org.mt/, verified_on: null, needs_verification: true, note: not confirmed on the live site}
    """)

SAFETY = textwrap.dedent("""\
    review: {written_by: Tester, written_on: 2026-01-01, expires_on: 2099-01-01}
    topics:
      emergency_at_sea:
        en: ['\\bsinking\\b']
    needs_verification:
      - "the Pashto patterns were written without a native speaker"
    """)


def _fixture(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("topics", "services", "safety"):
        (root / folder).mkdir(parents=True)
    files = {
        "topics/asylum_basics.yml": _topic(
            "asylum_basics",
            "asylum",
            skip=("ps",),
            native={"en": "true", "ar": "{reviewed_by: AR-1, reviewed_on: 2026-11-01}"},
            notes=("check the <script>alert(1)</script> wording",),
            verified="  verified_by: legal adviser (AB)\n  verified_on: 2026-11-15\n"
            "  verified_languages: [en, ar]\n",
            facts="dated_facts:\n"
            "  - fact: a protection runs until this day\n"
            "    ends_on: 2027-01-10\n"
            "    source: https://www.unhcr.org/\n",
        ),
        "topics/detention.yml": _topic(
            "detention", "asylum", written_on="2025-01-01", expires_on="2026-06-30"
        ),
        "topics/legal_aid.yml": _topic("legal_aid", "asylum", expires_on="2026-12-10", examples=4),
        "services/mt.yml": SERVICES,
        "safety/emergency.yml": SAFETY,
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_missing_language_shows_as_missing(tmp_path):
    _, out = _run(_fixture(tmp_path))
    row = _row(out, "asylum_basics")
    cells = dict(zip(LANGUAGES, row[1:], strict=True))
    assert cells["ps"] == "missing"
    assert all(cells[lang] == "✓" for lang in LANGUAGES if lang != "ps")
    assert _row(out, "legal_aid")[1 + LANGUAGES.index("fr")] == "too few examples (4)"
    assert set(_row(out, "greet")[1:]) == {"missing"}  # no file at all


def test_an_expired_review_shows_as_expired(tmp_path):
    _, out = _run(_fixture(tmp_path))
    reviews = out.split("## Reviews")[1].split("## ")[0]
    assert (
        "| detention | editorial team | 2025-01-01 | – | – | – | 2026-06-30 "
        "| EXPIRED 145 days ago: not served |"
    ) in reviews
    assert (
        "| legal_aid | editorial team | 2026-01-01 | – | – | – | 2026-12-10 | expiring in 18 days |"
        in reviews
    )
    assert (
        "| asylum_basics | editorial team | 2026-01-01 | legal adviser (AB) | 2026-11-15 | en, ar "
        "| 2099-01-01 | ✓ current |"
    ) in reviews
    assert "| greet | – | – | – | – | – | – | missing file |" in reviews
    assert "Reviews: 1 expired, 1 expiring within 30 days." in out


def test_summary_counts_coverage_and_countries(tmp_path):
    _, out = _run(_fixture(tmp_path))
    covered = 11 + 12 + 11  # asylum_basics without ps, detention, legal_aid without fr
    pairs = len(TOPICS) * len(LANGUAGES)
    assert (
        f"Coverage: {covered} of {pairs} topic × language pairs ({100 * covered / pairs:.1f}%)"
        in out
    )
    assert "Services directory: 1 countries." in out


def test_unverified_entries_of_topics_services_and_safety_files_are_listed(tmp_path):
    _, out = _run(_fixture(tmp_path))
    notes = out.split("## Entries that need verification")[1].split("## ")[0]
    assert re.search(r"\| content/topics/asylum_basics\.yml:\d+ \| check the <script>", notes)
    assert re.search(
        r"\| content/services/mt\.yml:\d+ \| MT legal_aid 'Legal <b>aid</b> & co' "
        r"\(not confirmed on the live site\) \|",
        notes,
    )
    assert re.search(
        r"\| content/safety/emergency\.yml:6 \| the Pashto patterns were written", notes
    )


def test_translations_without_native_review_are_listed(tmp_path):
    _, out = _run(_fixture(tmp_path))
    native = out.split("## Translations not reviewed by a native speaker")[1].split("## ")[0]
    assert (
        "| asylum_basics | fa, ti, so, fr, es, tr, ur, bn, uk | en, ar (AR-1, 2026-11-01) |"
        in native
    )
    assert "| detention | en, ar, fa, ps, ti, so, fr, es, tr, ur, bn, uk | – |" in native
    assert "33 of 35 translations are not reviewed by a native speaker" in out


def test_services_directory_shows_kinds_verification_and_dates(tmp_path):
    _, out = _run(_fixture(tmp_path))
    row = _row(out, "Malta (MT)")
    assert row == [
        "Malta (MT)",
        "2026-10-01",
        "112 ✓ 2026-11-01",
        "–",
        "✓ 2026-11-01",
        "✓ 2026-10-01",
        "✓ 2026-11-01",
        "⚠ to verify",
        "–",
        "4 of 5",
        "2026-10-01",
    ]
    assert (
        "| MT | legal aid | Legal <b>aid</b> & co | https://aditus.org.mt/ | – | ⚠ to verify |"
        in out
    )


def test_html_is_self_contained_escaped_and_direction_aware(tmp_path):
    target = tmp_path / "report.html"
    code, _ = _run(_fixture(tmp_path), html=target)
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert (
        "<script" not in page and "<link" not in page and "src=" not in page
    )  # nothing loaded from elsewhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Legal &lt;b&gt;aid&lt;/b&gt; &amp; co" in page
    assert '<td dir="auto" class="bad">EXPIRED 145 days ago: not served</td>' in page
    assert '<td dir="auto" class="bad">missing</td>' in page
    assert '<a href="https://ipa.gov.mt/" rel="noopener noreferrer">https://ipa.gov.mt/</a>' in page
    # every table cell and paragraph lets the browser pick the direction (Arabic, Persian, Urdu... notes)
    assert not re.search(r"<(td|th|p|li)(?![^>]*dir=\"auto\")[ >]", page)


def test_html_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    code, out = _run(_fixture(tmp_path), html=tmp_path / "no" / "such" / "folder" / "r.html")
    assert code == 1
    assert "# Masar content report" in out  # the Markdown report is still printed
    assert "cannot write" in capsys.readouterr().err


# ------------------------------------------------------------------ written and verified


def _section(markdown: str, title: str) -> str:
    return markdown.split(f"## {title}")[1].split("\n## ")[0]


def test_report_shows_written_and_verified_dates_per_topic_and_language(tmp_path):
    _, out = _run(_fixture(tmp_path))
    grid = _section(out, "Written and verified, per topic and language")
    row = _row(grid, "asylum_basics")
    cells = dict(zip(LANGUAGES, row[1:], strict=True))
    assert cells["en"] == cells["ar"] == "✓ verified 2026-11-15"  # the languages that were checked
    assert cells["fa"] == "written 2026-01-01"  # written, nobody has checked it yet
    assert cells["ps"] == "missing"
    assert set(_row(grid, "detention")[1:]) == {"written 2025-01-01"}
    assert "Verified: 2 of 35 answers (topic × language) checked against their sources" in out


def test_report_lists_what_each_language_still_needs(tmp_path):
    _, out = _run(_fixture(tmp_path))
    needs = _section(out, "What each language still needs")
    en = _row(needs, "en")
    assert en[1] == "2: detention, legal_aid"  # asylum_basics is verified in English
    assert en[2] == "2: detention, legal_aid"  # and reviewed by a native speaker
    fa = _row(needs, "fa")
    assert fa[1] == "3: asylum_basics, detention, legal_aid"
    ps = _row(needs, "ps")
    assert ps[3].startswith("39: ") and "asylum_basics" in ps[3]  # no answer in Pashto


def test_report_lists_dated_facts_with_their_status(tmp_path):
    _, out = _run(_fixture(tmp_path))
    dated = _section(out, "Dated facts")
    assert (
        "| topic asylum_basics | a protection runs until this day | ends | 2027-01-10 "
        "| due in 49 days | https://www.unhcr.org/ | – |"
    ) in dated
    assert "Dated facts: 0 passed, 1 due within 60 days." in out
    _, later = _run(_fixture(tmp_path / "later"), today=dt.date(2027, 1, 11))
    assert "| ENDED 1 days ago: answers out of date |" in _section(later, "Dated facts")
    assert "| asylum_basics | " in later and "DATED FACT PASSED: not served" in later
