"""Load content/ into typed models, collecting every problem with its file and line.

Loading never raises on bad content: a broken file is reported and left out, and the rest
still loads. `masar content check` shows the problems; the bot serves what loaded.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalogue import GROUP_OF, LANGUAGES, REQUIRED_SERVICE_KINDS, SERVICE_KINDS, TOPICS
from .models import (
    Content,
    Country,
    DatedFact,
    PhoneNumber,
    Review,
    Service,
    Source,
    Topic,
    Translation,
)
from .yamlio import LineDict, LineList, YamlError, duplicate_keys, read_yaml

MAX_ANSWER = 700
MIN_EXAMPLES = 10
EXPIRY_WARNING_DAYS = 30
DATED_FACT_WARNING_DAYS = 60  # default window before a dated fact's day; `--warn-days` changes it

URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/[^\s<>\"']*)?$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ]{1,18}[0-9]$|^[0-9]{2,6}$")

TOPIC_KEYS = {
    "topic",
    "group",
    "follow_up",
    "sources",
    "review",
    "needs_verification",
    "dated_facts",
    "languages",
}
LANGUAGE_KEYS = {"examples", "answer", "native_review"}
COUNTRY_KEYS = {
    "country",
    "aliases",
    "written_on",
    "emergency",
    "sea_rescue",
    "services",
    "dated_facts",
}
SERVICE_KEYS = {
    "kind",
    "name",
    "url",
    "phone",
    "source",
    "verified_on",
    "needs_verification",
    "note",
}
REVIEW_KEYS = {
    "written_by",
    "written_on",
    "verified_by",
    "verified_on",
    "verified_languages",
    "expires_on",
}
# The names of the first edition: "reviewed" was the day the text was written, not a check.
LEGACY_REVIEW_KEYS = {"reviewed_by": "written_by", "reviewed_on": "written_on"}
NATIVE_REVIEW_KEYS = {"reviewed_by", "reviewed_on"}  # not by/on: YAML reads `on` as true
DATED_FACT_KEYS = {"fact", "ends_on", "starts_on", "source", "warn_days", "note"}
SOURCE_KEYS = {"name", "url"}
EMERGENCY_KEYS = {"number", "source", "verified_on", "needs_verification", "note", "other_numbers"}
SEA_RESCUE_KEYS = {"name", "number", "source", "verified_on", "needs_verification", "note"}
NUMBER_KEYS = {"name", "number"}
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in content/, with where it is and how to fix it."""

    path: Path
    line: int
    message: str
    severity: str = "error"  # error | warning | unverified

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class _Report:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.example_lines: dict[
            tuple[str, str], int
        ] = {}  # (language, example) -> line, for cross-file messages

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, "error"))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, "warning"))

    def unverified(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, "unverified"))


