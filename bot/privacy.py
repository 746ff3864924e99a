"""User ids as keyed hashes, and a log filter that keeps personal data out of logs.

A Telegram id is a phone-linked identity; storing it would let anyone with the database
find out who asked about smugglers. We store HMAC-SHA256(secret, channel:id) instead: stable
for the conversation, useless without the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

logger = logging.getLogger(__name__)


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
    """A stable pseudonymous id for one user of one channel.

    Any string is an id, even one with lone surrogates (JSON allows "\\ud8cc"): they are
    hashed as they are, so two different ids never share a conversation.
    """
    raw = f"{channel}:{user}".encode("utf-8", "surrogatepass")
    return hmac.new(secret, raw, hashlib.sha256).hexdigest()[:32]


_PATTERNS = [
    (
        re.compile(r"(?<!\d)\d{8,12}:[A-Za-z0-9_-]{30,}"),
        "[token]",
    ),  # Telegram bot tokens, also in .../bot<token>/...
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)"), "[number]"),  # phone numbers, chat ids
    (re.compile(r"(?i)(secret[_-]?token|password|token)=\S+"), r"\1=[hidden]"),
]


_SECRETS: set[str] = set()


def hide_secret(value: str | None) -> None:
    """Register a configured secret (bot token, webhook secret) so that `scrub` removes it.

    The patterns above catch tokens of Telegram's usual shape; this catches the exact values
    in any shape, e.g. inside a URL in an HTTP library's error message.
    """
    if value and len(value) >= 6:
        _SECRETS.add(value)


def scrub(text: str) -> str:
    """Remove secrets, tokens, e-mail addresses and phone-like numbers from a log line."""
    for secret in _SECRETS:
        text = text.replace(secret, "[secret]")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class ScrubFilter(logging.Filter):
    """Applied to every handler: log records leave the process without personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info:  # tracebacks quote URLs and arguments: scrub them too
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_log_filter() -> None:
    root = logging.getLogger()
    for handler in root.handlers or []:
        handler.addFilter(ScrubFilter())
    root.addFilter(ScrubFilter())


async def delete_old_conversations(
    purge: Callable[[int], Awaitable[int]], days: int, every: float = 3600.0
) -> None:
    """Retention: call `purge(days)` (e.g. `engine.purge`) now and every hour, until cancelled.

    Runs inside the server process (`masar serve`, `masar telegram`), so a deployment needs
    no cron job for conversations to disappear after the retention period.
    """
    while True:
        try:
            deleted = await purge(days)
            logger.info(
                "retention: %d conversations deleted",
                deleted,
                extra={"masar": {"event": "retention", "deleted": deleted, "days": days}},
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error("retention failed (%s); trying again later", type(exc).__name__)
        await asyncio.sleep(every)


_PERSONAL = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])"), "[number]"),
]


def mask_personal(text: str) -> str:
    """Replace phone numbers and e-mail addresses in a user's message before it is stored.

    The conversation store keeps what users write; a phone number there is personal data we do
    not need, and to the model a number is noise that pulled messages to the wrong topic.
    Arabizi digits inside words ("3ayez", "7abibi") are not touched.
    """
    for pattern, repl in _PERSONAL:
        text = pattern.sub(repl, text)
    return text


# A name follows an introduction ("my name is", "je m'appelle", "اسمي" ...) in the launch
# languages: the next one to three words are the name. Names said any other way are not found;
# staff are told so next to the questions.
_INTRODUCTION = re.compile(
    r"(?i)(?<!\w)(my name is|my name's|i am called|i'm called|name:|"
    r"je m'appelle|je m’appelle|mon nom est|me llamo|mi nombre es|"
    r"اسمي|انا اسمي|أنا اسمي|إسمي|اسمى|ismi|esmi|smiti|ana ismi|"
    r"adım|benim adım|ismim|mera naam|mera nam|میرا نام|نام من|اسم من|اسمم|زما نوم|"
    r"мене звати|моє ім'я|моє ім’я|меня зовут|magacaygu waa|magacaygu|ስመይ|আমার নাম)"
    r"\s*(?:is\s+|est\s+|es\s+|ist\s+|hai\s+|ہے\s+|است\s+|دی\s+|waa\s+|—\s*|-\s*|:\s*)?"
    r"((?:[^\s\d.,;:!?،؛؟()\[\]]+)(?:\s+[^\s\d.,;:!?،؛؟()\[\]]+){0,2})"
)
# Passports, ID cards, residence permits and case numbers: letters with at least three digits,
# or runs of five digits or more, e.g. "AB1234567", "L898902C3", "1234567".
_DOCUMENT = re.compile(
    r"(?<!\w)(?=(?:[\w-]*?\d){3})(?=[\w-]*[A-Za-z])[A-Za-z0-9-]{6,20}(?!\w)|\d{5,}"
)
_NAME_STOP = re.compile(
    r"(?i)^(?:and|et|y|و|but|mais|pero|i|je|yo|ana|انا|أنا|من|men|ben|please|svp|from|de|"
    r"من|الى|إلى|to|a|à|in|en|في|fi)$"
)


def _mask_name(match: re.Match) -> str:
    words = match.group(2).split()
    kept: list[str] = []
    for word in words:
        if kept and _NAME_STOP.match(word):
            break
        kept.append(word)
    rest = " ".join(words[len(kept) :])
    return f"{match.group(1)} [name]" + (f" {rest}" if rest else "")


def mask_for_staff(text: str) -> str:
    """A question as staff may read it in the console: phone numbers, e-mail addresses,
    document numbers and names given in an introduction replaced by [number], [email],
    [document] and [name]. Stricter than `mask_personal`, because people read it."""
    text = mask_personal(text)
    text = _INTRODUCTION.sub(_mask_name, text)
    return _DOCUMENT.sub(lambda m: m.group(0) if m.group(0).startswith("[") else "[document]", text)
