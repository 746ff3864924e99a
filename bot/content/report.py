"""`masar content report`: what the content covers, what is reviewed, and what still needs checking.

NGO staff plan their work from this page: which topics lack a language, whose review runs
out soon, what was written and what was verified against its sources (per topic, language
and country), which dated facts are due, which facts nobody has confirmed yet, which
translations no native speaker has read, what each language still needs, and which help
services are unconfirmed. Markdown goes to stdout (readable in a
terminal, pastable into an issue); `--html FILE` writes the same tables as one
self-contained page to share with reviewers.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import country_name
from .catalogue import LANGUAGES, REQUIRED_SERVICE_KINDS, SERVICE_KINDS, TOPICS
from .loader import (
    DATED_FACT_WARNING_DAYS,
    EXPIRY_WARNING_DAYS,
    MIN_EXAMPLES,
    URL_RE,
    Problem,
    load,
)
from .models import Country, DatedFact, Topic
from .yamlio import LineDict, LineList, YamlError, read_yaml

OK = "✓"
MISSING = "missing"
TO_VERIFY = "⚠ to verify"
KIND_TITLES = {
    "unhcr": "UNHCR",
    "iom": "IOM",
    "asylum_authority": "asylum authority",
    "legal_aid": "legal aid",
    "red_cross": "Red Cross / Red Crescent",
}


@dataclass
class Section:
    """One heading of the report: a few sentences and a table."""

    title: str
    intro: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "Nothing to list."


@dataclass
class Report:
    title: str
    summary: list[str]
    sections: list[Section]


# ---------------------------------------------------------------- gathering


def coverage_cell(topic: Topic | None, language: str) -> str:
    """✓, missing, or too few examples: whether the bot can understand and answer this pair."""
    tr = topic.translations.get(language) if topic else None
    if tr is None or not tr.answer:
        return MISSING
    if len(tr.examples) < MIN_EXAMPLES:
        return f"too few examples ({len(tr.examples)})"
    return OK


def review_status(topic: Topic | None, today: dt.date, broken: bool) -> str:
    if topic is None:
        return "file has errors: not served" if broken else "missing file"
    if topic.review is None:
        return "no valid review: not served"
    if topic.stale_facts(today):
        return "DATED FACT PASSED: not served"
    days = (topic.review.expires_on - today).days
    if topic.review.expired(today):
        return f"EXPIRED {-days} days ago: not served"
    if days <= EXPIRY_WARNING_DAYS:
        return f"expiring in {days} days"
    return f"{OK} current"


def _shown(path: Path, content_dir: Path) -> str:
    """A path as NGO staff see it in their folder: content/topics/asylum_basics.yml."""
    try:
        return str(path.resolve().relative_to(content_dir.resolve().parent))
    except ValueError:
        return str(path)


def safety_notes(content_dir: Path) -> list[Problem]:
    """`needs_verification` notes anywhere in content/safety/*.yml, with their lines."""
    notes: list[Problem] = []
    for path in sorted((content_dir / "safety").glob("*.y*ml")):
        try:
            data = read_yaml(path)
        except YamlError:
            continue  # `masar content check` reports broken files
        _collect_notes(path, data, notes)
    return notes


def _collect_notes(path: Path, node: Any, notes: list[Problem]) -> None:
    if isinstance(node, LineDict):
        for key, value in node.items():
            if key == "needs_verification":
                items = value if isinstance(value, LineList) else [value]
                for i, item in enumerate(items):
                    if item in (None, False, [], ""):
                        continue
                    text = node.get("note") if item is True else item
                    line = value.line_of(i) if isinstance(value, LineList) else node.line_of(key)
                    notes.append(
                        Problem(path, line, str(text or "flagged, without a note"), "unverified")
                    )
            else:
                _collect_notes(path, value, notes)
    elif isinstance(node, list):
        for item in node:
            _collect_notes(path, item, notes)


def _emergency_flags(country: Country) -> dict[str, tuple[bool, Any]]:
    """needs_verification and verified_on of the emergency and sea-rescue numbers (not in the model)."""
    flags: dict[str, tuple[bool, Any]] = {}
    try:
        data = read_yaml(country.path) if country.path else None
    except YamlError:
        data = None
    for block in ("emergency", "sea_rescue"):
        node = data.get(block) if isinstance(data, dict) else None
        if isinstance(node, dict):
            flags[block] = (bool(node.get("needs_verification")), node.get("verified_on"))
    return flags


def verified_cell(topic: Topic | None, language: str) -> str:
    """Per topic and language: verified on a day, or only written on a day."""
    tr = topic.translations.get(language) if topic else None
    if topic is None or tr is None or not tr.answer:
        return MISSING
    review = topic.review
    if review is None:
        return "no valid review"
    if review.verified(language):
        return f"{OK} verified {review.verified_on}"
    return f"written {review.written_on}"


def native_cell(language: str, topic: Topic) -> str:
    tr = topic.translations[language]
    if tr.native_reviewed_by or tr.native_reviewed_on:
        return f"{language} ({tr.native_reviewed_by}, {tr.native_reviewed_on})"
    return language


def fact_status(fact: DatedFact, today: dt.date, written_on: dt.date | None, window: int) -> str:
    days = fact.days_left(today)
    if fact.passed(today, written_on):
        if fact.ends_on:
            return f"ENDED {-days} days ago: answers out of date"
        return f"APPLIES since {-days} days, answers written before: out of date"
    if fact.starts_on and written_on and written_on >= fact.starts_on:
        return f"{OK} answers written after it"
    if days <= (fact.warn_days if fact.warn_days is not None else window):
        return f"due in {days} days"
    return f"{OK} in {days} days"


def _entry_status(unsure: bool, verified_on: Any) -> str:
    if unsure:
        return TO_VERIFY
    return f"{OK} {verified_on}" if verified_on else f"{OK} (no date)"


def gather(
    content_dir: Path, today: dt.date | None = None, warn_days: int = DATED_FACT_WARNING_DAYS
) -> Report:
    """Everything the report shows, from the same loader the bot uses."""
    today = today or dt.date.today()
    content, problems = load(content_dir, today, warn_days)
    problems += safety_notes(content_dir)
    broken = {path.stem for path in (content_dir / "topics").glob("*.y*ml")}  # files that exist
    errors = sum(p.severity == "error" for p in problems)

    coverage = Section(
        "Coverage per topic and language",
        f"{OK} = an answer and at least {MIN_EXAMPLES} example messages; "
        "missing = no answer in this language (or the file did not load).",
        ["topic", *LANGUAGES],
    )
    covered = 0
    for topic_id in TOPICS:
        cells = [coverage_cell(content.topics.get(topic_id), lang) for lang in LANGUAGES]
        covered += cells.count(OK)
        coverage.rows.append([topic_id, *cells])
    pairs = len(TOPICS) * len(LANGUAGES)

    reviews = Section(
        "Reviews",
        "Written = when the answers were written or last changed, and by whom; verified = when "
        "someone checked them against their sources (only then does the bot say 'Last "
        "checked'). An answer whose review has expired, or whose dated fact has passed, is "
        "not served: the bot says the information is being checked and gives the official "
        f"links. 'expiring' = within {EXPIRY_WARNING_DAYS} days.",
        [
            "topic",
            "written by",
            "written on",
            "verified by",
            "verified on",
            "verified languages",
            "expires on",
            "status",
        ],
    )
    expired = expiring = 0
    for topic_id in TOPICS:
        topic = content.topics.get(topic_id)
        status = review_status(topic, today, topic_id in broken)
        expired += status.startswith("EXPIRED")
        expiring += status.startswith("expiring")
        review = topic.review if topic else None
        checked = review is not None and review.verified()
        reviews.rows.append(
            [
                topic_id,
                review.written_by if review else "–",
                str(review.written_on) if review else "–",
                (review.verified_by or "–") if review else "–",
                str(review.verified_on) if review and review.verified_on else "–",
                (
                    (", ".join(review.verified_languages or ()) or "–")
                    if review.verified_languages is not None
                    else "all"
                )
                if review and checked
                else "–",
                str(review.expires_on) if review else "–",
                status,
            ]
        )

    verified = Section(
        "Written and verified, per topic and language",
        f"{OK} verified <date> = the answer in this language was checked against its sources "
        "on that day; written <date> = written then, nobody has checked it yet (the bot says "
        "so under the answer).",
        ["topic", *LANGUAGES],
    )
    verified_pairs = answered_pairs = 0
    for topic_id in TOPICS:
        topic = content.topics.get(topic_id)
        cells = [verified_cell(topic, lang) for lang in LANGUAGES]
        verified_pairs += sum(c.startswith(OK) for c in cells)
        answered_pairs += sum(c != MISSING for c in cells)
        verified.rows.append([topic_id, *cells])

    dated = Section(
        "Dated facts",
        f"Days the content depends on (`dated_facts`). `masar content check` warns "
        f"{warn_days} days before (or `warn_days` of the entry) and fails after: a topic whose "
        "fact has ended, or whose new rule applies but whose answers were written before it, "
        "is not served.",
        ["where", "fact", "ends or starts", "day", "status", "source", "note"],
    )
    passed = due = 0
    holders: list[tuple[str, tuple[DatedFact, ...], dt.date | None]] = [
        (
            f"topic {t.id}",
            t.dated_facts,
            t.review.written_on if t.review else None,
        )
        for t in (content.topics[i] for i in TOPICS if i in content.topics)
    ] + [
        (f"services {c.code}", c.dated_facts, c.written_on)
        for c in (content.countries[code] for code in sorted(content.countries))
    ]
    for where, facts, written_on in holders:
        for fact in facts:
            status = fact_status(fact, today, written_on, warn_days)
            passed += status.startswith(("ENDED", "APPLIES"))
            due += status.startswith("due")
            dated.rows.append(
                [
                    where,
                    fact.fact,
                    "ends" if fact.ends_on else "starts",
                    str(fact.date),
                    status,
                    fact.source or "–",
                    fact.note or "–",
                ]
            )

    unverified = [p for p in problems if p.severity == "unverified"]
    notes = Section(
        "Entries that need verification",
        "Facts, numbers and links nobody has confirmed yet against an official source "
        "(`needs_verification` in topics, services and safety files).",
        ["where", "what to check"],
    )
    for p in sorted(unverified, key=lambda p: (_shown(p.path, content_dir), p.line)):
        notes.rows.append(
            [
                f"{_shown(p.path, content_dir)}:{p.line}",
                p.message.removeprefix("needs verification: "),
            ]
        )

    native = Section(
        "Translations not reviewed by a native speaker",
        "Languages with `native_review: false`. Ask a native speaker to read the examples and "
        "the answer, then set `native_review: true`.",
        ["topic", "not reviewed by a native speaker", "reviewed by a native speaker"],
    )
    not_native = translations = 0
    for topic_id in TOPICS:
        topic = content.topics.get(topic_id)
        if topic is None:
            continue
        todo = [
            lang
            for lang in LANGUAGES
            if lang in topic.translations and not topic.translations[lang].native_review
        ]
        done = [
            native_cell(lang, topic)
            for lang in LANGUAGES
            if lang in topic.translations and topic.translations[lang].native_review
        ]
        translations += len(todo) + len(done)
        not_native += len(todo)
        if todo:
            native.rows.append([topic_id, ", ".join(todo), ", ".join(done) or "–"])

    directory = Section(
        "Services directory",
        f"One row per country: the emergency numbers and each kind of service. {OK} = confirmed "
        f"on its source page (date of the last check); {TO_VERIFY} = not confirmed yet (the bot "
        f"marks it as not yet confirmed); {MISSING} = a required kind is absent. 'written on' = "
        "when the file was written; 'verified' = entries confirmed on a known day.",
        [
            "country",
            "written on",
            "emergency",
            "sea rescue",
            *(KIND_TITLES[k] for k in SERVICE_KINDS),
            "verified",
            "oldest check",
        ],
    )
    services = Section(
        "Services, entry by entry",
        "Every entry the bot can show for a country.",
        ["country", "kind", "name", "link or phone", "verified on", "status"],
    )
    for code in sorted(content.countries):
        country = content.countries[code]
        flags = _emergency_flags(country)
        name = f"{country_name(code, 'en')} ({code})"
        unsure, checked = flags.get("emergency", (False, None))
        emergency = (
            f"{country.emergency} {_entry_status(unsure, checked)}"
            if country.emergency
            else TO_VERIFY
        )
        sea = "–"
        if country.sea_rescue:
            unsure, checked = flags.get("sea_rescue", (False, None))
            sea = f"{country.sea_rescue.number} {_entry_status(unsure, checked)}"
        cells = []
        for kind in SERVICE_KINDS:
            entries = [s for s in country.services if s.kind == kind]
            if not entries:
                cells.append(MISSING if kind in REQUIRED_SERVICE_KINDS else "–")
            else:
                cells.append(
                    "; ".join(_entry_status(s.needs_verification, s.verified_on) for s in entries)
                )
        dates = [s.verified_on for s in country.services if s.confirmed and s.verified_on]
        confirmed = [country.emergency_confirmed] if country.emergency else []
        confirmed += [country.sea_rescue.confirmed] if country.sea_rescue else []
        confirmed += [s.confirmed for s in country.services]
        directory.rows.append(
            [
                name,
                str(country.written_on) if country.written_on else "–",
                emergency,
                sea,
                *cells,
                f"{sum(confirmed)} of {len(confirmed)}",
                str(min(dates)) if dates else "–",
            ]
        )
        for s in country.services:
            services.rows.append(
                [
                    code,
                    KIND_TITLES[s.kind],
                    s.name,
                    s.url or s.phone or "–",
                    str(s.verified_on) if s.verified_on else "–",
                    TO_VERIFY if s.needs_verification else OK,
                ]
            )

    needs = Section(
        "What each language still needs",
        "Per language: answers nobody has checked against their sources yet, translations no "
        "native speaker has reviewed, and topics with no answer or too few example messages.",
        ["language", "not yet verified", "no native review", "missing or too few examples"],
    )
    for lang in LANGUAGES:
        unverified_topics, not_native_topics, gaps = [], [], []
        for topic_id in TOPICS:
            topic = content.topics.get(topic_id)
            if coverage_cell(topic, lang) != OK:
                gaps.append(topic_id)
            if topic is None or lang not in topic.translations:
                continue
            if not topic.verified(lang):
                unverified_topics.append(topic_id)
            if not topic.translations[lang].native_review:
                not_native_topics.append(topic_id)
        needs.rows.append(
            [
                lang,
                _listing(unverified_topics),
                _listing(not_native_topics),
                _listing(gaps),
            ]
        )

    summary = [
        f"Coverage: {covered} of {pairs} topic × language pairs ({100 * covered / pairs:.1f}%) "
        f"for {len(TOPICS)} topics in {len(LANGUAGES)} languages.",
        f"Services directory: {len(content.countries)} countries.",
        f"Reviews: {expired} expired, {expiring} expiring within {EXPIRY_WARNING_DAYS} days.",
        f"Verified: {verified_pairs} of {answered_pairs} answers (topic × language) checked "
        "against their sources; the others are only written.",
        f"Dated facts: {passed} passed, {due} due within {warn_days} days.",
        f"{len(unverified)} entries need verification; {not_native} of {translations} translations "
        "are not reviewed by a native speaker.",
    ]
    if errors:
        summary.append(
            f"{errors} error{'s' if errors != 1 else ''} in the content files: "
            "run `masar content check` to see and fix them."
        )
    return Report(
        f"Masar content report, {today.isoformat()}",
        summary,
        [coverage, reviews, verified, needs, dated, notes, native, directory, services],
    )


def _listing(topics: list[str]) -> str:
    return f"{len(topics)}: {', '.join(topics)}" if topics else f"{OK} none"


# ---------------------------------------------------------------- writing


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def to_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    lines += [f"- {line}" for line in report.summary]
    for section in report.sections:
        lines += ["", f"## {section.title}", "", section.intro, ""]
        if not section.rows:
            lines.append(section.empty)
            continue
        lines.append("| " + " | ".join(_md_cell(h) for h in section.headers) + " |")
        lines.append("|" + "|".join(" --- " for _ in section.headers) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


def _tone(cell: str) -> str:
    """A CSS class so problems stand out at a glance."""
    if cell in (MISSING, "missing file") or cell.startswith(
        ("EXPIRED", "file has errors", "no valid review", "DATED FACT", "ENDED", "APPLIES")
    ):
        return "bad"
    if (
        cell.startswith(("expiring", "too few", TO_VERIFY, "due in"))
        or TO_VERIFY in cell
        or re.match(r"written \d", cell)  # written on a day, never checked against the sources
    ):
        return "warn"
    if cell.startswith(OK):
        return "ok"
    return ""


def _html_cell(text: str, tag: str = "td") -> str:
    text = str(text)
    tone = _tone(text)
    cls = f' class="{tone}"' if tone else ""
    body = htmllib.escape(text, quote=True)
    if tag == "td" and URL_RE.match(text):  # a checked http(s) address: clickable for reviewers
        body = f'<a href="{body}" rel="noopener noreferrer">{body}</a>'
    return f'<{tag} dir="auto"{cls}>{body}</{tag}>'


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; text-align: start; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.ok { background: #e8f5e9; } td.warn { background: #fff8e1; } td.bad { background: #ffebee; font-weight: bold; }
"""


def _prose(text: str) -> str:
    """Escaped text, with `key` shown as code like in the Markdown."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", htmllib.escape(text, quote=True))


def to_html(report: Report) -> str:
    esc = htmllib.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(report.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f'<h1 dir="auto">{esc(report.title)}</h1>',
        "<ul>",
    ]
    parts += [f'<li dir="auto">{_prose(line)}</li>' for line in report.summary]
    parts.append("</ul>")
    for section in report.sections:
        parts += [
            f'<h2 dir="auto">{esc(section.title)}</h2>',
            f'<p dir="auto">{_prose(section.intro)}</p>',
        ]
        if not section.rows:
            parts.append(f'<p dir="auto">{esc(section.empty)}</p>')
            continue
        parts.append("<table>")
        parts.append("<tr>" + "".join(_html_cell(h, "th") for h in section.headers) + "</tr>")
        parts += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in section.rows]
        parts.append("</table>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def main(
    content_dir: Path,
    html: str | Path | None = None,
    out=None,
    today: dt.date | None = None,
    warn_days: int = DATED_FACT_WARNING_DAYS,
) -> int:
    """Print the Markdown report; with `html`, also write it as an HTML page. Exit code 1 only if it cannot be written."""
    report = gather(Path(content_dir), today, warn_days)
    print(to_markdown(report), file=out or sys.stdout, end="")
    if html:
        try:
            Path(html).write_text(to_html(report), encoding="utf-8")
        except OSError as exc:
            print(f"masar content report: cannot write {html}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"masar content report: HTML report written to {html}", file=sys.stderr)
    return 0