def normalise_example(text: str) -> str:
    """The form under which two examples count as the same (case, spacing, punctuation)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())


def _line(node: Any, key: Any = None) -> int:
    if isinstance(node, LineDict):
        return node.line_of(key) if key is not None else node.line
    if isinstance(node, LineList):
        return node.line_of(key) if isinstance(key, int) else node.line
    return 1


def _unknown_keys(report: _Report, node: LineDict, allowed: set[str], where: str) -> None:
    for key in node:
        if key not in allowed:
            guess = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = (
                f"; did you mean '{guess[0]}'?"
                if guess
                else f"; allowed keys: {', '.join(sorted(allowed))}"
            )
            report.warn(_line(node, key), f"unknown key '{key}' in {where}, it is ignored{hint}")


def _date(report: _Report, node: LineDict, key: str, where: str) -> dt.date | None:
    value = node.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        report.error(
            _line(node, key) if key in node else node.line,
            f"{where} has no '{key}': add a date like 2026-11-22",
        )
    else:
        report.error(
            _line(node, key),
            f"'{key}' must be a date written year-month-day like 2026-11-22, "
            f"not '{value}'{_date_hint(str(value))}",
        )
    return None


def _date_hint(text: str) -> str:
    """What the editor probably meant by a date in another format."""
    match = DAY_MONTH_YEAR.match(text.strip())
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first > 12 >= second:
            return f"; did you mean {year}-{second:02d}-{first:02d}?"
        if second > 12 >= first:
            return f"; did you mean {year}-{first:02d}-{second:02d}?"
        return "; write the year first, then the month, then the day"
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        return "; that day does not exist in the calendar"
    return ""


def check_url(report: _Report, line: int, url: Any, where: str) -> str | None:
    if not isinstance(url, str) or not URL_RE.match(url.strip()):
        report.error(
            line,
            f"malformed URL in {where}: '{url}'; write the full address starting with https://",
        )
        return None
    if url.startswith("http://"):
        report.warn(
            line,
            f"unencrypted link in {where}: '{url}'; use the https:// address if the site has one",
        )
    return url.strip()


def check_phone(report: _Report, line: int, number: Any, where: str) -> str | None:
    text = str(number).strip() if number is not None else ""
    if not PHONE_RE.match(text):
        report.error(
            line,
            f"malformed phone number in {where}: '{number}'; use digits only, "
            'with an optional leading + and spaces (for example "112" or "+39 06 1234 5678"), in quotes',
        )
        return None
    return text


def _reviewer(report: _Report, node: LineDict, key: str, where: str) -> str | None:
    """A reviewer's role or initials (never a phone number or an e-mail address)."""
    value = node.get(key)
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if "@" in text or sum(ch.isdigit() for ch in text) >= 5:
        report.error(
            _line(node, key),
            f"'{key}' in {where} looks like contact details; write a role or initials "
            "(for example 'legal adviser' or 'AB')",
        )
        return None
    return text


def _review(report: _Report, node: Any, today: dt.date) -> Review | None:
    if not isinstance(node, LineDict):
        report.error(_line(node), "'review' must have written_by, written_on and expires_on")
        return None
    for old, new in LEGACY_REVIEW_KEYS.items():
        if old in node:
            report.warn(
                _line(node, old),
                f"'{old}' is the old name of '{new}' (the day the answers were written, not a "
                f"check against the sources): rename it to '{new}', or run "
                "`python -m bot.content.migrate`",
            )
            if new not in node:
                node[new] = node[old]
                node.lines[new] = node.line_of(old)
    _unknown_keys(report, node, REVIEW_KEYS | set(LEGACY_REVIEW_KEYS), "'review'")
    by = _reviewer(report, node, "written_by", "'review'")
    if by is None:
        report.error(
            node.line,
            "'review' has no 'written_by': write who wrote the answers (a role or initials)",
        )
    on = _date(report, node, "written_on", "'review'")
    until = _date(report, node, "expires_on", "'review'")
    checker = _reviewer(report, node, "verified_by", "'review'")
    checked = None
    if node.get("verified_on") is not None:
        checked = _date(report, node, "verified_on", "'review'")
    if checked and not checker:
        report.error(
            _line(node, "verified_on"),
            "'verified_on' needs 'verified_by': who checked the answers against the sources "
            "(a role or initials)",
        )
        checked = None
    elif checker and not checked:
        report.error(
            _line(node, "verified_by"),
            "'verified_by' needs 'verified_on': the day the answers were checked against the "
            "sources",
        )
    if checked and checked > today:
        report.error(_line(node, "verified_on"), f"'verified_on' {checked} is in the future")
        checked = None
    languages = None
    raw = node.get("verified_languages")
    if raw is not None:
        if not isinstance(raw, list):
            report.error(
                _line(node, "verified_languages"),
                "'verified_languages' must be a list of language codes, like [en, ar]",
            )
        else:
            for i, code in enumerate(raw):
                if code not in LANGUAGES:
                    report.error(
                        _line(raw, i),
                        f"unknown language '{code}' in verified_languages; "
                        f"launch languages: {', '.join(LANGUAGES)}",
                    )
            languages = tuple(c for c in raw if c in LANGUAGES)
    if not (by and on and until):
        return None
    if until < on:
        report.error(_line(node, "expires_on"), "'expires_on' is before 'written_on'")
    if checked and checked < on:
        report.warn(
            _line(node, "verified_on"),
            f"the answers were changed on {on}, after they were checked on {checked}: the "
            "check no longer covers them, so the bot does not say 'Last checked'; check them "
            "against the sources again and update verified_on",
        )
    if until < today:
        report.error(
            _line(node, "expires_on"),
            f"review expired on {until}: check the answers against "
            "the sources again, then update verified_on and expires_on",
        )
    elif (until - today).days <= EXPIRY_WARNING_DAYS:
        report.warn(
            _line(node, "expires_on"),
            f"review expires on {until} (in {(until - today).days} days): plan a new review",
        )
    return Review(by, on, until, checker if checked else None, checked, languages)


