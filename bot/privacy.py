"""User ids as keyed hashes, and a log filter that keeps personal data out of logs.

A Telegram id is a phone-linked identity; storing it would let anyone with the database
find out who asked about smugglers. We store HMAC-SHA256(secret, channel:id) instead: stable
for the conversation, useless without the secret.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from pathlib import Path


def load_secret(configured: str | None, data_dir: Path) -> bytes:
    """The hashing key: from settings, else generated once and kept in data_dir (mode 600)."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "user-key.secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def user_key(secret: bytes, channel: str, user: str) -> str:
    """A stable pseudonymous id for one user of one channel."""
    return hmac.new(secret, f"{channel}:{user}".encode("utf-8"), hashlib.sha256).hexdigest()[:32]


_PATTERNS = [
    (re.compile(r"\b\d{8,12}:[A-Za-z0-9_-]{30,}\b"), "[token]"),                 # Telegram bot tokens
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)"), "[number]"),             # phone numbers, chat ids
    (re.compile(r"(?i)(secret[_-]?token|password|token)=\S+"), r"\1=[hidden]"),
]


def scrub(text: str) -> str:
    """Remove tokens, e-mail addresses and phone-like numbers from a log line."""
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class ScrubFilter(logging.Filter):
    """Applied to every handler: log records leave the process without personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the bot
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        return True


def install_log_filter() -> None:
    root = logging.getLogger()
    for handler in root.handlers or []:
        handler.addFilter(ScrubFilter())
    root.addFilter(ScrubFilter())
