"""The conversation test format: what evaluators write in tests/conversations/*.yml.

Evaluators are NGO staff and researchers, not programmers. A conversation is one YAML file:
a list of turns (something the user writes, a button the user presses, or a command) and
what Masar must do after each. The same conversation is declared once and run in every
language it lists, with the user's words given per language, so a missing or wrong
translation shows up as one failing language instead of going unnoticed.

Every mistake in a file is reported as `file:line: what is wrong, and how to fix it`, like
`masar content check` does for content.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.catalogue import GROUPS, LANGUAGES, TOPICS
from ..content.loader import Problem
from ..content.yamlio import LineDict, LineList, YamlError, read_yaml

EVERY = "all"  # the key that means "in every language" in per-language texts and word lists

CONVERSATION_KEYS = (
    "conversation",
    "description",
    "group",
    "languages",
    "expect_throughout",
    "turns",
)
TURN_KINDS = ("user", "press", "command")
EXPECT_KEYS = (
    "topic",
    "language",
    "contains",
    "not_contains",
    "buttons_include",
    "contains_link",
    "emergency_number_first",
    "source_and_date",
)
THROUGHOUT_KEYS = ("same_language", "no_personal_data")


@dataclass(frozen=True)
class Expect:
    """What Masar's answer to one turn must look like; None/empty means "not checked"."""

    topic: tuple[str, ...] = ()
    language: str | None = None  # "same" (the conversation's language) or a code
    contains: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language or "all" -> words
    not_contains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    buttons_include: tuple[str, ...] = ()  # topic ids or payloads
    contains_link: bool = False
    emergency_number_first: bool | str = False  # True, or the number that must come first ("112")
    source_and_date: bool = False


@dataclass(frozen=True)
class Turn:
    """One thing the user does: writes a message, presses a button, or types a command."""

    kind: str  # user | press | command
    texts: dict[str, str]  # language or "all" -> text (for press: the button)
    expect: Expect
    line: int

    def text_for(self, language: str) -> str | None:
        text = self.texts.get(language, self.texts.get(EVERY))
        return text.replace("{language}", language) if text is not None else None


@dataclass(frozen=True)
class Conversation:
    """One scripted dialogue, run once per language."""

    name: str
    description: str
    group: str | None
    languages: tuple[str, ...]
    turns: tuple[Turn, ...]
    same_language: bool = False
    no_personal_data: bool = False
    personal_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: Path | None = None
    line: int = 1

    @property
    def where(self) -> str:
        return f"{shown(self.path)}:{self.line}" if self.path else self.name


def shown(path: Path | None) -> str:
    """A file's path as evaluators type it: relative to the current folder when it is inside it."""
    if path is None:
        return ""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def problem_line(problem: Problem) -> str:
    return f"{shown(problem.path)}:{problem.line}: {problem.message}"


