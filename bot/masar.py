"""Masar as every channel sees it: the engine with its layers, composed in one place.

    handle = apology( Handover( engine.answer ) )

`compose()` is what `masar chat`, `masar ask`, `masar test`, `masar telegram` and `masar
serve` all use, so a message takes the same path whatever door it came through. Layers wrap
the engine the way middleware wraps a handler: the human handover (bot/handover/) decides
whether the bot or staff answer; the engine knows nothing of it. The outermost layer is the
engine's apology: whatever fails, the user gets a short apology in their language.
Every answer, the apology too, is then told to the staff console's counts (bot/console/hook.py),
which listens only inside `masar serve`.

A channel gets a `Masar`, hands it `Incoming` messages (`handle`), sends the answer's replies
in its own wire format, then calls `delivered(answer)` so staff are told what they need to
know (after the user, never before).

For tests of what a channel carries, `Masar.around(handle)` puts a plain async function
where the engine and its layers would be (as httpx's MockTransport stands in for the
network): the channel parses, sends, splits and logs exactly as in production, in seconds
and without the trained model. There is no staff desk then. The end-to-end tests keep the
real engine.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from .console import hook as console
from .content.models import Content
from .engine import Engine
from .handover import CaseStore, Delivery, FromStaff, Handover, StaffDesk, StaffRoom, staff_notes
from .handover.layer import Handler
from .i18n import _, launch_language
from .logs import describe
from .messages import Answer, Incoming, Reply
from .settings import Settings

logger = logging.getLogger(__name__)


class Masar:
    """The engine wrapped in its layers; `handle()` is safe to call from any channel.

    Its parts: `handle`, the outermost layer (from `compose()`: the handover around the
    engine's answer); `sorry`, the apology for a message that could not be answered; and,
    when composed around the engine, the engine itself and the handover with its staff desk.
    """

    def __init__(
        self,
        handle: Handler,
        settings: Settings,
        sorry: Callable[[Incoming], Answer],
        *,
        engine: Engine | None = None,
        handover: Handover | None = None,
    ) -> None:
        self.next, self.settings, self._sorry = handle, settings, sorry
        self._engine, self.handover = engine, handover
        self.desk = (
            StaffDesk(handover, settings.handover_timeout_minutes) if handover is not None else None
        )

    @classmethod
    def around(cls, handle: Handler, settings: Settings) -> Masar:
        """Masar for a channel test: `handle` answers every message, there is no staff desk,
        and a failure gets the plain apology in the client's language."""

        def sorry(message: Incoming) -> Answer:
            language = launch_language(message.client_language) or "en"
            reply = Reply(_(language, "Sorry, something went wrong. Please try again."))
            return Answer(str(message.user), "", language, "fallback", 0.0, [reply])

        return cls(handle, settings, sorry)

    @property
    def engine(self) -> Engine:
        """The engine inside (for start-up, /health and the retention job)."""
        if self._engine is None:
            raise RuntimeError("this Masar answers with a plain function, it has no engine")
        return self._engine

    @property
    def content(self) -> Content:
        return self.engine.content

    async def handle(self, message: Incoming) -> Answer:
        """Answer one message (by the bot or by staff); never raises."""
        try:
            answer = await self.next(message)
        except Exception as exc:  # the store or the model failed: say sorry, never an error
            if self._engine is not None:
                answer = self._engine.apology(message, exc)  # logged there
            else:
                logger.error("could not answer: %s", describe(exc))
                answer = self._sorry(message)
        console.answered(message, answer)  # the console's daily counts, if it listens
        return answer

    async def forget(self, channel: str, user: str) -> None:
        """Delete one conversation (the console's chat box starting again)."""
        if self._engine is not None:
            await self._engine.forget(channel, user)

    def sorry(self, message: Incoming) -> Answer:
        """The apology a channel sends when its platform refused or failed an answer (the
        channel logs the failure): the same words, language and button as the engine's."""
        return self._sorry(message)

    # the staff desk, as a channel reaches it (nothing happens without one) ----------------------
    def reach(self, channel: str, delivery: Delivery) -> None:
        """`channel`'s users can be answered by staff through `delivery`."""
        if self.desk is not None:
            self.desk.reach(channel, delivery)

    async def open_desk(self, room: StaffRoom) -> None:
        """Staff are in `room` from now on (a Telegram staff group)."""
        if self.desk is not None:
            await self.desk.open(room)

    def close_desk(self) -> None:
        if self.desk is not None:
            self.desk.stop()

    async def from_staff(self, message: FromStaff) -> None:
        if self.desk is not None:
            await self.desk.from_staff(message)

    async def delivered(self, answer: Answer) -> None:
        """The user has their replies: now staff are told (case cards, relayed messages,
        alerts), if this process has a staff desk."""
        if self.desk is not None:
            await self.desk.tell(answer)

    async def reload(self) -> bool:
        """Content and model again, while serving (`kill -HUP`, see `reload_on_hangup`):
        retrained in a worker thread if the content changed; True when the new content is
        live. A failed load or training keeps the last good content and model."""
        engine = self.engine
        live = await asyncio.to_thread(engine.reload)
        if live:
            if self.handover is not None:
                self.handover.renderer = engine.renderer
            model = engine.model_path.name if engine.model_path else None
            logger.info("reloaded", extra={"masar": {"event": "reloaded", "model": model}})
        return live

    @staticmethod
    def relayed(answer: Answer) -> bool:
        """True when the message went to staff: its text is never logged, even when the
        operator asked for message text in the logs."""
        return any(note.kind == "relay" for note in staff_notes(answer))


def compose(engine: Engine, settings: Settings | None = None) -> Masar:
    """The one place the layers are put around the engine."""
    settings = settings or engine.settings
    handover = Handover(
        engine.answer,
        cases=CaseStore(engine.agent.tracker_store, engine.turns, engine.secret),
        renderer=engine.renderer,
        emergency=engine.sounds_like_emergency,
    )
    return Masar(handover, settings, engine.sorry, engine=engine, handover=handover)


def reload_on_hangup(masar: Masar) -> None:
    """`kill -HUP <pid>` reloads content and model in `masar serve` and `masar telegram`, the
    way web servers reload their configuration: no restart, no message lost. A signal that
    comes while a reload runs is ignored (that reload reads the files anew anyway)."""
    running: set[asyncio.Task] = set()

    def hangup() -> None:
        if running:
            logger.warning("reload already running; SIGHUP ignored")
            return
        logger.info("SIGHUP: reloading content and model", extra={"masar": {"event": "reload"}})
        task = asyncio.create_task(masar.reload())
        running.add(task)
        task.add_done_callback(running.discard)

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, hangup)
    except (AttributeError, NotImplementedError, RuntimeError):  # pragma: no cover - no SIGHUP
        pass
