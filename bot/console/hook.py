"""How the engine and Masar's layers tell the console what happened: one call each.

The engine calls `heard()` once it knows what Rasa made of a message (the masked text, the
parse with its ranking of topics, the turn's language and country); Masar's layers call
`answered()` with the final answer. Nothing is kept here: the console's recorder
(record.py), started by `masar serve`, listens and writes to its own store. With no listener
(the terminal, `masar ask`, `masar test`) both calls cost nothing. A listener that fails is
logged by type and never reaches the person who wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Listener(Protocol):
    def heard(
        self, text: str, parse: dict, meta: Mapping[str, Any], channel: str, topic: str
    ) -> None: ...

    def answered(self, message: Any, answer: Any) -> None: ...


_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Start telling `listener`; returns the call that stops it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def heard(text: str, parse: dict, meta: Mapping[str, Any], channel: str, topic: str) -> None:
    """What Rasa made of one message (`text` already has personal details masked)."""
    for listener in _listeners:
        try:
            listener.heard(text, parse, meta, channel, topic)
        except Exception as exc:
            logger.error("console: could not record a question (%s)", type(exc).__name__)


def answered(message: Any, answer: Any) -> None:
    """The answer Masar gave one message (by the bot or by staff)."""
    for listener in _listeners:
        try:
            listener.answered(message, answer)
        except Exception as exc:
            logger.error("console: could not count a message (%s)", type(exc).__name__)