def _dated_facts(
    report: _Report,
    data: LineDict,
    today: dt.date,
    written_on: dt.date | None,
    warn_days: int,
    where: str,
) -> tuple[DatedFact, ...]:
    """The dates the content depends on: warn `warn_days` before, fail after."""
    node = data.get("dated_facts")
    if node is None:
        return ()
    if not isinstance(node, LineList):
        report.error(
            _line(data, "dated_facts"),
            "'dated_facts' must be a list of entries with fact, ends_on or starts_on, and source",
        )
        return ()
    facts = []
    for i, item in enumerate(node):
        if not isinstance(item, LineDict):
            report.error(
                node.line_of(i), "a dated fact needs 'fact', 'ends_on' or 'starts_on', and 'source'"
            )
            continue
        _unknown_keys(report, item, DATED_FACT_KEYS, "a dated fact")
        fact = item.get("fact")
        if not isinstance(fact, str) or not fact.strip():
            report.error(
                item.line, "a dated fact needs 'fact': in a few words, what depends on the date"
            )
            continue
        if ("ends_on" in item) == ("starts_on" in item):
            report.error(
                item.line,
                "a dated fact needs exactly one of 'ends_on' (the fact stops being true after "
                "this day) or 'starts_on' (a rule applies from this day)",
            )
            continue
        key = "ends_on" if "ends_on" in item else "starts_on"
        day = _date(report, item, key, "a dated fact")
        source = None
        if item.get("source") is None:
            report.error(
                item.line, "a dated fact needs 'source': the official page that states the date"
            )
        else:
            source = check_url(
                report, _line(item, "source"), item.get("source"), "dated fact source"
            )
        window = item.get("warn_days", warn_days)
        if not isinstance(window, int) or isinstance(window, bool) or window < 0:
            report.error(
                _line(item, "warn_days"), "'warn_days' must be a whole number of days, like 60"
            )
            window = warn_days
        if day is None:
            continue
        entry = DatedFact(
            fact.strip(),
            source,
            ends_on=day if key == "ends_on" else None,
            starts_on=day if key == "starts_on" else None,
            warn_days=item.get("warn_days"),
            line=_line(item, key),
            note=str(item["note"]).strip() if item.get("note") else None,
        )
        facts.append(entry)
        days = entry.days_left(today)
        line = _line(item, key)
        if key == "ends_on":
            if entry.passed(today, written_on):
                report.error(
                    line,
                    f"{where}: '{entry.fact}' ended on {day} ({-days} days ago); the answers that "
                    "depend on it are out of date and not served: rewrite them, then update or "
                    "remove this entry (with the source of any extension)",
                )
            elif days <= window:
                report.warn(
                    line,
                    f"{where}: '{entry.fact}' ends on {day} (in {days} days): check the source "
                    "for an extension and prepare the answers for what comes after",
                )
        elif written_on is None or written_on < day:
            if entry.passed(today, written_on):
                report.error(
                    line,
                    f"{where}: '{entry.fact}' applies since {day}, but the answers were written "
                    + (f"on {written_on}, before it" if written_on else "on an unknown day")
                    + ": rewrite them for the rule in force, then update written_on",
                )
            elif days <= window:
                report.warn(
                    line,
                    f"{where}: '{entry.fact}' applies from {day} (in {days} days): prepare the "
                    "answers for the new rule",
                )
    return tuple(facts)


