"""Masar as every channel sees it: the engine with its layers, composed in one place.

    handle = apology( Handover( engine.answer ) )

`compose()` is what `masar chat`, `masar ask`, `masar test`, `masar telegram` and `masar
serve` all use, so a message takes the same path whatever door it came through. Layers wrap
the engine the way middleware wraps a handler: the human handover (bot/handover/) decides
whether the bot or staff answer; the engine knows nothing of it. The outermost layer is the
engine's apology: whatever fails, the user gets a short apology in their language.

A channel gets a `Masar`, hands it `Incoming` messages (`handle`), sends the answer's replies
in its own wire format, then calls `delivered(answer)` so staff are told what they need to
know (after the user, never before).
"""

from __future__ import annotations

from .content.models import Content
from .engine import Engine
from .handover import CaseStore, Handover, StaffDesk, staff_notes
from .messages import Answer, Incoming
from .settings import Settings


class Masar:
    """The engine wrapped in its layers; `handle()` is safe to call from any channel."""

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self.settings = settings or engine.settings
        store = engine.agent.tracker_store
        self.handover = Handover(
            engine.answer,
            cases=CaseStore(store, engine.turns, engine.secret),
            renderer=engine.renderer,
            emergency=engine.sounds_like_emergency,
        )
        self.desk = StaffDesk(self.handover, self.settings.handover_timeout_minutes)

    @property
    def content(self) -> Content:
        return self.engine.content

    async def handle(self, message: Incoming) -> Answer:
        """Answer one message (by the bot or by staff); never raises."""
        try:
            return await self.handover(message)
        except Exception as exc:  # the store or the model failed: say sorry, never an error
            return self.engine.apology(message, exc)

    async def delivered(self, answer: Answer) -> None:
        """The user has their replies: now staff are told (case cards, relayed messages,
        alerts), if this process has a staff desk."""
        await self.desk.tell(answer)

    @staticmethod
    def relayed(answer: Answer) -> bool:
        """True when the message went to staff: its text is never logged, even when the
        operator asked for message text in the logs."""
        return any(note.kind == "relay" for note in staff_notes(answer))

    async def forget(self, channel: str, user: str) -> None:
        await self.engine.forget(channel, user)


def compose(engine: Engine, settings: Settings | None = None) -> Masar:
    """The one place the layers are put around the engine."""
    return Masar(engine, settings)
