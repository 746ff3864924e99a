"""What the console keeps of what happened: unanswered questions and daily counts.

An unanswered question is a message that reached the fallback, or whose topic Rasa was
unsure of (confidence below UNSURE). It is kept masked (privacy.mask_for_staff), with its
language, day, closest topics and confidence, and without anything that says who wrote it:
no user key, no channel, no time of day. MASAR_CONSOLE_QUESTIONS=off keeps none.

Counts are per day and per value (a language, a topic, a country, a channel) and never per
person. Messages typed into the console's own chat box are neither kept nor counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import privacy
from ..safety.render import OFFER_TOPICS
from .store import ConsoleStore

UNSURE = 0.5  # below this confidence an answered question is shown to staff too
CLOSEST = 3  # topics shown next to a question
OWN_CHANNEL = "console"  # the console's chat box
_NOT_TOPICS = {"nlu_fallback", "fallback", ""}


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


class Recorder:
    """Listens to the engine and the layers (hook.py) and writes to the console's store."""

    def __init__(self, store: ConsoleStore, collect_questions: bool = True) -> None:
        self.store = store
        self.collect_questions = collect_questions

    def heard(
        self, text: str, parse: dict, meta: Mapping[str, Any], channel: str, topic: str
    ) -> None:
        if channel == OWN_CHANNEL:
            return
        country = meta.get("country")
        if country:
            self.store.count(today(), [("country", str(country))])
        if not self.collect_questions or not text or text.startswith("/"):
            return  # buttons and commands are not questions
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        if topic == "fallback" or confidence < UNSURE:
            self.store.add_question(
                today(),
                privacy.mask_for_staff(text),
                str(meta.get("language") or "und"),
                round(confidence, 3),
                closest_topics(parse),
                "fallback" if topic == "fallback" else "unsure",
            )

    def answered(self, message: Any, answer: Any) -> None:
        channel = str(getattr(message, "channel", "") or "unknown")
        if channel == OWN_CHANNEL:
            return
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
        for note in getattr(answer, "staff", None) or []:
            if note.kind == "card":  # a new case for staff
                pairs.append(("handover", "opened"))
        self.store.count(today(), pairs)

    def purge(self, days: int) -> int:
        """Delete questions older than the retention period; counts hold no one's words."""
        return self.store.delete_questions_before(today() - dt.timedelta(days=days))