def _sources(report: _Report, node: Any, where: str) -> tuple[Source, ...]:
    if node is None:
        return ()
    if not isinstance(node, LineList):
        report.error(
            _line(node), f"'sources' in {where} must be a list of entries with name and url"
        )
        return ()
    sources = []
    for i, item in enumerate(node):
        if isinstance(item, LineDict):
            _unknown_keys(report, item, SOURCE_KEYS, "a source")
        if not isinstance(item, LineDict) or "url" not in item:
            report.error(node.line_of(i), "a source needs 'name' and 'url'")
            continue
        url = check_url(report, _line(item, "url"), item.get("url"), "source")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            report.error(item.line, "a source needs a 'name' (the organisation and page title)")
            continue
        if url:
            sources.append(Source(name.strip(), url))
    return tuple(sources)


def _native_review(
    report: _Report, entry: LineDict, where: str
) -> tuple[bool, str | None, dt.date | None]:
    """`native_review`: false, true, or who and when: {reviewed_by: AB, reviewed_on: 2026-12-01}."""
    value = entry.get("native_review", False)
    if isinstance(value, LineDict):
        _unknown_keys(report, value, NATIVE_REVIEW_KEYS, f"'native_review' of {where}")
        by = _reviewer(report, value, "reviewed_by", f"'native_review' of {where}")
        on = _date(report, value, "reviewed_on", f"'native_review' of {where}")
        if by is None:
            report.error(
                value.line,
                f"'native_review' of {where} has no 'reviewed_by': the native speaker's role "
                "or initials",
            )
        return bool(by and on), by, on
    if value not in (True, False, None):
        report.error(
            _line(entry, "native_review"),
            f"'native_review' of {where} must be false, true, or "
            "{reviewed_by: initials, reviewed_on: date}",
        )
        return False, None, None
    return bool(value), None, None


