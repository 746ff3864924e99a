"""A flat cost per turn: one read and one write of the conversation store per message, sessions
that end after an idle hour or a long talk (language and country carried over), and the text
cleaned and keyed once. Through the real model, the real SQLite store and Masar's layers."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from rasa.shared.core.events import SessionStarted

from bot.conversation_store import StoreInThreads, create_tracker_store, latest_turn
from bot.messages import Incoming


class CountedStore(StoreInThreads):
    """The real SQLite store, counting what is asked of it."""

    reads = saves = 0

    async def retrieve(self, sender_id: str):
        self.reads += 1
        return await super().retrieve(sender_id)

    async def save(self, tracker) -> None:
        self.saves += 1
        await super().save(tracker)


@pytest.fixture
def masar(engine, tmp_path):
    """The engine with its layers, its conversations in a counted SQLite store for one test."""
    from bot.masar import compose

    store = CountedStore(create_tracker_store(engine.agent.domain, None, None, tmp_path).inner)
    before = engine.agent.tracker_store
    engine.agent.tracker_store = engine.agent.processor.tracker_store = store
    try:
        yield compose(engine), store
    finally:
        engine.agent.tracker_store = engine.agent.processor.tracker_store = before


def say(masar, user: str, text: str, **kw):
    return asyncio.run(masar.handle(Incoming(user, text, channel="rest", **kw)))


def test_each_message_reads_the_conversation_once_and_writes_it_once(masar):
    layers, store = masar
    for text in (
        "/start",
        "/language en",
        "how do i ask for asylum in germany",
        "and in france?",
        "/country IT",
        "/asylum_basics",
        "italy",
        "the boss kept my passport and says i owe him, i work 14 hours with no pay",
    ):
        store.reads = store.saves = 0
        answer = say(layers, "once-1", text)
        assert answer.replies, text
        assert (store.reads, store.saves) == (1, 1), text


def test_after_an_idle_hour_a_new_session_begins_with_the_language_and_country(masar):
    layers, store = masar
    say(layers, "idle-1", "/language fa")
    say(layers, "idle-1", "/country DE")
    asked = say(layers, "idle-1", "چطور درخواست پناهندگی بدم؟")
    assert asked.language == "fa"
    key = Incoming("idle-1", "", channel="rest").key(layers.engine.secret)
    inner = store.inner
    with inner.session_scope() as session:  # the conversation fell silent two hours ago
        for row in session.query(inner.SQLEvent).filter(inner.SQLEvent.sender_id == key):
            data = json.loads(row.data)
            data["timestamp"] -= 7200
            row.data, row.timestamp = json.dumps(data), row.timestamp - 7200
        session.commit()
    store.reads = store.saves = 0
    answer = say(layers, "idle-1", "ok")
    assert answer.language == "fa"
    assert (store.reads, store.saves) == (1, 1)
    tracker = asyncio.run(store.retrieve(key))
    assert any(isinstance(e, SessionStarted) for e in tracker.events)
    assert all(e.timestamp > time.time() - 3600 for e in tracker.events)  # the new session only
    turn = latest_turn(tracker)
    assert (turn["language"], turn["country"]) == ("fa", "DE")
    assert not turn.get("previous_topic")  # a message after hours is no follow-up
    full = asyncio.run(store.retrieve_full_tracker(key))
    assert len(full.events) > len(tracker.events)  # the old session is kept, just not read


def test_a_long_conversation_is_read_in_short_sessions(masar):
    from bot.engine import SESSION_EVENTS

    layers, store = masar
    say(layers, "long-1", "/language so")
    say(layers, "long-1", "/country IT")
    key = Incoming("long-1", "", channel="rest").key(layers.engine.secret)
    for _ in range(40):
        answer = say(layers, "long-1", "/asylum_basics")
    assert answer.language == "so" and answer.topic == "asylum_basics"
    tracker = asyncio.run(store.retrieve(key))
    assert len(tracker.events) <= SESSION_EVENTS + 10
    assert (latest_turn(tracker)["language"], latest_turn(tracker)["country"]) == ("so", "IT")
    assert len(asyncio.run(store.retrieve_full_tracker(key)).events) > 160


def test_a_message_is_cleaned_and_keyed_once():
    message = Incoming("u-1", "hello\u0000 there", channel="rest")
    assert message.cleaned == "hello there"
    assert message.cleaned is message.cleaned
    assert message.key(b"s") is message.key(b"s")
    assert message.key(b"s") != message.key(b"t")
