"""Checks of content/safety/ files for `masar content check`, each problem with its line.

The safety files decide what the bot does in the worst moments, so they are checked like the
topics: a review block, every launch language present, every pattern a valid regular
expression that does not match every message, and the structure the bot expects.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..content.catalogue import LANGUAGES
from ..content.loader import Problem, _Report, _review
from ..content.yamlio import LineDict, LineList, YamlError, read_yaml
from .emergency import TOPICS as EMERGENCY_TOPICS
from .offers import ANY
from .text import compile_pattern
from .trafficking import TOPICS as PROTECTION_TOPICS


def check_safety_files(content_dir: Path, today: dt.date | None = None) -> list[Problem]:
    problems: list[Problem] = []
    today = today or dt.date.today()
    for path in sorted((content_dir / "safety").glob("*.y*ml")):
        report = _Report(path)
        try:
            data = read_yaml(path)
        except YamlError as exc:
            problems.append(Problem(path, exc.line, exc.message))
            continue
        if not isinstance(data, LineDict):
            problems.append(Problem(path, 1, "a safety file must be a mapping with a review block"))
            continue
        if "review" in data:
            _review(report, data["review"], today)
        else:
            report.error(
                1,
                "missing 'review' (written_by, written_on, expires_on): safety patterns are "
                "reviewed like all content",
            )
        for i, note in enumerate(data.get("needs_verification") or []):
            report.unverified(
                _line(data.get("needs_verification"), i), f"needs verification: {note}"
            )
        check = {
            "emergency": _check_emergency,
            "offer_flags": _check_offer_flags,
            "trafficking": _check_trafficking,
            "emergency_examples": _check_emergency_examples,
        }.get(path.stem, _check_any)
        check(report, data)
        problems += report.problems
    return problems


def _line(node, key=None) -> int:
    if isinstance(node, (LineDict, LineList)):
        return node.line_of(key) if key is not None else node.line
    return 1


def _patterns(report: _Report, node, where: str) -> None:
    """A list of regular expressions: each valid, and none matching an empty message."""
    if not isinstance(node, list) or not node:
        report.error(
            _line(node),
            f"{where} must be a non-empty list of patterns, one per line starting with '- '",
        )
        return
    for i, item in enumerate(node):
        line = _line(node, i)
        if not isinstance(item, str) or not item.strip():
            report.error(line, f"empty or malformed pattern in {where}; write it in single quotes")
            continue
        try:
            rx = compile_pattern(item)
        except re.error as exc:
            report.error(
                line,
                f"invalid pattern in {where}: '{item}': {exc}; check brackets and escape "
                "special characters such as ( ) [ ] ? + * with a backslash",
            )
            continue
        if rx.search("") or rx.search("   "):
            report.error(
                line, f"the pattern '{item}' in {where} matches every message; make a word required"
            )


def _by_language(
    report: _Report, node, where: str, extra: tuple[str, ...] = (), required: bool = True
) -> None:
    """A mapping from launch language to patterns; with `required`, every launch language."""
    if not isinstance(node, LineDict):
        report.error(
            _line(node), f"{where} must have one entry per language ({', '.join(LANGUAGES)})"
        )
        return
    for language, items in node.items():
        if language not in LANGUAGES and language not in extra:
            report.error(
                node.line_of(language),
                f"unknown language '{language}' in {where}; launch languages: "
                f"{', '.join(LANGUAGES)}",
            )
            continue
        _patterns(report, items, f"{where}/{language}")
    if required:
        for language in LANGUAGES:
            if language not in node:
                report.error(
                    node.line,
                    f"{where} has no patterns for '{language}': add '{language}:' with at "
                    "least one pattern",
                )


def _check_emergency(report: _Report, data: LineDict) -> None:
    topics = data.get("topics")
    if not isinstance(topics, LineDict):
        report.error(
            _line(data, "topics") if "topics" in data else 1,
            f"missing 'topics' with {' and '.join(EMERGENCY_TOPICS)}",
        )
        return
    for topic in EMERGENCY_TOPICS:
        if topic not in topics:
            report.error(topics.line, f"missing '{topic}' under topics")
    for topic, node in topics.items():
        if topic not in EMERGENCY_TOPICS:
            report.error(
                topics.line_of(topic),
                f"unknown emergency topic '{topic}'; use {' or '.join(EMERGENCY_TOPICS)}",
            )
            continue
        _by_language(report, node, f"topics/{topic}")
    if data.get("not_emergency"):
        _by_language(report, data["not_emergency"], "not_emergency", required=False)


EXAMPLE_KINDS = (*EMERGENCY_TOPICS, "not_emergency")


def _check_emergency_examples(report: _Report, data: LineDict) -> None:
    """The model layer's examples: per language (or `<language>-latn`), lists of messages."""
    examples = data.get("examples")
    if not isinstance(examples, LineDict) or not examples:
        report.error(
            _line(data, "examples") if "examples" in data else 1,
            f"missing 'examples': per language, lists under {', '.join(EXAMPLE_KINDS)}",
        )
        return
    for language, kinds in examples.items():
        base = str(language).removesuffix("-latn")
        if base not in LANGUAGES:
            report.error(
                examples.line_of(language),
                f"unknown language '{language}' in examples; use a launch language, or "
                "'<language>-latn' for Latin letters (ar-latn)",
            )
            continue
        if not isinstance(kinds, LineDict):
            report.error(examples.line_of(language), f"examples/{language} must be a mapping")
            continue
        for kind, items in kinds.items():
            if kind not in EXAMPLE_KINDS:
                report.error(
                    kinds.line_of(kind),
                    f"unknown kind '{kind}' in examples/{language}; use {', '.join(EXAMPLE_KINDS)}",
                )
            elif not isinstance(items, list) or not all(
                isinstance(i, str) and i.strip() for i in items
            ):
                report.error(
                    kinds.line_of(kind), f"examples/{language}/{kind} must be a list of messages"
                )
    for language in LANGUAGES:
        if language not in examples:
            report.warn(examples.line, f"no emergency examples in '{language}' yet")


