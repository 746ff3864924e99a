"""The conversation store: Rasa's tracker store, plus deletion and retention on top of it.

Everything Masar keeps about a user lives in one place, the Rasa tracker (its events carry
the language and country chosen for each turn as message metadata), under the keyed hash of
the user's id. So /forget and retention each delete one thing, whatever the backend:
SQLite by default, any SQL database or Redis by setting.

A store can fail (PostgreSQL stopped, the SQLite file locked by another process, Redis
unreachable) and its client libraries block while they wait. `StoreInThreads` keeps that
waiting off the event loop, turns every failure into `StoreUnavailable`, and answers /health
truthfully; the engine answers emergencies without waiting for it.

The store keeps what the conversation needs (topics, language, country), not what people
wrote: before a conversation is saved, each message's words are replaced by the topic that
was understood ("/asylum_how_to_apply"), so a name, a passport number or an address typed
into the chat never reaches the database. The SQLite file is readable by its owner only.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypedDict

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

logger = logging.getLogger(__name__)

STORE_THREADS = 4  # store operations at once; more only queue behind a locked database
PROBE_PATIENCE = 1.0  # seconds /health waits for the store before calling it unavailable


class Turn(TypedDict, total=False):
    """What Masar keeps with each user message (Rasa message metadata), never the words: the
    language answered in, the country the user is in, a country the message only mentioned,
    and what the NLU reads to understand follow-ups (the previous answer's topic, whether the
    message names little but a country)."""

    language: str | None
    country: str | None
    mentioned_country: str | None
    previous_topic: str | None
    names_little_but_a_country: bool  # "Almanya'da?": a country and little else (a follow-up)


def latest_turn(tracker) -> Turn:
    """The metadata of the user's last message; empty for a new user (or no tracker)."""
    if tracker is None or tracker.latest_message is None:
        return Turn()
    return Turn(**(tracker.latest_message.metadata or {}))


class StoreUnavailable(Exception):
    """The conversation store failed; the message is the underlying error's type only (the
    error's own text can quote a query, and with it a user's key or metadata)."""


class StoreInThreads(TrackerStore):
    """A tracker store whose blocking work runs in worker threads, not on the event loop.

    SQLAlchemy and redis-py block: with the SQLite file locked, every read waits up to 5 s,
    and on the event loop that wait stalls every conversation, emergencies included. Here it
    holds up only the message that needs the store. Every failure becomes StoreUnavailable.
    """

    def __init__(self, store: TrackerStore, threads: int = STORE_THREADS) -> None:
        self._tracker_store = store
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="masar-store")
        self._loops = threading.local()
        self._probe: asyncio.Future | None = None
        self.problem: str | None = None  # the last operation's error type; None when it worked
        super().__init__(store.domain, store.event_broker)

    @property
    def domain(self) -> Domain:
        return self._tracker_store.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        if hasattr(self, "_tracker_store"):
            self._tracker_store.domain = domain or Domain.empty()

    @property
    def inner(self) -> TrackerStore:
        return self._tracker_store

    def _finish(self, result: Any) -> Any:
        """In a store thread: a coroutine of the inner store runs on this thread's own loop."""
        if inspect.isawaitable(result):
            loop = getattr(self._loops, "loop", None)
            if loop is None:
                loop = self._loops.loop = asyncio.new_event_loop()
            return loop.run_until_complete(result)
        return result

    async def run(self, work: Callable[[], Any]) -> Any:
        """`work()` in a store thread (awaiting what it returns there); failures are
        StoreUnavailable."""
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._pool, lambda: self._finish(work()))
        except Exception as exc:
            self.problem = type(exc).__name__
            raise StoreUnavailable(type(exc).__name__) from exc
        self.problem = None
        return result

    async def retrieve(self, sender_id: str):
        return await self.run(lambda: self._tracker_store.retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str):
        return await self.run(lambda: self._tracker_store.retrieve_full_tracker(conversation_id))

    async def save(self, tracker) -> None:
        without_words(tracker)
        await self.run(lambda: self._tracker_store.save(tracker))

    async def keys(self) -> Iterable[str]:
        return await self.run(self._tracker_store.keys)

    def _read_one(self) -> None:
        """The smallest real read: one row of the events (a locked SQLite file blocks it)."""
        inner = self._tracker_store
        if isinstance(inner, SQLTrackerStore):
            with inner.session_scope() as session:
                session.query(inner.SQLEvent.id).limit(1).all()
        elif isinstance(inner, RedisTrackerStore):
            inner.red.ping()

    async def check(self, patience: float = PROBE_PATIENCE) -> str | None:
        """None if the store answers a read within `patience` seconds, else what is wrong.

        One probe at a time: a health checker polling a locked store does not pile up threads.
        """
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self.run(self._read_one))
            self._probe.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            await asyncio.wait_for(asyncio.shield(self._probe), patience)
        except asyncio.TimeoutError:
            return f"no answer within {patience:g} s"
        except StoreUnavailable as exc:
            return str(exc)
        return None


