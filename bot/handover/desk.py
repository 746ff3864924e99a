"""The staff desk: where NGO staff see cases and answer them, whatever channel the user is on.

The desk needs two small things from the channels, and nothing else:
- a `StaffRoom` to post case notes into and to hear staff from (the staff Telegram group:
  bot/channels/telegram.py implements it);
- for each channel users write on, a `Delivery` that brings a staff answer (or a notice) to
  the user through the case's own channel, at the case's address (a Telegram chat id, a
  WhatsApp number, a Messenger page-scoped id).

A delivery that cannot be made raises `NotDelivered`; when the platform refuses because the
user last wrote too long ago (WhatsApp's and Messenger's 24-hour customer-service window),
`outside_window` is set and staff are told, instead of the answer silently going nowhere.

Staff answer a case by replying to its card or to a relayed message; `/close` (a reply to the
card, or `/close <case>`) ends it. Anything else in the staff room is staff talking among
themselves: ignored. What staff write is passed on, never logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Protocol

from ..messages import Reply, clean_text, command_of
from .cases import Case, StaffNote, staff_notes
from .layer import Handover

logger = logging.getLogger(__name__)

CASE_IN_TEXT = re.compile(r"\bCase:? ([A-Z2-9]{5})\b")  # a case id in a card, relay or alert
WATCH_EVERY = 60.0  # seconds between looks for cases nobody answered in time


class NotDelivered(Exception):
    """A message could not be delivered; `reason` is short and holds no user data."""

    def __init__(self, reason: str, outside_window: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.outside_window = reason, outside_window


class StaffRoom(Protocol):
    """Where staff read case notes and answer (the staff Telegram group)."""

    async def post(self, text: str, reply_to: int | None = None) -> list[int]:
        """Post `text` (as a reply to message `reply_to`); the ids of the messages posted
        (a long text may take several). Raises NotDelivered."""
        ...


class Delivery(Protocol):
    """How a channel brings a message to one of its users outside of a reply to them."""

    async def deliver(
        self, address: str, replies: list[Reply], *, language: str, from_staff: bool
    ) -> None:
        """Send `replies` (in `language`) to `address`. `from_staff` marks a staff member's
        answer, which a platform may allow after its customer-service window (Messenger's
        HUMAN_AGENT tag). Raises NotDelivered."""
        ...


@dataclass(frozen=True)
class RoomMessage:
    """A message in the staff room, as the desk needs it: no author, only what was said."""

    id: int
    text: str
    sent: float | None = None  # when it was posted (a timestamp), if known


@dataclass(frozen=True)
class FromStaff:
    """What a staff member wrote in the staff room; `replied` is the desk's own message it
    answers (None when it answers nothing of the desk's); `text` is None for media."""

    id: int
    text: str | None
    replied: RoomMessage | None = None


class StaffDesk:
    """Posts case notes into the staff room, brings staff answers to users, watches the clock."""

    def __init__(self, handover: Handover, minutes: int = 10) -> None:
        self.handover, self.minutes = handover, minutes
        self.room: StaffRoom | None = None
        self.deliveries: dict[str, Delivery] = {}
        self._posted: dict[int, str] = {}  # staff-room message id -> case id
        self._watch: asyncio.Task | None = None

    # set-up ---------------------------------------------------------------------------------------
    def reach(self, channel: str, delivery: Delivery) -> None:
        """`channel`'s users can be answered by staff through `delivery`."""
        self.deliveries[channel] = delivery
        if self.room is not None:
            self.handover.staffed.add(channel)

    async def open(self, room: StaffRoom, watch_every: float = WATCH_EVERY) -> int:
        """Staff are in `room` from now on: the channels reached are staffed, open cases are
        loaded from the store, and the clock is watched. Returns the number of open cases."""
        self.room = room
        self.handover.staffed.update(self.deliveries)
        cases = await self.handover.load()
        self._watch = asyncio.create_task(self.watch(watch_every))
        logger.info(
            "handover: staff group configured, %d open cases",
            cases,
            extra={"masar": {"event": "handover", "open_cases": cases}},
        )
        return cases

    def stop(self) -> None:
        """No staff room in this process any more: nobody is offered a person."""
        if self._watch is not None:
            self._watch.cancel()
        self.room = None
        self.handover.staffed.clear()

    # notes for staff --------------------------------------------------------------------------------
    async def post(
        self, text: str, reply_to: int | None = None, case_id: str | None = None
    ) -> int | None:
        """Post into the staff room; remember which case the message belongs to."""
        if self.room is None:
            raise NotDelivered("no staff room")
        posted = await self.room.post(text, reply_to)
        if case_id:
            self._posted.update((message_id, case_id) for message_id in posted)
        return posted[0] if posted else None

    async def tell(self, answer) -> None:
        """Post an answer's notes for staff (card, relayed message, alert), after the user's
        replies were sent. A card staff never see closes its case, and the user is told."""
        if self.room is None:
            return
        handover = self.handover
        for note in staff_notes(answer):
            case = handover.case(note.case) if note.case else None
            card = case.card if case is not None and note.kind != "card" else self._first(note)
            try:
                posted = await self.post(note.text, reply_to=card, case_id=note.case)
            except NotDelivered as exc:
                logger.error(
                    "handover: staff group unreachable (%s)",
                    exc.reason,
                    extra={"masar": {"event": "error", "error": exc.reason, "note": note.kind}},
                )
                if note.kind == "card" and case is not None:  # staff will never see it
                    await handover.close(case.id)
                    offline = handover.offline_replies(case.language, case.country, waited=False)
                    try:
                        await self._deliver(case, offline)
                    except NotDelivered:
                        logger.error("handover: the user could not be told staff are unreachable")
                continue
            if note.kind == "card" and posted is not None and note.case:
                await handover.set_card(note.case, posted)
            if note.kind == "closed":
                self._forget_case(note.case)
            logger.info(
                "handover: %s for staff",
                note.kind,
                extra={"masar": {"event": "staff_note", "kind": note.kind, "case": note.case}},
            )

    def _first(self, note: StaffNote) -> int | None:
        return min((m for m, c in self._posted.items() if c == note.case), default=None)

    # what staff write --------------------------------------------------------------------------------
    async def from_staff(self, message: FromStaff) -> None:
        """A staff member's message: /close, an answer to a case, or talk among staff."""
        if message.text is None:  # a photo or a voice note as an answer: say it is not passed on
            if message.replied is not None:
                await self.post("Only text messages are passed on to the user.", message.id)
            return
        text = message.text.strip()
        command, arg = command_of(clean_text(text))
        replied = message.replied
        if command == "close":
            await self.close_case(arg or None, await self._case_replied_to(replied), message.id)
            return
        if command or replied is None:
            return
        case = await self._case_replied_to(replied)
        if case is None:
            match = CASE_IN_TEXT.search(replied.text)
            note = (
                f"Case {match.group(1)} is closed; nothing was sent."
                if match
                else "This message belongs to no open case; nothing was sent."
            )
            await self.post(note, reply_to=message.id)
            return
        try:
            await self._deliver(case, [Reply(self.handover.staff_message(case, text))], True)
        except NotDelivered as exc:
            if exc.outside_window:
                note = (
                    f"Case {case.id}: the user last wrote more than 24 hours ago, so "
                    f"{case.channel} does not let Masar send a free message now; nothing was "
                    "sent. The user's next message reopens the window."
                )
            else:
                note = f"Case {case.id}: the message could not be delivered ({exc.reason})."
            await self.post(note, reply_to=message.id)
            return
        await self.handover.staff_answered(case.id)
        logger.info(
            "handover: staff answered", extra={"masar": {"event": "staff_answer", "case": case.id}}
        )

    async def _case_replied_to(self, replied: RoomMessage | None) -> Case | None:
        """The open case a staff message replies to, as the shared store has it: by the
        message's id, or (posted by another instance, or before a restart) by the case id in
        its text, if that message is not older than the case."""
        if replied is None:
            return None
        handover = self.handover
        posted = self._posted.get(replied.id)
        case = await handover.find(posted) if posted else None
        if case is None:
            match = CASE_IN_TEXT.search(replied.text)
            case = await handover.find(match.group(1)) if match else None
            if case is not None and replied.sent is not None and replied.sent < case.opened - 60:
                return None  # an old message of an earlier case with the same id
        return case

    async def close_case(
        self, given: str | None, replied: Case | None, reply_to: int | None = None
    ) -> Case | None:
        """/close <case> or /close as a reply: close it, tell the user, confirm to staff."""
        handover = self.handover
        case_id = given or (replied.id if replied else None)
        if not case_id:
            await self.post(
                "Which case? Send /close followed by the case id, or reply /close to the case card.",
                reply_to=reply_to,
            )
            return None
        case = await handover.close(case_id)
        if case is None:
            await self.post(f"There is no open case {case_id.upper()}.", reply_to=reply_to)
            return None
        self._forget_case(case.id)
        try:
            await self._deliver(case, handover.closed_replies(case))
            told = "The user was told, and Masar answers them again."
        except NotDelivered as exc:
            told = f"The user could not be told ({exc.reason}); Masar answers them again."
        await self.post(f"Case {case.id} closed. {told}", reply_to=case.card)
        return case

    def _forget_case(self, case_id: str | None) -> None:
        self._posted = {m: c for m, c in self._posted.items() if c != case_id}

    # the user's side ---------------------------------------------------------------------------------
    async def _deliver(self, case: Case, replies: list[Reply], from_staff: bool = False) -> None:
        delivery = self.deliveries.get(case.channel)
        if delivery is None:
            raise NotDelivered(f"{case.channel} is not connected")
        await delivery.deliver(case.address, replies, language=case.language, from_staff=from_staff)

    # the clock ----------------------------------------------------------------------------------------
    async def check_cases(self, now: float | None = None) -> int:
        """Tell users whose case no staff member answered in time that staff may be offline."""
        handover = self.handover
        late = await handover.overdue(self.minutes, now)
        for case in late:
            try:
                offline = handover.offline_replies(case.language, case.country, waited=True)
                await self._deliver(case, offline)
                await self.post(
                    f"Case {case.id}: no staff answer after {self.minutes} minutes; "
                    "the user was told staff may be offline. Their messages still arrive here.",
                    reply_to=case.card,
                )
            except NotDelivered as exc:
                logger.error(
                    "handover: offline notice failed (%s)",
                    exc.reason,
                    extra={"masar": {"event": "error", "error": exc.reason, "case": case.id}},
                )
        return len(late)

    async def watch(self, every: float = WATCH_EVERY) -> None:
        """The periodic task: every minute, cases waiting longer than the timeout."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check_cases()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.error("handover: checking cases failed (%s)", type(exc).__name__)
