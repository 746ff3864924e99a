"""Run a conversation through the real engine, in one language, and check every answer.

The messages take exactly the path of `masar chat` and `masar ask`: `masar.handle(Incoming(...))`
(bot/masar.py: the engine with its layers) with the real trained model, the real dialogue rules and the real content. Each conversation
in each language is a new user (fresh id), so no run can influence another, and that user's
conversation is forgotten afterwards.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..answers import not_checked
from ..i18n import _
from ..messages import Answer, Incoming
from .conversations import Conversation, Turn, shown, words_for

CHANNEL = "test"
# Direction marks and isolates that right-to-left answers carry; invisible, so never part of a word.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_LINK = re.compile(r"https://[^\s<>\"\u2068\u2069]+")
_PHONE_NUMBER = re.compile(r"\+?\d[\d \-]*\d")
_USER_PHONE = re.compile(r"\+?\d[\d \-().]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def plain(text: str) -> str:
    """Text as a reader sees it: without invisible direction marks, in canonical Unicode form."""
    return unicodedata.normalize("NFC", text.translate(_BIDI_CONTROLS))


def _folded(text: str) -> str:
    return " ".join(plain(text).casefold().split())


def _folded_lines(text: str) -> list[str]:
    return [_folded(line) for line in plain(text).split("\n")]


@dataclass
class Check:
    """One expectation and what actually happened."""

    name: str
    expected: str
    got: str
    passed: bool


@dataclass
class Step:
    """One turn as it happened: what was sent, what Masar answered, and the checks."""

    number: int
    turn: Turn
    sent: str | None
    answer: Answer | None
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def reply_text(self) -> str:
        return "\n\n".join(r.text for r in self.answer.replies) if self.answer else ""

    @property
    def payloads(self) -> list[str]:
        return [b.payload for r in self.answer.replies for b in r.buttons] if self.answer else []


@dataclass
class Result:
    """One conversation in one language."""

    conversation: Conversation
    language: str
    steps: list[Step] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(s.passed for s in self.steps)

    @property
    def name(self) -> str:
        return self.conversation.name

    def failures(self) -> list[str]:
        """Every failed check as one readable line, with the file and line of its turn."""
        out = []
        path = shown(self.conversation.path)
        for step in self.steps:
            where = f"{path}:{step.turn.line}" if path else f"turn {step.number}"
            for c in step.checks:
                if not c.passed:
                    out.append(
                        f"{where}: turn {step.number} ({self.language}): {c.name}: expected {c.expected}; "
                        f"got {c.got}"
                    )
        return out

    def topic_pairs(self) -> list[tuple[str, str]]:
        """(expected topic, answered topic) for every turn that names a topic."""
        pairs = []
        for step in self.steps:
            wanted = step.turn.expect.topic
            if wanted and step.answer:
                got = step.answer.topic
                pairs.append((got if got in wanted else wanted[0], got))
        return pairs


class Checker:
    """Checks answers against expectations; knows which links are official (from content/)."""

    def __init__(self, official_links: Iterable[str]) -> None:
        self.official = {self._link_key(u) for u in official_links if u}

    @staticmethod
    def _link_key(url: str) -> str:
        return url.rstrip(".,;:)»”'\"").rstrip("/").lower()

    @classmethod
    def for_engine(cls, engine) -> Checker:
        content = engine.content
        links = [s.url for t in content.topics.values() for s in t.sources]
        for country in content.countries.values():
            links += [s.url for s in country.services] + [s.source for s in country.services]
        return cls(links)

    def links(self, text: str) -> list[str]:
        return [m.group(0).rstrip(".,;:)»”'\"") for m in _LINK.finditer(plain(text))]

    def answer(self, turn: Turn, answer: Answer, language: str, same_language: bool) -> list[Check]:
        """Every check the turn asks for (and the language, when it must never switch)."""
        expect = turn.expect
        text = "\n\n".join(r.text for r in answer.replies)
        folded = _folded(text)
        payloads = [b.payload for r in answer.replies for b in r.buttons]
        checks: list[Check] = []
        if expect.topic:
            checks.append(
                Check(
                    "topic", " or ".join(expect.topic), answer.topic, answer.topic in expect.topic
                )
            )
        wanted = expect.language or ("same" if same_language else None)
        if wanted:
            code = language if wanted == "same" else wanted
            checks.append(Check("language", code, answer.language, answer.language == code))
        for word in words_for(expect.contains, language):
            found = _folded(word) in folded
            checks.append(
                Check("contains", f"«{word}»", "found" if found else "not in the answer", found)
            )
        for word in words_for(expect.not_contains, language):
            found = _folded(word) in folded
            checks.append(
                Check(
                    "does not contain",
                    f"«{word}»",
                    "found in the answer" if found else "absent",
                    not found,
                )
            )
        if expect.buttons_include:
            buttons = [
                (b if b.startswith("/") else f"/{b}").replace("{language}", language)
                for b in expect.buttons_include
            ]
            missing = [p for p in buttons if p not in payloads]
            got = (
                "all offered"
                if not missing
                else f"missing {' '.join(missing)}; offered: {' '.join(payloads) or 'none'}"
            )
            checks.append(Check("buttons", " ".join(buttons), got, not missing))
        if expect.contains_link or expect.source_and_date:
            links = self.links(text)
            unofficial = [u for u in links if self._link_key(u) not in self.official]
            ok = bool(links) and not unofficial
            got = (
                "no link"
                if not links
                else (
                    "not an official source: " + " ".join(unofficial)
                    if unofficial
                    else " ".join(links[:3])
                )
            )
            checks.append(
                Check(
                    "official link", "an https link from the official sources in content/", got, ok
                )
            )
        if expect.source_and_date:
            # verified content says when it was checked; the rest says it has not been yet
            label = _folded(last_checked_label(language))
            lines = [line for line in _folded_lines(text) if label in line]
            dated = any(re.search(r"\d", line.replace(label, "")) for line in lines)
            honest = _folded(not_checked(language)) in _folded(plain(text))
            got = (
                "found"
                if dated
                else "the notice that it is not yet checked"
                if honest
                else ("the line has no date" if lines else "no review date line")
            )
            checks.append(
                Check(
                    "last checked",
                    f"«{last_checked_label(language)}» and a date, or «{not_checked(language)}»",
                    got,
                    dated or honest,
                )
            )
        if expect.emergency_number_first:
            first = plain(answer.replies[0].text).strip().split("\n")[0] if answer.replies else ""
            if isinstance(expect.emergency_number_first, str):
                ok = expect.emergency_number_first in first
                wanted_number = expect.emergency_number_first
            else:
                ok = any(len(re.sub(r"\D", "", m)) >= 3 for m in _PHONE_NUMBER.findall(first))
                wanted_number = "a phone number"
            checks.append(
                Check(
                    "emergency number first", f"{wanted_number} on the first line", f"«{first}»", ok
                )
            )
        return checks


def last_checked_label(language: str) -> str:
    """The words of the "Last checked: <date>" line in one language, without the date."""
    template = _(language, "Last checked: {date}")
    parts = [p.strip(" :：،") for p in template.split("{date}")]
    return max(parts, key=len)


def personal_data(text: str, words: tuple[str, ...]) -> list[str]:
    """Phone numbers, e-mail addresses and the listed names that a user's message contains."""
    found = [m.strip() for m in _USER_PHONE.findall(text) if len(re.sub(r"\D", "", m)) >= 7]
    found += _EMAIL.findall(text)
    found += [w for w in words if _folded(w) in _folded(text)]
    return found


