"""What goes in and out of the engine, independent of any channel's wire format."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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


@dataclass
class Incoming:
    """A user's message as a channel hands it to the engine."""

    user: str  # channel-specific user id; hashed before it is stored
    text: str
    channel: str = "cli"
    language: str | None = None  # a language the caller insists on (masar ask's "lang")
    client_language: str | None = None  # e.g. Telegram's language_code, a weak prior


@dataclass
class Answer:
    """The engine's answer to one message."""

    user: str
    text: str
    language: str
    topic: str
    confidence: float
    replies: list[Reply]
    emergency: bool = False

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("emergency")
        return data