def without_words(tracker) -> None:
    """Replace what users wrote by the topic understood, in every message of the tracker.

    Nothing later reads the words: the rules, the case summary and retention work on topics
    (intents), and language and country are kept as metadata. Entities are dropped too, since
    their values are words of the message.
    """
    for event in tracker.events:
        if isinstance(event, UserUttered) and event.text and not event.text.startswith("/"):
            topic = f"/{event.intent_name}" if event.intent_name else ""
            event.text = topic
            event.entities = []
            event.parse_data = {**event.parse_data, "text": topic, "entities": []}
            event.parse_data.pop("text_tokens", None)


async def _blocking(store, work: Callable[[], Any]) -> Any:
    """Blocking store work: in the store's threads when it has them."""
    return await store.run(work) if isinstance(store, StoreInThreads) else work()


def create_tracker_store(
    domain: Domain, url: str | None, redis_url: str | None, data_dir: Path, in_memory: bool = False
) -> TrackerStore:
    """In memory (masar ask), Redis, a SQL URL, or SQLite in data_dir (the embedded default)."""
    if in_memory:
        return InMemoryTrackerStore(domain)
    return StoreInThreads(_database(domain, url, redis_url, data_dir))


def _database(domain: Domain, url: str | None, redis_url: str | None, data_dir: Path):
    if redis_url:
        from sqlalchemy.engine.url import make_url

        u = make_url(redis_url.replace("redis://", "redis+x://", 1))
        return RedisTrackerStore(
            domain,
            host=u.host or "localhost",
            port=u.port or 6379,
            db=int(u.database or 0),
            password=u.password,
            key_prefix="masar:",
        )
    if url:
        from sqlalchemy.engine.url import make_url

        u = make_url(url)
        return SQLTrackerStore(
            domain,
            dialect=u.drivername,
            host=u.host,
            port=u.port,
            db=u.database,
            username=u.username,
            password=u.password,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "conversations.db"
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # before SQLite creates it 0644
    path.chmod(0o600)  # SQLite gives its journal files the same mode
    return SQLTrackerStore(domain, dialect="sqlite", db=str(path))


def create_lock_store(redis_url: str | None) -> LockStore:
    """Rasa's per-conversation lock: in memory for one process, in Redis when several
    instances of `masar serve` share the conversation store (so two messages of the same
    user are never handled at once by two instances)."""
    if not redis_url:
        return InMemoryLockStore()
    from urllib.parse import urlsplit

    u = urlsplit(redis_url)
    db = (u.path or "/").strip("/")
    return RedisLockStore(
        host=u.hostname or "localhost",
        port=u.port or 6379,
        db=int(db or 0),
        username=u.username or None,
        password=u.password or None,
        use_ssl=u.scheme == "rediss",
        key_prefix="masar",
    )


def _inner(store):
    return (
        getattr(store, "_tracker_store", None)
        or getattr(store, "inner_tracker_store", None)
        or store
    )


async def delete_conversation(store, sender_id: str) -> None:
    """Delete every stored event of one user, now."""
    inner = _inner(store)

    def work() -> None:
        if isinstance(inner, SQLTrackerStore):
            with inner.session_scope() as session:
                query = session.query(inner.SQLEvent)
                query.filter(inner.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        elif isinstance(inner, RedisTrackerStore):
            inner.red.delete(inner.key_prefix + sender_id)
        elif isinstance(inner, InMemoryTrackerStore):
            inner.store.pop(sender_id, None)
        else:  # pragma: no cover - a store we cannot delete from must not pass silently
            raise TypeError(f"cannot delete conversations from {type(inner).__name__}")

    await _blocking(store, work)


async def purge_older_than(store, days: int, now: float | None = None) -> int:
    """Delete conversations whose last event is older than `days`; return how many."""
    cutoff = (now or time.time()) - days * 86400
    inner = _inner(store)
    deleted = 0
    if isinstance(inner, SQLTrackerStore):
        return await _blocking(store, lambda: _purge_sql(inner, cutoff))
    for sender_id in list(await store.keys()):
        tracker = await store.retrieve(sender_id)
        last = tracker.events[-1].timestamp if tracker and tracker.events else 0
        if last < cutoff:
            await delete_conversation(store, sender_id)
            deleted += 1
    return deleted


def _purge_sql(inner: SQLTrackerStore, cutoff: float) -> int:
    from sqlalchemy import func

    with inner.session_scope() as session:
        E = inner.SQLEvent
        stale = [
            row[0]
            for row in session.query(E.sender_id)
            .group_by(E.sender_id)
            .having(func.max(E.timestamp) < cutoff)
            .all()
        ]
        if stale:
            session.query(E).filter(E.sender_id.in_(stale)).delete(synchronize_session=False)
            session.commit()
        return len(stale)
