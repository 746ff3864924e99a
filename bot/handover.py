"""A human when it matters: handing a conversation to NGO staff, with the user's consent.

"Talk to a person" (the topic human_help, its button, or the person offered after signs of
trafficking or kidnapping) asks first; only a "yes" opens a case. A case is what staff see:
a short id, the user's keyed hash, language, topic, country and a summary the bot writes
from the conversation's topics. Never a name, a phone number or a message on the card: the
staff group can be large, and the card is all it needs to decide who answers.

While a case is open, what the user writes goes to staff instead of to the bot, except that
the emergency net still runs first: an emergency gets the bot's emergency answer at once and
is passed on too. Staff answer through their channel (the staff Telegram group) and close the
case with a command; the bot then answers again. When no staff desk exists for a channel, or
staff have not answered within the timeout, the user is told so honestly, with the numbers to
call and where to find help meanwhile.

This module decides; channels carry. The answers it returns carry `staff` notes (a card, a
relayed message, an alert) that a channel with a staff desk delivers after the user's own
replies, so nothing is ever slower for the user because staff are told.

Case state lives where everything else about the user lives: in their Rasa tracker, as the
metadata of bot events, so /forget and retention delete it with the conversation. The chat
address staff answers go to is kept there sealed with the user-key secret, never in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields

from rasa.shared.core.events import ActionExecuted, BotUttered

from . import build, privacy
from .answers import topic_button
from .content.catalogue import GROUP_OF, LANGUAGES
from .conversations import StoreUnavailable
from .i18n import _, babel_locale, bidi
from .messages import Answer, Button, Incoming, Reply

logger = logging.getLogger(__name__)

HELP_TOPIC = "human_help"
SIGN_TOPICS = (
    "trafficking_signs",
    "kidnapping_extortion",
)  # the trafficking and kidnapping answers
CASE = "masar_case"  # metadata key of the bot events that hold a case's state
ID_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: staff type these ids
ID_LENGTH = 5
SUMMARY_TOPICS = 5  # the last topics of the conversation named on the card


# -- what staff see -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffNote:
    """One message for the staff group: a case card, a relayed message, an alert, a closed case."""

    kind: str  # card | relay | alert | closed | waiting
    text: str
    case: str | None = None


@dataclass
class HandoverAnswer(Answer):
    """An answer with notes for staff; channels without a staff desk simply ignore them."""

    staff: list[StaffNote] = field(default_factory=list)

    def to_json(self) -> dict:
        data = super().to_json()
        data.pop("staff", None)  # for the staff group only, never for the user's channel
        return data


def with_staff(answer: Answer, notes: list[StaffNote]) -> Answer:
    if not notes:
        return answer
    return HandoverAnswer(**{f.name: getattr(answer, f.name) for f in fields(Answer)}, staff=notes)


def staff_notes(answer: Answer) -> list[StaffNote]:
    return list(getattr(answer, "staff", None) or [])


def language_label(code: str) -> str:
    """'Arabic (ar)': staff read English; the code is what the summary uses."""
    try:
        return f"{babel_locale(code).get_display_name('en')} ({code})"
    except (ValueError, TypeError):
        return code


# -- a case -----------------------------------------------------------------------------------------
@dataclass
class Case:
    """An open (or just closed) handover. `address` is where the user's channel reaches them
    (a Telegram chat id): kept in memory, and in the store only sealed."""

    id: str
    key: str  # privacy.user_key of the user: the only identity staff see
    channel: str
    address: str
    language: str
    topic: str
    country: str | None
    topics: list[str]
    opened: float
    answered: bool = False  # a staff member has written to the user
    told_offline: bool = False  # the user was told staff may be offline
    card: int | None = None  # the case card's message in the staff group
    open: bool = True

    @property
    def summary(self) -> str:
        topics = ", ".join(self.topics) if self.topics else "none yet"
        return f"Topics: {topics}. Country: {self.country or 'unknown'}. Language: {self.language}."

    def record(self, secret: bytes) -> dict:
        data = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("key", "address")
        }
        data["address"] = seal(secret, self.address)
        return data

    @classmethod
    def from_record(cls, key: str, data: dict, secret: bytes) -> Case | None:
        try:
            values = {
                f.name: data[f.name]
                for f in fields(cls)
                if f.name in data and f.name not in ("key", "address")
            }
            return cls(key=key, address=unseal(secret, data["address"]), **values)
        except (KeyError, TypeError, ValueError):
            return None


def new_case_id(taken: set[str]) -> str:
    while True:
        case_id = "".join(secrets.choice(ID_LETTERS) for _i in range(ID_LENGTH))
        if case_id not in taken:
            return case_id


def _stream(secret: bytes, nonce: bytes, size: int) -> bytes:
    blocks, counter = b"", 0
    while len(blocks) < size:
        blocks += hmac.new(
            secret, b"masar-case-address" + nonce + counter.to_bytes(4, "big"), hashlib.sha256
        ).digest()
        counter += 1
    return blocks[:size]


def seal(secret: bytes, address: str) -> str:
    """The chat address, encrypted with the user-key secret (HMAC-SHA256 as a stream cipher,
    a fresh nonce each time): the store never holds a Telegram id in clear, yet staff answers
    still reach the user after a restart."""
    data, nonce = address.encode("utf-8"), secrets.token_bytes(12)
    hidden = bytes(a ^ b for a, b in zip(data, _stream(secret, nonce, len(data)), strict=True))
    return base64.urlsafe_b64encode(nonce + hidden).decode()


def unseal(secret: bytes, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    nonce, data = raw[:12], raw[12:]
    return bytes(
        a ^ b for a, b in zip(data, _stream(secret, nonce, len(data)), strict=True)
    ).decode("utf-8")


# -- staff-group texts (English: the staff's working language; no user data but the key) -------------
def card_text(case: Case) -> str:
    return (
        f"Case {case.id}: a user asks to talk to a person.\n"
        f"Language: {language_label(case.language)}\n"
        f"Topic: {case.topic}\n"
        f"Country: {case.country or 'unknown'}\n"
        f"Summary: {case.summary}\n"
        f"User key: {case.key}\n\n"
        f"Reply to this card or to a relayed message to answer the user (write in their language if you can). "
        f"Close the case with /close {case.id}, or reply /close to this card."
    )


def relay_text(case: Case, text: str) -> str:
    return f"Case {case.id}: {text}"


def alert_text(kind: str, topic: str, language: str, country: str | None, case: Case | None) -> str:
    what = "emergency" if kind == "emergency" else "signs of trafficking or kidnapping"
    done = (
        "The user got the emergency numbers."
        if kind == "emergency"
        else "The user got the protection answer and was offered a person."
    )
    return (
        f"Alert: {what}. Topic: {topic}. Language: {language_label(language)}. "
        f"Country: {country or 'unknown'}. Case: {case.id if case else 'no case'}. {done}"
    )


# -- the handover ------------------------------------------------------------------------------------
AnswerMessage = Callable[[Incoming], Awaitable[Answer]]


class Handover:
    """Consent, cases and relaying, for every channel; `staffed` are the channels whose
    staff desk is configured (the Telegram channel adds itself when MASAR_STAFF_CHAT_ID is set)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.staffed: set[str] = set()
        self.cases: dict[str, Case] = {}  # open cases by id
        self._by_key: dict[str, str] = {}  # user key -> open case id

    # the user's side ----------------------------------------------------------------------------
    async def handle(self, message: Incoming, answer_message: AnswerMessage) -> Answer:
        """Answer one message: by the bot (`answer_message`), or by passing it to staff."""
        from .engine import clean_text

        key = privacy.user_key(self.engine.secret, message.channel, str(message.user))
        text = clean_text(message.text)
        command, arg = "", ""
        if text.startswith("/"):
            command, _sep, arg = text[1:].partition(" ")
            command, arg = command.split("@")[0].lower(), arg.strip().lower()
        case = self.case_of(key)
        if case is not None:
            return await self._during_case(case, message, text, command, arg, answer_message)
        if command == HELP_TOPIC and arg in ("yes", "no", "stop"):
            return await self._consent(message, key, arg == "yes")
        answer = await answer_message(message)
        if answer.topic == HELP_TOPIC:
            answer.replies = answer.replies + await self._offer(message, key, answer.language)
        if (
            not command
            and message.channel in self.staffed
            and (answer.emergency or answer.topic in SIGN_TOPICS)
        ):
            state = await self._latest(key)
            kind = "emergency" if answer.emergency else "sign"
            return with_staff(
                answer,
                [
                    StaffNote(
                        "alert",
                        alert_text(kind, answer.topic, answer.language, state.get("country"), None),
                    )
                ],
            )
        return answer

    async def _during_case(
        self,
        case: Case,
        message: Incoming,
        text: str,
        command: str,
        arg: str,
        answer_message: AnswerMessage,
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
                    self.engine.renderer.menu(language).buttons,
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
            return with_staff(await answer_message(message), notes)
        notes = [StaffNote("relay", relay_text(case, text), case.id)] if text else []
        if text and await self.engine.sounds_like_emergency(text):
            answer = await answer_message(
                message
            )  # the emergency answer first, then staff are told
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
            return self.offline_replies(
                language, (await self._latest(key)).get("country"), waited=False
            )
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
        tracker = await self.engine.agent.tracker_store.retrieve(key)
        state = (
            dict(tracker.latest_message.metadata or {})
            if tracker and tracker.latest_message
            else {}
        )
        language = (
            message.language
            if message.language in LANGUAGES
            else state.get("language") or _client(message.client_language) or "en"
        )
        user, text, country = str(message.user), str(message.text), state.get("country")
        if not yes:
            return Answer(
                user, text, language, HELP_TOPIC, 1.0, [self.engine.renderer.menu(language)]
            )
        if message.channel not in self.staffed:
            return Answer(
                user,
                text,
                language,
                HELP_TOPIC,
                1.0,
                self.offline_replies(language, country, waited=False),
            )
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
        await self._save(case)
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
        numbers = self.engine.renderer.emergency_numbers(
            self.engine.content.countries.get(country or ""), language, at_sea=False
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
                self.engine.renderer.menu(language).buttons,
            )
        ]

    def staff_message(self, case: Case, text: str) -> str:
        """A staff member's answer as the user reads it, labelled in their language."""
        return bidi(_(case.language, "Staff: {text}", text=text), case.language)

    # the staff's side ------------------------------------------------------------------------------
    def case_of(self, key: str) -> Case | None:
        case_id = self._by_key.get(key)
        return self.cases.get(case_id) if case_id else None

    def case(self, case_id: str) -> Case | None:
        return self.cases.get((case_id or "").strip().upper())

    async def staff_answered(self, case_id: str) -> Case | None:
        case = self.case(case_id)
        if case is not None and not case.answered:
            case.answered = True
            await self._save(case)
        return case

    async def set_card(self, case_id: str, message_id: int) -> None:
        case = self.case(case_id)
        if case is not None:
            case.card = message_id
            await self._save(case)

    async def close(self, case_id: str) -> Case | None:
        """Close an open case (staff's /close, the user's "Back to Masar", /forget)."""
        case = self.cases.pop((case_id or "").strip().upper(), None)
        if case is None:
            return None
        self._by_key.pop(case.key, None)
        case.open = False
        await self._save(case)
        logger.info(
            "handover: case closed", extra={"masar": {"event": "case_closed", "case": case.id}}
        )
        return case

    async def overdue(self, minutes: float, now: float | None = None) -> list[Case]:
        """Open cases no staff member answered within `minutes`, not yet told; marks them told."""
        now = time.time() if now is None else now
        late = [
            c
            for c in self.cases.values()
            if not c.answered and not c.told_offline and now - c.opened >= minutes * 60
        ]
        for case in late:
            case.told_offline = True
            await self._save(case)
        return late

    # the store -----------------------------------------------------------------------------------
    async def _save(self, case: Case) -> None:
        """Append the case's state to the user's tracker (under the conversation's lock)."""
        agent = self.engine.agent
        async with agent.lock_store.lock(case.key):
            tracker = await agent.tracker_store.get_or_create_tracker(
                case.key, append_action_listen=False
            )
            tracker.update(BotUttered(metadata={CASE: case.record(self.engine.secret)}))
            await agent.tracker_store.save(tracker)

    async def _latest(self, key: str) -> dict:
        """The conversation's latest metadata (country, language); {} when the store fails,
        because it only completes an alert or a notice that must go out anyway."""
        try:
            tracker = await self.engine.agent.tracker_store.retrieve(key)
        except StoreUnavailable:
            return {}
        return (
            dict(tracker.latest_message.metadata or {})
            if tracker and tracker.latest_message
            else {}
        )

    async def load(self) -> int:
        """The open cases of staffed channels, from the store (after a restart); returns how many."""
        store = self.engine.agent.tracker_store
        inner = (
            getattr(store, "_tracker_store", None)
            or getattr(store, "inner_tracker_store", None)
            or store
        )
        if hasattr(inner, "SQLEvent"):  # SQL: only conversations that ever had a case
            with inner.session_scope() as session:
                E = inner.SQLEvent
                keys = [
                    k
                    for (k,) in session.query(E.sender_id)
                    .filter(E.type_name == BotUttered.type_name, E.data.like(f'%"{CASE}"%'))
                    .distinct()
                ]
        else:
            keys = list(await store.keys())
        for key in keys:
            tracker = await store.retrieve(key)
            record = latest_case_record(tracker)
            if not record or not record.get("open") or record.get("channel") not in self.staffed:
                continue
            case = Case.from_record(key, record, self.engine.secret)
            if case is not None:
                self.cases[case.id], self._by_key[key] = case, case.id
        return len(self.cases)


def latest_case_record(tracker) -> dict | None:
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, BotUttered) and CASE in (event.metadata or {}):
            return event.metadata[CASE]
    return None


def conversation_topics(tracker) -> list[str]:
    """The last few topics the bot answered in this conversation (conversation topics like
    greetings left out): the summary on the case card, with no word the user wrote."""
    topics: list[str] = []
    for event in tracker.events if tracker else []:
        if isinstance(event, ActionExecuted):
            topic = build.topic_of(event.action_name)
            if topic and GROUP_OF.get(topic) not in (None, "conversation"):
                if topic in topics:
                    topics.remove(topic)
                topics.append(topic)
    return topics[-SUMMARY_TOPICS:]


def _client(code: str | None) -> str | None:
    code = (code or "").split("-")[0].lower()
    return code if code in LANGUAGES else None
