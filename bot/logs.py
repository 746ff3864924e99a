"""Logging set-up: quiet third-party chatter, and never message text or personal data.

Rasa logs parsed message text at debug level through structlog; that must never reach a
log file in production, so structlog is filtered to warnings and every stdlib handler gets
the privacy scrubber.
"""

from __future__ import annotations

import logging
import sys

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
