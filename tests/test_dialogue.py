"""What the engine answers to what is not written (bot/dialogue.py), the same for every
channel: a shared location, a location shared in a group, a voice note or a photo."""

from __future__ import annotations

import asyncio

from bot.i18n import _, country_name
from bot.messages import Incoming, Location

ROME, ATLANTIC = Location(41.90, 12.50), Location(30.0, -40.0)


def said(engine, user: str, channel: str = "whatsapp", **facts):
    return asyncio.run(engine.handle(Incoming(user, "", channel=channel, **facts)))


def test_a_location_becomes_a_question_in_the_conversations_language(engine, ask):
    ask("dialogue-1", "چطور درخواست پناهندگی بدم؟", channel="whatsapp")  # Persian
    answer = said(engine, "dialogue-1", location=ROME)
    assert answer.language == "fa" and answer.topic == "find_help"
    (question,) = answer.replies
    assert country_name("IT", "fa") in question.text
    assert [(b.title, b.payload) for b in question.buttons] == [
        (_("fa", "Yes"), "/country IT"),
        (_("fa", "No"), "/menu"),
    ]


def test_a_place_outside_the_directory_lets_the_user_choose_a_country(engine, ask):
    answer = said(engine, "dialogue-2", location=ATLANTIC)
    assert answer.topic == "find_help"
    assert answer.replies == ask("dialogue-2b", "/country", channel="whatsapp").replies


def test_a_location_in_a_group_is_not_used(engine):
    answer = said(engine, "dialogue-3", "telegram-group", location=ROME, group=True)
    (warning,) = answer.replies
    assert warning.text == _(
        "en",
        "Please do not share your location in a group. Write to me in a private chat instead.",
    )
    assert country_name("IT", "en") not in warning.text


def test_a_voice_note_gets_a_polite_answer_and_the_menu_in_the_client_language(engine):
    answer = said(engine, "dialogue-4", "telegram", media=True, client_language="ar")
    (reply,) = answer.replies
    assert answer.language == "ar" and answer.topic == "media"
    assert reply.text == _(
        "ar",
        "I can only read written messages, not voice notes, photos or files. "
        "Please write your question, or choose a topic:",
    )
    assert len(reply.buttons) >= 6