def words_for(words: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    """The words that apply in one language: those for every language, then its own."""
    return words.get(EVERY, ()) + words.get(language, ())


class _File:
    """Collects the problems of one file while it is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def unknown_keys(self, mapping: LineDict, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
                self.error(mapping.line_of(key), f"unknown key '{key}' in {where}; {hint}")

    def language(self, code: Any, line: int) -> bool:
        if code in LANGUAGES or code == EVERY:
            return True
        self.error(
            line,
            f"'{code}' is not a launch language; use one of {', '.join(LANGUAGES)} (or '{EVERY}')",
        )
        return False

    def texts(self, value: Any, line: int, what: str) -> dict[str, str]:
        """A text for every language ("112") or one per language ({en: ..., ar: ...})."""
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return {EVERY: str(value)}
        if isinstance(value, LineDict) and value:
            out = {}
            for code, text in value.items():
                at = value.line_of(code)
                if self.language(code, at):
                    if (
                        isinstance(text, (str, int))
                        and not isinstance(text, bool)
                        and str(text).strip()
                    ):
                        out[code] = str(text)
                    else:
                        self.error(at, f"{what} in '{code}' must be a text")
            return out
        self.error(
            line, f"{what} must be a text, or one text per language like `en: ...` on its own line"
        )
        return {}

    def words(self, value: Any, line: int, what: str) -> dict[str, tuple[str, ...]]:
        """Words for every language ("112" or [a, b]) or per language ({ar: [...], all: [...]})."""

        def as_list(v: Any, at: int, code: str) -> tuple[str, ...]:
            items = v if isinstance(v, list) else [v]
            good = tuple(
                str(x)
                for x in items
                if isinstance(x, (str, int)) and not isinstance(x, bool) and str(x).strip()
            )
            if len(good) != len(items) or not good:
                self.error(
                    at, f'{what} ({code}) must be a word or a list of words, like ["112", UNHCR]'
                )
            return good

        if isinstance(value, LineDict):
            out = {}
            for code, v in value.items():
                if self.language(code, value.line_of(code)):
                    out[code] = as_list(v, value.line_of(code), code)
            return out
        return {EVERY: as_list(value, line, EVERY)}

    def flag(self, value: Any, line: int, what: str) -> bool:
        if isinstance(value, bool):
            return value
        self.error(line, f"{what} must be true or false")
        return False


def _expect(f: _File, raw: Any, line: int) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, LineDict):
        f.error(
            line, "`expect` must be a list of checks, like `topic: asylum_basics` on the next lines"
        )
        return Expect()
    f.unknown_keys(raw, EXPECT_KEYS, "expect")
    at = raw.line_of
    topics: tuple[str, ...] = ()
    if "topic" in raw:
        value = raw["topic"]
        topics = tuple(str(t) for t in (value if isinstance(value, list) else [value]))
        for t in topics:
            if t not in TOPICS:
                close = difflib.get_close_matches(t, TOPICS, n=1)
                hint = f"did you mean '{close[0]}'?" if close else "see the topic list in README"
                f.error(at("topic"), f"unknown topic '{t}'; {hint}")
    language = raw.get("language")
    if language is not None and language != "same" and language not in LANGUAGES:
        f.error(
            at("language"), f"language must be 'same' or a launch language ({', '.join(LANGUAGES)})"
        )
        language = None
    buttons: tuple[str, ...] = ()
    if "buttons_include" in raw:
        value = raw["buttons_include"]
        buttons = tuple(str(b) for b in (value if isinstance(value, list) else [value]))
        for b in buttons:
            if not b.startswith("/") and b not in TOPICS:
                f.error(
                    at("buttons_include"),
                    f"button '{b}' is neither a topic id nor a payload starting with '/'",
                )
    number = raw.get("emergency_number_first", False)
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    elif not isinstance(number, (bool, str)):
        f.error(
            at("emergency_number_first"),
            'emergency_number_first must be true or a number such as "112"',
        )
        number = False
    return Expect(
        topic=topics,
        language=language,
        contains=f.words(raw["contains"], at("contains"), "contains") if "contains" in raw else {},
        not_contains=f.words(raw["not_contains"], at("not_contains"), "not_contains")
        if "not_contains" in raw
        else {},
        buttons_include=buttons,
        contains_link=f.flag(raw.get("contains_link", False), at("contains_link"), "contains_link"),
        emergency_number_first=number,
        source_and_date=f.flag(
            raw.get("source_and_date", False), at("source_and_date"), "source_and_date"
        ),
    )


def _turn(f: _File, raw: Any, line: int, number: int) -> Turn | None:
    if not isinstance(raw, LineDict):
        f.error(line, f"turn {number} must start with `user:`, `press:` or `command:`")
        return None
    f.unknown_keys(raw, (*TURN_KINDS, "expect"), f"turn {number}")
    kinds = [k for k in TURN_KINDS if k in raw]
    if len(kinds) != 1:
        f.error(
            line,
            f"turn {number} needs exactly one of `user:`, `press:` or `command:` (found {len(kinds)})",
        )
        return None
    kind = kinds[0]
    texts = f.texts(raw[kind], raw.line_of(kind), f"`{kind}`")
    if kind == "press":
        for button in texts.values():
            if not button.startswith("/") and button not in TOPICS:
                f.error(
                    raw.line_of(kind),
                    f"`press: {button}`: name a topic id (e.g. legal_aid) or a payload such "
                    f"as /menu",
                )
    if kind == "command":
        for command in texts.values():
            if not command.startswith("/"):
                f.error(
                    raw.line_of(kind), f"`command: {command}` must start with '/', e.g. /emergency"
                )
    return Turn(kind, texts, _expect(f, raw.get("expect"), raw.line_of("expect")), line)


def read_conversation(path: Path) -> tuple[Conversation | None, list[Problem]]:
    """One conversation file; None (and the problems) if it cannot be run as written."""
    f = _File(path)
    try:
        raw = read_yaml(path)
    except YamlError as exc:
        return None, [Problem(path, exc.line, exc.message)]
    if not isinstance(raw, LineDict):
        f.error(
            1, "a conversation file starts with `conversation: <name>` and has a list of `turns:`"
        )
        return None, f.problems
    f.unknown_keys(raw, CONVERSATION_KEYS, "the conversation")
    name = str(raw.get("conversation") or path.stem)
    group = raw.get("group")
    if group is not None and group not in GROUPS:
        f.error(raw.line_of("group"), f"group must be one of {', '.join(GROUPS)}")
    languages = raw.get("languages", EVERY)
    if languages == EVERY:
        languages = list(LANGUAGES)
    elif isinstance(languages, str):
        languages = [languages]
    if not isinstance(languages, list) or not languages:
        f.error(
            raw.line_of("languages"), f"languages must be `{EVERY}` or a list such as [en, ar, fa]"
        )
        languages = []
    languages = tuple(
        code for code in languages if f.language(code, raw.line_of("languages")) and code != EVERY
    )

    throughout = raw.get("expect_throughout")
    same_language, private, personal = False, False, {}
    if throughout is None:
        pass
    elif isinstance(throughout, LineDict):
        f.unknown_keys(throughout, THROUGHOUT_KEYS, "expect_throughout")
        if "same_language" in throughout:
            same_language = f.flag(
                throughout["same_language"], throughout.line_of("same_language"), "same_language"
            )
        value = throughout.get("no_personal_data", False)
        if isinstance(value, bool):
            private = value
        else:  # names (or other words) the user gives that Masar must never repeat
            private = True
            personal = f.words(value, throughout.line_of("no_personal_data"), "no_personal_data")
    else:
        f.error(
            raw.line_of("expect_throughout"),
            "expect_throughout must list checks such as `same_language: true`",
        )

    raw_turns = raw.get("turns")
    turns: list[Turn] = []
    if not isinstance(raw_turns, list) or not raw_turns:
        f.error(
            raw.line_of("turns") if "turns" in raw else 1,
            "a conversation needs `turns:`, a list of at least one turn",
        )
    else:
        for i, item in enumerate(raw_turns):
            turn = _turn(
                f, item, raw_turns.line_of(i) if isinstance(raw_turns, LineList) else 1, i + 1
            )
            if turn:
                turns.append(turn)
    if f.problems:
        return None, f.problems
    return Conversation(
        name,
        str(raw.get("description") or ""),
        group,
        languages,
        tuple(turns),
        same_language,
        private,
        personal,
        path,
        raw.line,
    ), []


def load_conversations(directory: Path) -> tuple[list[Conversation], list[Problem]]:
    """Every conversation in a folder (sorted by file name), and the problems of the rest."""
    directory = Path(directory)
    conversations: list[Conversation] = []
    problems: list[Problem] = []
    if not directory.is_dir():
        return [], [Problem(directory, 0, "no such folder of conversation tests")]
    seen: dict[str, Path] = {}
    for path in sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")]):
        conversation, found = read_conversation(path)
        problems += found
        if conversation is None:
            continue
        if conversation.name in seen:
            problems.append(
                Problem(
                    path,
                    conversation.line,
                    f"conversation name '{conversation.name}' is also used "
                    f"in {seen[conversation.name].name}; names must be unique",
                )
            )
            continue
        seen[conversation.name] = path
        conversations.append(conversation)
    return conversations, problems