def _topic(
    path: Path,
    data: Any,
    today: dt.date,
    report: _Report,
    warn_days: int = DATED_FACT_WARNING_DAYS,
) -> Topic | None:
    if data is None:
        report.error(
            1,
            "the file is empty: a topic file needs topic, group, sources, review and languages "
            "(copy an existing topic file to start)",
        )
        return None
    if not isinstance(data, LineDict):
        report.error(
            1, "a topic file must be a mapping with topic, group, sources, review and languages"
        )
        return None
    _unknown_keys(report, data, TOPIC_KEYS, "a topic file")
    topic_id = data.get("topic")
    if topic_id not in GROUP_OF:
        guess = difflib.get_close_matches(str(topic_id), TOPICS, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else "; see the topic catalogue for the ids"
        report.error(_line(data, "topic"), f"unknown topic id '{topic_id}'{hint}")
        return None
    if path.stem != topic_id:
        report.error(
            _line(data, "topic"), f"the file of topic '{topic_id}' must be named {topic_id}.yml"
        )
    group = data.get("group", GROUP_OF[topic_id])
    if group != GROUP_OF[topic_id]:
        report.error(
            _line(data, "group"),
            f"topic '{topic_id}' belongs to group '{GROUP_OF[topic_id]}', not '{group}'",
        )
    follow_up = data.get("follow_up") or []
    if not isinstance(follow_up, list):
        report.error(_line(data, "follow_up"), "'follow_up' must be a list of topic ids")
        follow_up = []
    for i, other in enumerate(follow_up):
        if other not in GROUP_OF:
            report.error(_line(follow_up, i), f"unknown topic id '{other}' in follow_up")
    if len(follow_up) > 3:
        report.warn(
            _line(data, "follow_up"),
            f"'follow_up' has {len(follow_up)} topics; only the first 3 are shown as buttons",
        )
    follow_up = [t for t in follow_up if t in GROUP_OF][:3]
    sources = _sources(report, data.get("sources"), f"topic '{topic_id}'")
    if not sources and GROUP_OF[topic_id] != "conversation":
        report.error(
            _line(data, "sources") if "sources" in data else data.line,
            "missing source: add at least one official source (name and https URL)",
        )
    review = None
    if "review" in data:
        review = _review(report, data["review"], today)
    else:
        report.error(
            data.line,
            "missing 'review' (written_by, written_on, expires_on): unreviewed content is not served",
        )
    notes = data.get("needs_verification") or []
    if not isinstance(notes, list):
        notes = [str(notes)]
    if review and review.verified() and notes:
        report.warn(
            _line(data["review"], "verified_on"),
            f"topic '{topic_id}' is marked as verified on {review.verified_on} but still has "
            f"{len(notes)} needs_verification notes: confirm each against its source and delete "
            "the note, or take the unconfirmed fact out of the answers",
        )
    for i, note in enumerate(notes):
        report.unverified(_line(data.get("needs_verification"), i), f"needs verification: {note}")

    translations: dict[str, Translation] = {}
    languages = data.get("languages")
    if not isinstance(languages, LineDict):
        report.error(
            _line(data, "languages") if "languages" in data else data.line,
            "missing 'languages': add one entry per launch language with examples and answer",
        )
        languages = LineDict()
        languages.lines, languages.line = {}, data.line
    for language in LANGUAGES:
        if language not in languages:
            report.error(
                languages.line,
                f"missing language '{language}': add '{language}:' with examples and answer",
            )
    for language, entry in languages.items():
        if language not in LANGUAGES:
            guess = difflib.get_close_matches(
                str(language).strip().lower(), LANGUAGES, n=1, cutoff=0.5
            )
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            report.error(
                _line(languages, language),
                f"unknown language '{language}'; {hint}launch languages: {', '.join(LANGUAGES)}",
            )
            continue
        where = f"{topic_id}/{language}"
        if not isinstance(entry, LineDict):
            report.error(
                _line(languages, language), f"'{language}' must have 'examples' and 'answer'"
            )
            continue
        _unknown_keys(report, entry, LANGUAGE_KEYS, where)
        answer = entry.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            report.error(
                _line(entry, "answer") if "answer" in entry else entry.line,
                f"missing answer for {where}",
            )
            answer = ""
        answer = " ".join(answer.split(" ")).strip()
        if len(answer) > MAX_ANSWER:
            report.error(
                _line(entry, "answer"),
                f"answer of {where} is too long ({len(answer)} characters, "
                f"at most {MAX_ANSWER}): shorten it for a phone screen",
            )
        raw_examples = entry.get("examples") or []
        if not isinstance(raw_examples, list):
            report.error(_line(entry, "examples"), f"'examples' of {where} must be a list")
            raw_examples = []
        examples = []
        for i, ex in enumerate(raw_examples):
            if not isinstance(ex, (str, int, float)) or not str(ex).strip():
                report.error(_line(raw_examples, i), f"empty or malformed example in {where}")
                continue
            examples.append(str(ex).strip())
            report.example_lines[(language, examples[-1])] = _line(raw_examples, i)
        if len(examples) < MIN_EXAMPLES:
            report.warn(
                _line(entry, "examples") if "examples" in entry else entry.line,
                f"{where} has {len(examples)} examples; add at least {MIN_EXAMPLES} so the bot understands this language",
            )
        if not examples and topic_id != "fallback":
            report.error(entry.line, f"{where} has no examples")
        native, native_by, native_on = _native_review(report, entry, where)
        translations[language] = Translation(
            language, tuple(examples), answer, native, native_by, native_on
        )
    facts = _dated_facts(
        report,
        data,
        today,
        review.written_on if review else None,
        warn_days,
        f"topic '{topic_id}'",
    )
    return Topic(
        topic_id,
        GROUP_OF[topic_id],
        tuple(follow_up),
        sources,
        review,
        tuple(map(str, notes)),
        translations,
        path,
        facts,
    )


def _country(
    path: Path,
    data: Any,
    report: _Report,
    today: dt.date | None = None,
    warn_days: int = DATED_FACT_WARNING_DAYS,
) -> Country | None:
    if data is None:
        report.error(
            1,
            "the file is empty: a services file needs country, emergency and services "
            "(copy the file of a similar country to start)",
        )
        return None
    if not isinstance(data, LineDict):
        report.error(1, "a services file must be a mapping with country, emergency and services")
        return None
    _unknown_keys(report, data, COUNTRY_KEYS, "a services file")
    code = str(data.get("country", "")).upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        report.error(
            _line(data, "country"),
            f"'country' must be a two-letter ISO code like IT, not '{data.get('country')}'",
        )
        return None
    if path.stem.upper() != code:
        report.error(
            _line(data, "country"), f"the services of {code} must be in {code.lower()}.yml"
        )
    today = today or dt.date.today()
    written_on = None
    if data.get("written_on") is not None:
        written_on = _date(report, data, "written_on", f"the {code} services file")
    emergency = data.get("emergency")
    number, others = None, []
    emergency_checked: dt.date | None = None
    unsure = True
    if not isinstance(emergency, LineDict):
        report.error(
            data.line, f"{code} has no 'emergency' number: add emergency.number with its source"
        )
    else:
        _unknown_keys(report, emergency, EMERGENCY_KEYS, f"the {code} emergency block")
        unsure = bool(emergency.get("needs_verification"))
        if emergency.get("number") is None and unsure:
            number = None  # left out on purpose until verified: the bot then says "the local emergency number"
        else:
            number = check_phone(
                report, _line(emergency, "number"), emergency.get("number"), f"{code} emergency"
            )
        if unsure:
            report.unverified(
                emergency.line,
                f"needs verification: {code} emergency number "
                f"{emergency.get('number') or '(left empty)'}"
                + (f" ({emergency.get('note')})" if emergency.get("note") else ""),
            )
        if emergency.get("source") is None:
            if number and not unsure:
                report.error(
                    emergency.line,
                    f"{code} emergency number has no 'source': the official page that states it",
                )
        else:
            check_url(
                report,
                _line(emergency, "source"),
                emergency.get("source"),
                f"{code} emergency source",
            )
        if emergency.get("verified_on") is not None:
            emergency_checked = _date(report, emergency, "verified_on", f"{code} emergency")
        elif number and not unsure:
            report.warn(
                emergency.line,
                f"{code} emergency number is marked as confirmed but has no 'verified_on': "
                "write the day it was checked; until then it is shown as not yet confirmed",
            )
        for item in emergency.get("other_numbers") or []:
            if isinstance(item, LineDict):
                _unknown_keys(report, item, NUMBER_KEYS, f"a {code} emergency number")
                n = check_phone(
                    report, _line(item, "number"), item.get("number"), f"{code} {item.get('name')}"
                )
                if n:  # checked together with the emergency block they are listed in
                    others.append(
                        PhoneNumber(str(item.get("name", "")), n, emergency_checked, unsure)
                    )
    sea = None
    if isinstance(data.get("sea_rescue"), LineDict):
        node = data["sea_rescue"]
        _unknown_keys(report, node, SEA_RESCUE_KEYS, f"the {code} sea_rescue block")
        n = check_phone(report, _line(node, "number"), node.get("number"), f"{code} sea rescue")
        if node.get("needs_verification"):
            report.unverified(
                node.line, f"needs verification: {code} sea rescue number {node.get('number')}"
            )
        if node.get("source") is not None:
            check_url(
                report, _line(node, "source"), node.get("source"), f"{code} sea rescue source"
            )
        sea_checked = None
        if node.get("verified_on") is not None:
            sea_checked = _date(report, node, "verified_on", f"{code} sea rescue")
        if n:
            sea = PhoneNumber(
                str(node.get("name", "")), n, sea_checked, bool(node.get("needs_verification"))
            )
    services = []
    raw = data.get("services") or []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, LineDict):
            report.error(
                _line(raw, i),
                "a service must be a mapping with kind, name, url, source, verified_on",
            )
            continue
        _unknown_keys(report, item, SERVICE_KEYS, f"a {code} service")
        kind = item.get("kind")
        if kind not in SERVICE_KINDS:
            report.error(
                _line(item, "kind"),
                f"unknown service kind '{kind}'; use one of {', '.join(SERVICE_KINDS)}",
            )
            continue
        url = (
            check_url(report, _line(item, "url"), item["url"], f"{code} {kind}")
            if item.get("url")
            else None
        )
        phone = (
            check_phone(report, _line(item, "phone"), item["phone"], f"{code} {kind}")
            if item.get("phone")
            else None
        )
        source = (
            check_url(report, _line(item, "source"), item.get("source"), f"{code} {kind} source")
            if "source" in item
            else None
        )
        if "source" not in item:
            report.error(
                item.line, f"{code} {kind} has no 'source': the page where this was checked"
            )
        verified = (
            None
            if (item.get("verified_on") is None and item.get("needs_verification"))
            else _date(report, item, "verified_on", f"{code} {kind}")
        )
        if item.get("needs_verification"):
            report.unverified(
                item.line,
                f"needs verification: {code} {kind} '{item.get('name')}'"
                + (f" ({item.get('note')})" if item.get("note") else ""),
            )
        if not url and not phone:
            report.error(item.line, f"{code} {kind} needs a url or a phone")
            continue
        services.append(
            Service(
                kind,
                str(item.get("name", kind)),
                url,
                phone,
                source,
                verified,
                bool(item.get("needs_verification")),
                item.get("note"),
            )
        )
    kinds = {s.kind for s in services}
    for kind in REQUIRED_SERVICE_KINDS:
        if kind not in kinds:
            report.error(
                _line(data, "services") if "services" in data else data.line,
                f"{code} has no '{kind}' service",
            )
    aliases = tuple(str(a).casefold() for a in (data.get("aliases") or []))
    facts = _dated_facts(report, data, today, written_on, warn_days, f"{code} services")
    return Country(
        code,
        aliases,
        number,
        tuple(others),
        sea,
        tuple(services),
        path,
        emergency_verified_on=emergency_checked,
        emergency_needs_verification=unsure,
        written_on=written_on,
        dated_facts=facts,
    )


