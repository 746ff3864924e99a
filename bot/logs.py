"""Logging set-up: quiet third-party chatter, and never message text or personal data.

Rasa logs parsed message text at debug level through structlog; that must never reach a
log file in production, so structlog is filtered to warnings and every stdlib handler gets
the privacy scrubber.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from pathlib import Path

from .privacy import install_log_filter

NOISY = (
    "rasa",
    "tensorflow",
    "absl",
    "sanic",
    "apscheduler",
    "httpx",
    "httpcore",
    "asyncio",
    "urllib3",
    "telegram.ext",
    "aiohttp.access",
    "matplotlib",
    "numexpr",
)


def configure(verbose: bool = False) -> None:
    import structlog

    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.ERROR)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
    install_log_filter()


# -- errors an operator can act on ---------------------------------------------------------------
_ROOT = Path(__file__).resolve().parent.parent
TRACE_FRAMES = 8  # innermost frames named in a log line: enough to find the bug, short to read


def _place(filename: str) -> str:
    """A frame's file, short and free of the host's layout: bot/engine.py, telegram/_bot.py."""
    path = Path(filename)
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(_ROOT).as_posix()
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return path.name


def where(exc: BaseException, frames: int = TRACE_FRAMES) -> list[str]:
    """Where an exception happened: the innermost frame, then Masar's own frames, innermost
    first: ["telegram/_bot.py:741 in _do_post", "bot/channels/telegram.py:520 in _send", ...].

    Only files, line numbers and function names: never the exception's message, locals or
    source lines, because a message can quote what a user wrote (a KeyError holds the key,
    a UnicodeError the text, a Bot API error the request).
    """
    places = [
        f"{_place(f.filename)}:{f.lineno} in {f.name}"
        for f in reversed(traceback.extract_tb(exc.__traceback__))
    ]
    # the innermost frame (where it broke), then the way through Masar's own code (bot/)
    ours = [p for p in places[1:] if p.startswith("bot/")]
    return (places[:1] + ours)[:frames]


def error_fields(exc: BaseException) -> dict:
    """Structured log fields for a failure: its type, where it happened, and its causes' types."""
    fields: dict = {"error": type(exc).__name__, "where": where(exc)}
    causes: list[str] = []
    seen = {id(exc)}
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen and len(causes) < 3:
        seen.add(id(cause))
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if causes:
        fields["causes"] = causes
    return fields


def describe(exc: BaseException) -> str:
    """One log line's worth: 'TypeError at bot/engine.py:210 in answer <- bot/handover.py:237 in handle'."""
    fields = error_fields(exc)
    line = fields["error"]
    if fields["where"]:
        line += " at " + " <- ".join(fields["where"])
    if fields.get("causes"):
        line += " (from " + " <- ".join(fields["causes"]) + ")"
    return line