def _echoed(item: str, reply: str) -> bool:
    digits = re.sub(r"\D", "", item)
    if "@" not in item and len(digits) >= 7:
        return digits in re.sub(r"[\s\-().+]", "", plain(reply))
    return _folded(item) in _folded(reply)


async def run(
    engine, conversation: Conversation, language: str, checker: Checker | None = None
) -> Result:
    """Play one conversation in one language as a new user and check every answer."""
    checker = checker or Checker.for_engine(engine)
    user = f"evaluation-{uuid.uuid4().hex[:12]}"
    result = Result(conversation, language)
    previous: Answer | None = None
    given: list[str] = []  # personal data the user has given so far
    try:
        for number, turn in enumerate(conversation.turns, start=1):
            text = turn.text_for(language)
            step = Step(number, turn, text, None)
            result.steps.append(step)
            if text is None:
                step.checks.append(
                    Check(
                        "translation",
                        f"the user's words in '{language}'",
                        f"none in the file (only: {', '.join(turn.texts)})",
                        False,
                    )
                )
                continue
            if turn.kind == "press":
                text = text if text.startswith("/") else f"/{text}"
                step.sent = text
                offered = (
                    [b.payload for r in previous.replies for b in r.buttons] if previous else []
                )
                if text not in offered:
                    step.checks.append(
                        Check(
                            "button to press",
                            f"{text} among the last answer's buttons",
                            " ".join(offered) or "no buttons",
                            False,
                        )
                    )
            answer = await engine.handle(Incoming(user, text, channel=CHANNEL))
            step.answer = answer
            if not answer.replies or not any(r.text.strip() for r in answer.replies):
                step.checks.append(Check("reply", "a reply with text", "nothing", False))
            step.checks += checker.answer(turn, answer, language, conversation.same_language)
            if conversation.no_personal_data:
                if turn.kind == "user":
                    given += personal_data(text, words_for(conversation.personal_words, language))
                reply = step.reply_text
                echoed = [item for item in given if _echoed(item, reply)]
                if given:
                    step.checks.append(
                        Check(
                            "no personal data",
                            "none of the user's own details repeated",
                            "repeated: " + ", ".join(echoed) if echoed else "none repeated",
                            not echoed,
                        )
                    )
            previous = answer
    except Exception as exc:
        if not result.steps:
            result.steps.append(Step(1, conversation.turns[0], None, None))
        step = result.steps[-1]
        step.checks.append(
            Check("engine", "an answer", f"an error: {type(exc).__name__}: {exc}", False)
        )
    finally:
        await engine.forget(CHANNEL, user)
    return result


async def run_all(
    engine,
    conversations: list[Conversation],
    languages: Iterable[str] | None = None,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Every conversation in every language it lists (restricted to `languages` if given)."""
    checker = Checker.for_engine(engine)
    only = set(languages) if languages else None
    results = []
    for conversation in conversations:
        for language in conversation.languages:
            if only is not None and language not in only:
                continue
            result = await run(engine, conversation, language, checker)
            results.append(result)
            if progress:
                progress(result)
    return results
