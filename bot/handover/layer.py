"""The handover layer: consent, cases and relaying, wrapped around the engine's answer.

Like Starlette middleware around the next handler, `Handover(engine.answer, ...)` is itself
a handler: called with a message, it either passes it on to the bot (`answer`) or, while the
user's case is open, to staff. The engine does not know the layer exists.

"Talk to a person" (the topic human_help, its button, or the person offered after signs of
trafficking or kidnapping) asks first; only a "yes" opens a case. While a case is open, what
the user writes goes to staff instead of to the bot, except that the emergency net still runs
first: an emergency gets the bot's emergency answer at once and is passed on too. When no
staff desk exists for a channel, or staff have not answered within the timeout, the user is
told so honestly, with the numbers to call and where to find help meanwhile.

This module decides; it never sends. The answers it returns carry `staff` notes (a card, a
relayed message, an alert) that the staff desk (bot/handover/desk.py) posts after the user's
own replies were sent, so nothing is ever slower for the user because staff are told.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from ..answers import Renderer, topic_button
from ..content.catalogue import LANGUAGES
from ..conversation_store import StoreUnavailable, latest_turn
from ..i18n import _, bidi, launch_language
from ..messages import Answer, Button, Incoming, Reply, command_of
from .cases import (
    Case,
    CaseStore,
    StaffNote,
    alert_text,
    card_text,
    conversation_topics,
    latest_case_record,
    new_case_id,
    relay_text,
    with_staff,
)

logger = logging.getLogger(__name__)

HELP_TOPIC = "human_help"
SIGN_TOPICS = ("trafficking_signs", "kidnapping_extortion")  # trafficking and kidnapping answers

Handler = Callable[[Incoming], Awaitable[Answer]]
Alarm = Callable[[str], Awaitable[bool]]  # the emergency net's verdict on a text


class Handover:
    """Consent, cases and relaying, for every channel; `staffed` are the channels a staff desk
    reaches right now (bot/handover/desk.py keeps it)."""

    def __init__(
        self, answer: Handler, *, cases: CaseStore, renderer: Renderer, emergency: Alarm
    ) -> None:
        self.answer = answer  # the next handler: the bot's own answer
        # the emergency net (the engine's sounds_like_emergency, off the event loop)
        self.store, self.renderer, self.emergency = cases, renderer, emergency
        self.staffed: set[str] = set()
        self.cases: dict[str, Case] = {}  # open cases by id
        self._by_key: dict[str, str] = {}  # user key -> open case id

    # the user's side ----------------------------------------------------------------------------
    async def __call__(self, message: Incoming) -> Answer:
        """Answer one message: by the bot (`self.answer`), or by passing it to staff."""
        key = message.key(self.store.secret)  # keyed and cleaned once per message
        text = message.cleaned
        command, arg = command_of(text)
        arg = arg.lower()
        if message.channel in self.staffed:  # another instance may have opened or closed it
            try:
                await self.refresh(key)
            except StoreUnavailable:  # this process's view: an emergency cannot wait
                pass
        case = self.case_of(key)
        if case is not None and message.written:  # a location or a photo: the bot answers
            return await self._during_case(case, message, text, command, arg)
        if command == HELP_TOPIC and arg in ("yes", "no", "stop"):
            return await self._consent(message, key, arg == "yes")
        answer = await self.answer(message)
        if answer.topic == HELP_TOPIC:
            answer.replies = answer.replies + await self._offer(message, key, answer.language)
        if (
            not command
            and message.channel in self.staffed
            and (answer.emergency or answer.topic in SIGN_TOPICS)
        ):
            country = (await self.store.latest(key)).get("country")
            kind = "emergency" if answer.emergency else "sign"
            note = alert_text(kind, answer.topic, answer.language, country, None)
            return with_staff(answer, [StaffNote("alert", note)])
        return answer

    async def _during_case(
        self, case: Case, message: Incoming, text: str, command: str, arg: str
    ) -> Answer:
        user, language = str(message.user), case.language
        if command == HELP_TOPIC:
            if arg == "stop":
                await self.close(case.id)
                reply = Reply(
                    _(
                        language,
                        "You are talking with Masar again. Staff no longer receive your messages.",
                    ),
                    self.renderer.menu(language).buttons,
                )
                return with_staff(
                    Answer(user, text, language, HELP_TOPIC, 1.0, [reply]),
                    [StaffNote("closed", f"Case {case.id} closed by the user.", case.id)],
                )
            return Answer(user, text, language, HELP_TOPIC, 1.0, [self._opened_reply(language)])
        if command:  # commands and buttons keep working; /forget also ends the case
            notes = []
            if command == "forget":
                await self.close(case.id)
                notes.append(
                    StaffNote(
                        "closed",
                        f"Case {case.id} closed: the user deleted their conversation.",
                        case.id,
                    )
                )
            return with_staff(await self.answer(message), notes)
        notes = [StaffNote("relay", relay_text(case, text), case.id)] if text else []
        if text and await self.emergency(text):
            answer = await self.answer(message)  # the emergency answer first, then staff are told
            notes.append(
                StaffNote(
                    "alert",
                    alert_text("emergency", answer.topic, answer.language, case.country, case),
                    case.id,
                )
            )
            return with_staff(answer, notes)
        return with_staff(Answer(user, text, language, HELP_TOPIC, 1.0, []), notes)

    async def _offer(self, message: Incoming, key: str, language: str) -> list[Reply]:
        """After the human_help answer: ask for consent, or say honestly that no one is there."""
        if message.channel not in self.staffed:
            country = (await self.store.latest(key)).get("country")
            return self.offline_replies(language, country, waited=False)
        question = _(
            language,
            "Do you want a staff member to take over this conversation? Staff will read what "
            "you write here. They will not see your name, your phone number or your profile.",
        )
        return [
            Reply(
                question,
                [
                    Button(_(language, "Yes"), f"/{HELP_TOPIC} yes"),
                    Button(_(language, "No"), f"/{HELP_TOPIC} no"),
                ],
            )
        ]

    async def _consent(self, message: Incoming, key: str, yes: bool) -> Answer:
        tracker = await self.store.conversation(key)
        state = latest_turn(tracker)
        language = (
            message.language
            if message.language in LANGUAGES
            else state.get("language") or launch_language(message.client_language) or "en"
        )
        user, text, country = str(message.user), str(message.text), state.get("country")
        if not yes:
            return Answer(user, text, language, HELP_TOPIC, 1.0, [self.renderer.menu(language)])
        if message.channel not in self.staffed:
            replies = self.offline_replies(language, country, waited=False)
            return Answer(user, text, language, HELP_TOPIC, 1.0, replies)
        topics = conversation_topics(tracker)
        case = Case(
            new_case_id(set(self.cases)),
            key,
            message.channel,
            str(message.user),
            language,
            topics[-1] if topics else HELP_TOPIC,
            country,
            topics,
            time.time(),
        )
        self.cases[case.id], self._by_key[key] = case, case.id
        await self.store.save(case)
        logger.info(
            "handover: case opened",
            extra={
                "masar": {
                    "event": "case_opened",
                    "case": case.id,
                    "channel": case.channel,
                    "language": language,
                }
            },
        )
        return with_staff(
            Answer(user, text, language, HELP_TOPIC, 1.0, [self._opened_reply(language)]),
            [StaffNote("card", card_text(case), case.id)],
        )

    def _opened_reply(self, language: str) -> Reply:
        return Reply(
            _(
                language,
                "A staff member will answer you here as soon as they can. From now on, what you "
                "write goes to staff, not to Masar. If you are in danger, do not wait: call the "
                "emergency number or type /emergency.",
            ),
            [Button(_(language, "Back to Masar"), f"/{HELP_TOPIC} stop")],
        )

    def offline_replies(self, language: str, country: str | None, waited: bool) -> list[Reply]:
        """Staff are not there (no desk, or no answer in time): say so, and what to do meanwhile."""
        if waited:
            first = _(
                language,
                "No staff member has answered yet; staff may be offline right now. Your messages "
                "will still reach them, and they will answer when they can.",
            )
        else:
            first = _(
                language,
                "No staff member is online right now, so no one can answer you here at the moment.",
            )
        numbers = self.renderer.emergency_numbers(
            self.renderer.content.countries.get(country or ""), language, at_sea=False
        )
        meanwhile = _(
            language, "Meanwhile, Masar can show you the official help services near you."
        )
        buttons = [topic_button("find_help", language), topic_button("emergency_general", language)]
        if waited:
            buttons.append(Button(_(language, "Back to Masar"), f"/{HELP_TOPIC} stop"))
        buttons.append(Button(_(language, "Menu"), "/menu"))
        return [Reply(bidi(f"{first}\n\n{numbers}\n\n{meanwhile}", language), buttons)]

    def closed_replies(self, case: Case) -> list[Reply]:
        language = case.language
        return [
            Reply(
                _(
                    language,
                    "The staff member has closed this conversation. From now on Masar answers you "
                    "again.",
                ),
                self.renderer.menu(language).buttons,
            )
        ]

    def staff_message(self, case: Case, text: str) -> str:
        """A staff member's answer as the user reads it, labelled in their language."""
        return bidi(_(case.language, "Staff: {text}", text=text), case.language)

    # the shared store ------------------------------------------------------------------------------
    async def refresh(self, key: str) -> Case | None:
        """The user's open case as the shared store has it now (several instances of Masar
        open, answer and close cases), merged into this process's view; None if there is none.

        What this process knows and has not finished saving is kept: a case it just opened
        (no record yet), a card it just posted. A record of the same case closed, or of a
        newer case, wins."""
        record = latest_case_record(await self.store.conversation(key))
        stored = Case.from_record(key, record, self.store.secret) if record else None
        known = self.cases.get(self._by_key.get(key, ""))
        if stored is None:
            return known
        if known is not None and known.id == stored.id and stored.open:
            known.answered = known.answered or stored.answered
            known.told_offline = known.told_offline or stored.told_offline
            known.card = known.card or stored.card
            return known
        if known is not None:
            self.cases.pop(known.id, None)
            self._by_key.pop(key, None)
        if not stored.open or stored.channel not in self.staffed:
            return None
        self.cases[stored.id], self._by_key[key] = stored, stored.id
        return stored

    async def find(self, case_id: str) -> Case | None:
        """An open case by its id, as the shared store has it now (the case may have been
        opened, answered or closed by another instance)."""
        case_id = (case_id or "").strip().upper()
        case = self.cases.get(case_id)
        if case is None:  # opened elsewhere: look for it among the open cases
            await self.load()
            case = self.cases.get(case_id)
        if case is None:
            return None
        fresh = await self.refresh(case.key)
        return fresh if fresh is not None and fresh.id == case_id else None

    # the staff's side ------------------------------------------------------------------------------
    def case_of(self, key: str) -> Case | None:
        case_id = self._by_key.get(key)
        return self.cases.get(case_id) if case_id else None

    def case(self, case_id: str) -> Case | None:
        return self.cases.get((case_id or "").strip().upper())

    async def staff_answered(self, case_id: str) -> Case | None:
        case = await self.find(case_id)
        if case is not None and not case.answered:
            case.answered = True
            await self.store.save(case)
        return case

    async def set_card(self, case_id: str, message_id: int) -> None:
        case = await self.find(case_id)
        if case is not None:
            case.card = message_id
            await self.store.save(case)

    async def close(self, case_id: str) -> Case | None:
        """Close an open case (staff's /close, the user's "Back to Masar", /forget)."""
        case = await self.find(case_id)
        if case is None:
            return None
        self.cases.pop(case.id, None)
        self._by_key.pop(case.key, None)
        case.open = False
        await self.store.save(case)
        logger.info(
            "handover: case closed", extra={"masar": {"event": "case_closed", "case": case.id}}
        )
        return case

    async def overdue(self, minutes: float, now: float | None = None) -> list[Case]:
        """Open cases no staff member answered within `minutes`, not yet told; marks them told.
        Every instance that knows a case watches it; the shared store decides which one tells."""
        now = time.time() if now is None else now
        late = [
            c
            for c in self.cases.values()
            if not c.answered and not c.told_offline and now - c.opened >= minutes * 60
        ]
        told = []
        for case in late:
            if await self.store.claim_offline_notice(case):
                told.append(case)
            case.told_offline = True  # told here or elsewhere, answered or closed: done
        return told

    async def load(self) -> int:
        """The open cases of staffed channels, from the store (after a restart); returns how many."""
        for case in await self.store.open_cases(self.staffed):
            self.cases[case.id], self._by_key[case.key] = case, case.id
        return len(self.cases)
