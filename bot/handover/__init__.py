"""A human when it matters: handing a conversation to NGO staff, with the user's consent.

- layer.py   the layer around the engine's answer: consent, cases, relaying (decides, never sends)
- cases.py   what a case is, what staff read about it, and where it is kept (the Rasa tracker)
- desk.py    the staff desk: case notes into the staff room, staff answers to the user's channel
- sealing.py the chat address in the store, sealed with authenticated encryption
"""

from .cases import (
    Case,
    CaseStore,
    HandoverAnswer,
    StaffNote,
    alert_text,
    card_text,
    relay_text,
    staff_notes,
)
from .desk import Delivery, FromStaff, NotDelivered, RoomMessage, StaffDesk, StaffRoom
from .layer import HELP_TOPIC, Handover
from .sealing import SealBroken, seal, unseal

__all__ = [
    "HELP_TOPIC",
    "Case",
    "CaseStore",
    "Delivery",
    "FromStaff",
    "Handover",
    "HandoverAnswer",
    "NotDelivered",
    "RoomMessage",
    "SealBroken",
    "StaffDesk",
    "StaffNote",
    "StaffRoom",
    "alert_text",
    "card_text",
    "relay_text",
    "seal",
    "staff_notes",
    "unseal",
]