def _explanations(report: _Report, node, where: str) -> None:
    if not isinstance(node, LineDict):
        report.error(_line(node), f"{where} must have one short explanation per language")
        return
    for language in LANGUAGES:
        text = node.get(language)
        if not isinstance(text, str) or not text.strip():
            report.error(
                node.line_of(language) if language in node else node.line,
                f"{where} has no explanation in '{language}'",
            )
        elif len(text) > 400:
            report.warn(
                node.line_of(language),
                f"{where}/{language} is long ({len(text)} characters); keep it "
                "under 400 so the whole check fits on a phone screen",
            )
    for language in node:
        if language not in LANGUAGES:
            report.error(node.line_of(language), f"unknown language '{language}' in {where}")


def _check_offer_flags(report: _Report, data: LineDict) -> None:
    flags = data.get("flags")
    if not isinstance(flags, LineList) or not flags:
        report.error(
            _line(data, "flags") if "flags" in data else 1, "missing 'flags': a list of red flags"
        )
        return
    seen: set[str] = set()
    for i, flag in enumerate(flags):
        if not isinstance(flag, LineDict):
            report.error(flags.line_of(i), "a flag needs id, serious, explanation and patterns")
            continue
        flag_id = flag.get("id")
        if not isinstance(flag_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", flag_id):
            report.error(flag.line, f"flag id '{flag_id}' must be lower case letters, digits and _")
            flag_id = f"flag {i + 1}"
        elif flag_id in seen:
            report.error(flag.line_of("id"), f"flag id '{flag_id}' is used twice")
        seen.add(flag_id)
        if not isinstance(flag.get("serious"), bool):
            report.error(
                flag.line_of("serious") if "serious" in flag else flag.line,
                f"flag '{flag_id}' needs 'serious: true' or 'serious: false' (true makes the risk high)",
            )
        _explanations(report, flag.get("explanation"), f"flag '{flag_id}' explanation")
        _by_language(report, flag.get("patterns"), f"flag '{flag_id}' patterns", extra=(ANY,))
    if data.get("ignore"):
        _by_language(report, data["ignore"], "ignore", required=False)


def _check_trafficking(report: _Report, data: LineDict) -> None:
    signs = data.get("signs")
    if not isinstance(signs, LineList) or not signs:
        report.error(
            _line(data, "signs") if "signs" in data else 1, "missing 'signs': a list of signs"
        )
        return
    for i, sign in enumerate(signs):
        if not isinstance(sign, LineDict):
            report.error(signs.line_of(i), "a sign needs id, topic and patterns")
            continue
        sign_id = sign.get("id") or f"sign {i + 1}"
        if sign.get("topic") not in PROTECTION_TOPICS:
            report.error(
                sign.line_of("topic") if "topic" in sign else sign.line,
                f"sign '{sign_id}' needs 'topic: {PROTECTION_TOPICS[0]}' or 'topic: {PROTECTION_TOPICS[1]}'",
            )
        _by_language(report, sign.get("patterns"), f"sign '{sign_id}' patterns")
        if "unless" in sign:
            _patterns(report, sign["unless"], f"sign '{sign_id}' unless")


def _check_any(report: _Report, node) -> None:
    """Other safety files: every list under a `patterns`-like key must hold valid patterns."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("review", "needs_verification"):
                continue
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                _patterns(report, value, str(key))
            else:
                _check_any(report, value)
    elif isinstance(node, list):
        for item in node:
            _check_any(report, item)
