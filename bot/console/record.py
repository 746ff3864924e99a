"""What the console keeps of what happened: unanswered questions and daily counts.

An unanswered question is a message that reached the fallback, or whose topic Rasa was
unsure of (confidence below UNSURE). It is kept masked (privacy.mask_for_staff), with its
language, day, closest topics and confidence, and without anything that says who wrote it:
no user key, no channel, no time of day. MASAR_CONSOLE_QUESTIONS=off keeps none.

Counts are per day and per value (a language, a topic, a country, a channel) and never per
person. Messages typed into the console's own chat box are neither kept nor counted, and
nothing is kept or counted while the console is off (no staff account yet).

The writing happens in one thread of its own, in the order messages were answered: an SQLite
commit takes milliseconds (more when the disk is busy), and on the event loop it would hold up
every conversation once per message.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .. import privacy
from .store import ConsoleStore

logger = logging.getLogger(__name__)

UNSURE = 0.5  # below this confidence an answered question is shown to staff too
CLOSEST = 3  # topics shown next to a question
OWN_CHANNEL = "console"  # the console's chat box
STAFF_CHECK = 10.0  # seconds between checks that the console is on
_NOT_TOPICS = {"nlu_fallback", "fallback", ""}
OFFER_TOPICS = ("offer_check", "smuggler_contact_request")  # counted as "offers checked"


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def closest_topics(parse: dict, n: int = CLOSEST) -> list[tuple[str, float]]:
    """The topics Rasa ranked highest, with their confidence (the fallback left out)."""
    ranking = parse.get("intent_ranking") or [parse.get("intent") or {}]
    found = []
    for item in ranking:
        name = str(item.get("name") or "")
        if name not in _NOT_TOPICS:
            found.append((name, round(float(item.get("confidence") or 0.0), 3)))
    return found[:n]


# What Rasa made of the message being answered, from `heard()` to `answered()`: both run in the
# same task (the engine is awaited by the layers), so each message sees only its own parse.
_PARSE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("console_parse", default=None)


class Recorder:
    """Listens to the engine and the layers (hook.py) and writes to the console's store.

    A question is kept from the final answer (`answered`), so that messages sent to the
    fallback before Rasa (text with almost no word Masar knows) are kept too; the closest
    topics come from the parse `heard` saw for the same message, when Rasa read it."""

    def __init__(self, store: ConsoleStore, collect_questions: bool = True) -> None:
        self.store = store
        self.collect_questions = collect_questions
        self._checked = (-STAFF_CHECK, False)  # (when, whether a staff account existed)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="masar-console")

    def _write(self, work, *args) -> None:
        """`work(*args)` in the writer thread; a failure is logged by type, never raised."""
        self._writer.submit(work, *args).add_done_callback(_log_failure)

    def flush(self) -> None:
        """Wait until everything recorded so far is written."""
        self._writer.submit(lambda: None).result()

    def close(self) -> None:
        """Write what is left, then stop the writer."""
        self._writer.shutdown(wait=True)

    def on(self) -> bool:
        """Nothing is kept or counted while the console is off (no staff account): nobody
        could read it. Asked of the store at most every STAFF_CHECK seconds."""
        now = time.monotonic()
        if now - self._checked[0] >= STAFF_CHECK:
            self._checked = (now, self.store.has_staff())
        return self._checked[1]

    def heard(
        self, text: str, parse: dict, meta: Mapping[str, Any], channel: str, topic: str
    ) -> None:
        if channel == OWN_CHANNEL or not self.on():
            return
        country = meta.get("country")
        if country:
            self._write(self.store.count, today(), [("country", str(country))])
        if text and not text.startswith("/"):  # buttons and commands are not questions
            _PARSE.set(parse)

    def answered(self, message: Any, answer: Any) -> None:
        parse, _ = _PARSE.get(), _PARSE.set(None)
        channel = str(getattr(message, "channel", "") or "unknown")
        if channel == OWN_CHANNEL or not self.on():
            return
        notes = getattr(answer, "staff", None) or []
        pairs = [
            ("messages", "all"),
            ("channel", channel),
            ("language", str(answer.language)),
            ("topic", str(answer.topic)),
        ]
        if answer.topic == "fallback":
            pairs.append(("fallback", "all"))
        if answer.emergency:
            pairs.append(("emergency", str(answer.topic)))
        if answer.topic in OFFER_TOPICS:
            pairs.append(("offer_check", str(answer.topic)))
        pairs += [("handover", "opened") for note in notes if note.kind == "card"]
        self._write(self.store.count, today(), pairs)
        text = message.cleaned  # cleaned once per message, by whichever layer read it first
        unanswered = answer.topic == "fallback" or float(answer.confidence) < UNSURE
        if (
            self.collect_questions
            and unanswered
            and text
            and not text.startswith("/")
            and not answer.emergency
            and not any(note.kind == "relay" for note in notes)  # staff read it already
        ):
            closest = closest_topics(parse) if parse else []
            fallback = answer.topic == "fallback"
            # for a fallback, how sure Rasa was of the nearest topic (not of the fallback)
            confidence = (closest[0][1] if closest else 0.0) if fallback else answer.confidence
            self._write(
                self._keep_question,
                text,
                str(answer.language or "und"),
                round(float(confidence), 3),
                closest,
                "fallback" if fallback else "unsure",
            )

    def _keep_question(
        self, text: str, language: str, confidence: float, closest: list, why: str
    ) -> None:
        """Masked (in the writer thread: the masks are many patterns) and kept."""
        self.store.add_question(
            today(), privacy.mask_for_staff(text), language, confidence, closest, why
        )

    def purge(self, days: int) -> int:
        """Delete questions older than the retention period; counts hold no one's words."""
        return self.store.delete_questions_before(today() - dt.timedelta(days=days))


def _log_failure(done: Future) -> None:
    exc = done.exception()
    if exc is not None:
        logger.error("console: could not record a message (%s)", type(exc).__name__)
