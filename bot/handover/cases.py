"""Cases: what staff see of a handover, and where its state is kept.

A case is a short id, the user's keyed hash, language, topic, country and a summary the bot
writes from the conversation's topics. Never a name, a phone number or a message on the
card: the staff group can be large, and the card is all it needs to decide who answers.

Case state lives where everything else about the user lives: in their Rasa tracker, as the
metadata of bot events, so /forget and retention delete it with the conversation. The chat
address staff answers go to is kept there sealed (bot/handover/sealing.py), never in clear.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields

from rasa.shared.core.events import ActionExecuted, BotUttered

from .. import build
from ..content.catalogue import GROUP_OF
from ..conversation_store import StoreUnavailable, Turn, conversation_keys, latest_turn
from ..i18n import babel_locale
from ..messages import Answer
from .sealing import SealBroken, seal, unseal

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
    """An answer with notes for staff; the staff desk posts them after the user's replies."""

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
        """The case of a stored record; None if the record is broken or its address does not
        open (changed, or sealed with another key)."""
        try:
            values = {
                f.name: data[f.name]
                for f in fields(cls)
                if f.name in data and f.name not in ("key", "address")
            }
            return cls(key=key, address=unseal(secret, data["address"]), **values)
        except (KeyError, TypeError, ValueError, SealBroken):
            return None


def new_case_id(taken: set[str]) -> str:
    while True:
        case_id = "".join(secrets.choice(ID_LETTERS) for _i in range(ID_LENGTH))
        if case_id not in taken:
            return case_id


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


# -- the store ---------------------------------------------------------------------------------------
class CaseStore:
    """Cases in the users' Rasa trackers (the conversation store), written in the user's turn
    (the engine's `Turns`, shared by every instance) so no message's events are lost."""

    def __init__(self, tracker_store, turns, secret: bytes) -> None:
        self.tracker_store, self.turns, self.secret = tracker_store, turns, secret

    async def save(self, case: Case) -> None:
        """Append the case's state to the user's tracker (in the user's turn)."""
        async with self.turns.turn(case.key):
            tracker = await self.tracker_store.get_or_create_tracker(
                case.key, append_action_listen=False
            )
            tracker.update(BotUttered(metadata={CASE: case.record(self.secret)}))
            await self.tracker_store.save(tracker)

    async def claim_offline_notice(self, case: Case) -> bool:
        """True if this instance is to tell the user that staff may be offline: read and marked
        in the user's turn, so that of several instances watching the same case exactly one
        does; False when another one did, or staff answered or closed it meanwhile."""
        async with self.turns.turn(case.key):
            record = latest_case_record(await self.tracker_store.retrieve(case.key))
            stored = Case.from_record(case.key, record, self.secret) if record else None
            done_elsewhere = (
                stored is not None
                and stored.id == case.id
                and (stored.told_offline or stored.answered or not stored.open)
            )
            if done_elsewhere:
                return False
            case.told_offline = True
            tracker = await self.tracker_store.get_or_create_tracker(
                case.key, append_action_listen=False
            )
            tracker.update(BotUttered(metadata={CASE: case.record(self.secret)}))
            await self.tracker_store.save(tracker)
            return True

    async def conversation(self, key: str):
        """The user's tracker (None for a new user)."""
        return await self.tracker_store.retrieve(key)

    async def latest(self, key: str) -> Turn:
        """The conversation's latest turn (country, language); empty when the store fails,
        because it only completes an alert or a notice that must go out anyway."""
        try:
            return latest_turn(await self.tracker_store.retrieve(key))
        except StoreUnavailable:
            return Turn()

    async def open_cases(self, channels: set[str]) -> list[Case]:
        """The open cases of `channels`, from the store (after a restart)."""
        store = self.tracker_store
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
            keys = await conversation_keys(store)
        cases = []
        for key in keys:
            # every session: a case may have been opened before the last one began
            record = latest_case_record(await store.retrieve_full_tracker(key))
            if not record or not record.get("open") or record.get("channel") not in channels:
                continue
            case = Case.from_record(key, record, self.secret)
            if case is not None:
                cases.append(case)
        return cases


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