def _read(path: Path, report: _Report) -> Any:
    """The parsed file, with duplicate keys reported; None (reported) if it is not YAML."""
    try:
        data = read_yaml(path)
    except YamlError as exc:
        report.error(exc.line, exc.message)
        return _BROKEN
    for line, message in duplicate_keys(data):
        report.error(line, message)
    return data


_BROKEN = object()


def load(
    root: Path, today: dt.date | None = None, warn_days: int = DATED_FACT_WARNING_DAYS
) -> tuple[Content, list[Problem]]:
    """Load content/ from `root`; return what loaded and every problem found.

    `warn_days`: how many days before a dated fact's day the check starts to warn.
    """
    today = today or dt.date.today()
    content = Content(root=root)
    problems: list[Problem] = []
    topic_dir = root / "topics"
    seen_examples: dict[str, tuple[str, Path, int]] = {}
    for path in sorted(topic_dir.glob("*.y*ml")):
        report = _Report(path)
        data = _read(path, report)
        topic = None if data is _BROKEN else _topic(path, data, today, report, warn_days)
        if topic is not None:
            if topic.id in content.topics:
                report.error(
                    1,
                    f"topic '{topic.id}' is defined twice (also in {content.topics[topic.id].path})",
                )
            else:
                content.topics[topic.id] = topic
                for language, tr in topic.translations.items():
                    for ex in tr.examples:
                        key = normalise_example(ex)
                        other = seen_examples.get(key)
                        line = report.example_lines.get((language, ex), 1)
                        if other and other[0] != topic.id:
                            report.error(
                                line,
                                f"the example '{ex}' ({language}) is also under topic '{other[0]}' "
                                f"({other[1].name} line {other[2]}); keep it under one topic only",
                            )
                        else:
                            seen_examples[key] = (topic.id, path, line)
        problems += report.problems
    for topic_id in TOPICS:
        if topic_id not in content.topics and not any(
            p.path.stem == topic_id and p.severity == "error" for p in problems
        ):
            problems.append(
                Problem(
                    topic_dir / f"{topic_id}.yml",
                    1,
                    f"missing topic '{topic_id}': create this file",
                )
            )
    for path in sorted((root / "services").glob("*.y*ml")):
        report = _Report(path)
        data = _read(path, report)
        country = None if data is _BROKEN else _country(path, data, report, today, warn_days)
        if country is not None:
            content.countries[country.code] = country
        problems += report.problems
    return content, problems
