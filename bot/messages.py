"""What goes in and out of the engine, independent of any channel's wire format."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_TEXT = 4000  # longer messages are cut (a pasted advert is rarely longer)
# Control characters, and the invisible marks that only steer how text is shown (zero-width
# space, word joiner, byte-order mark; bidi marks, embeddings and isolates): inside a word they
# split it, and a Persian question sprinkled with them was read as Urdu. The zero-width
# (non-)joiners stay: Persian spelling and emoji sequences need them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060\ufeff\ufffe\uffff"
    r"\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)


def clean_text(text: Any) -> str:
    """NFC, no control or lone-surrogate characters, one line of reasonable length."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    text = " ".join(text.split())
    return text[:MAX_TEXT]


def command_of(text: str) -> tuple[str, str]:
    """("language", "fa") for "/language fa" or "/language@masar_bot fa"; ("", "") for text
    that is not a command. The one place commands and button payloads are split; `text` is
    already cleaned (`clean_text`), so words are separated by single spaces."""
    if not text.startswith("/"):
        return "", ""
    command, _sep, arg = text[1:].partition(" ")
    return command.split("@")[0].lower(), arg.strip()


@dataclass(frozen=True)
class Button:
    """A choice the user can tap; `payload` is what the engine receives back as text."""

    title: str
    payload: str


@dataclass
class Reply:
    """One bot message: text plus optional buttons."""

    text: str
    buttons: list[Button] = field(default_factory=list)


@dataclass(frozen=True)
class Location:
    """A location the user shared; the engine turns it into a country at once and keeps
    nothing of it."""

    latitude: float
    longitude: float


@dataclass
class Incoming:
    """A user's message as a channel hands it to the engine.

    Besides text, a channel passes on what else the user sent, as facts for the engine to
    answer (bot/dialogue.py): a shared `location`, or `media` Masar cannot read (a voice
    note, a photo, a sticker, a file); `text` is then empty.
    """

    user: str  # channel-specific user id; hashed before it is stored
    text: str
    channel: str = "cli"
    language: str | None = None  # a language the caller insists on (masar ask's "lang")
    client_language: str | None = None  # e.g. Telegram's language_code, a weak prior
    location: Location | None = None
    media: bool = False
    group: bool = False  # said in a group chat, where others read along
    # other channels where the same user id has its own conversation (a Telegram user's group
    # chats are kept apart from the private one): /forget deletes those too
    elsewhere: tuple[str, ...] = ()

    @property
    def written(self) -> bool:
        """True for a written message (or a button or command), False for a location or media."""
        return self.location is None and not self.media

    @property
    def cleaned(self) -> str:
        """The text as every layer reads it (`clean_text`), computed once per message: the
        handover layer and the engine both read it, and a hostile text costs to clean."""
        cached = self.__dict__.get("_cleaned")
        if cached is None or cached[0] is not self.text:
            cached = self.__dict__["_cleaned"] = (self.text, clean_text(self.text))
        return cached[1]

    def key(self, secret: bytes) -> str:
        """The sender's keyed hash (`privacy.user_key`), computed once per message."""
        from .privacy import user_key

        keys = self.__dict__.setdefault("_keys", {})
        if secret not in keys:
            keys[secret] = user_key(secret, self.channel, str(self.user))
        return keys[secret]


@dataclass
class Answer:
    """The engine's answer to one message."""

    user: str
    said: str  # what the user wrote (cleaned), or the button's payload; "" for a photo
    language: str
    topic: str
    confidence: float
    replies: list[Reply]
    emergency: bool = False

    def to_json(self) -> dict:
        """`masar ask`'s output line: the input's "user" and "text", then the answer."""
        data = asdict(self)
        data.pop("emergency")
        return {"user": data.pop("user"), "text": data.pop("said"), **data}
