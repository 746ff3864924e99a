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
import contextlib
import functools
import inspect
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypedDict

from rasa.core.lock_store import InMemoryLockStore, LockStore
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
TURN_BEAT = 3.0  # seconds between the signs of life of a message waiting or being handled
TURN_ALIVE = 15.0  # a message with no sign of life for this long lost its process: skipped
TURN_POLL = 0.01  # seconds between two looks at whose turn it is
TURN_PATIENCE = 120.0  # a message waits at most this long for the messages before it
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
    domain: Domain,
    url: str | None,
    redis_url: str | None,
    data_dir: Path,
    in_memory: bool = False,
    retention_days: int | None = None,
) -> TrackerStore:
    """In memory (masar ask), a SQL URL, Redis, or SQLite in data_dir (the embedded default).
    With a SQL URL and Redis both set, conversations go to the database and Redis holds the
    turns (`create_turns`). In Redis a conversation expires `retention_days` after its last
    message: Redis deletes it even when no purge runs."""
    if in_memory:
        return InMemoryTrackerStore(domain)
    return StoreInThreads(_database(domain, url, redis_url, data_dir, retention_days))


def _database(
    domain: Domain,
    url: str | None,
    redis_url: str | None,
    data_dir: Path,
    retention_days: int | None = None,
):
    if redis_url and not url:
        from sqlalchemy.engine.url import make_url

        u = make_url(redis_url.replace("redis://", "redis+x://", 1))
        return RedisTrackerStore(
            domain,
            host=u.host or "localhost",
            port=u.port or 6379,
            db=int(u.database or 0),
            password=u.password,
            key_prefix="masar",  # keys masar:tracker:<user key>
            record_exp=retention_days * 86400 if retention_days else None,
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
    """Rasa's own per-conversation lock, inside one process only: the engine already lets
    one message of a user in at a time (`Turns`, shared through Redis when set), so Rasa's
    lock never waits. Rasa's RedisLockStore is not used: its ticket queue is read, changed
    and written back in three steps, so two instances issuing tickets at once overwrite each
    other (both served at once, or a ticket lost and a `LockError`)."""
    return InMemoryLockStore()


class Place:
    """One message's place in its conversation's line: taken on arrival (`Turns.arrive`),
    served when every message before it has left (`turn`), given up with `leave`."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._left = False

    async def turn(self) -> None:
        """Wait until the messages that arrived before this one have been handled."""
        raise NotImplementedError

    async def leave(self) -> None:
        """Let the next message in (idempotent)."""
        raise NotImplementedError


class Turns:
    """One user's messages handled one at a time, in the order they arrived, whichever
    instance of `masar serve` received them.

    Rasa's lock is taken only around the dialogue step, after our own reading of the message
    (language, NLU), whose time varies: a message that arrived second could take the lock
    first. Here the place in line is taken the moment the message arrives, and kept for the
    whole turn (reading the conversation, answering, saving it)."""

    def arrive(self, key: str) -> Place:
        raise NotImplementedError

    async def check(self, patience: float = PROBE_PATIENCE) -> str | None:
        """None if the line can be used (within one process it always can), else what is wrong."""
        return None

    @contextlib.asynccontextmanager
    async def turn(self, key: str):
        """The conversation to oneself: for work outside a message (a staff reply, /forget)."""
        place = self.arrive(key)
        try:
            await place.turn()
            yield place
        finally:
            await place.leave()


class _LocalPlace(Place):
    def __init__(self, line: list[_LocalPlace], key: str, lines: dict) -> None:
        super().__init__(key)
        self._line, self._lines = line, lines
        self._ready = asyncio.Event()

    async def turn(self) -> None:
        await asyncio.wait_for(self._ready.wait(), TURN_PATIENCE)

    async def leave(self) -> None:
        if self._left:
            return
        self._left = True
        first = self._line and self._line[0] is self
        self._line.remove(self)
        if not self._line:
            self._lines.pop(self.key, None)
        elif first:
            self._line[0]._ready.set()


class LocalTurns(Turns):
    """Turns within this process: one instance only (SQLite, or a single-instance setting)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[_LocalPlace]] = {}

    def arrive(self, key: str) -> Place:
        line = self._lines.setdefault(key, [])
        place = _LocalPlace(line, key, self._lines)
        line.append(place)
        if len(line) == 1:
            place._ready.set()
        return place


class _RedisPlace(Place):
    """A token in the conversation's Redis list, with a key that says its owner is alive.

    Every step is one atomic Redis command: the line is never read, changed and written
    back. A token whose owner stopped giving signs of life (a process that died mid-turn)
    is removed by the next message in line, so one crash cannot block a user for ever."""

    def __init__(self, turns: RedisTurns, key: str) -> None:
        super().__init__(key)
        self._turns = turns
        self.token = uuid.uuid4().hex
        self.line = f"{turns.prefix}line:{key}"
        self._joined = asyncio.ensure_future(self._join())
        self._beat: asyncio.Task | None = None

    def _alive(self, token: str) -> str:
        return f"{self._turns.prefix}alive:{token}"

    async def _join(self) -> None:
        red = self._turns.client()
        async with red.pipeline(transaction=True) as pipe:
            pipe.set(self._alive(self.token), 1, px=int(TURN_ALIVE * 1000))
            pipe.rpush(self.line, self.token)
            pipe.pexpire(self.line, int(TURN_PATIENCE * 2000))
            await pipe.execute()
        self._beat = asyncio.ensure_future(self._beating())

    async def _beating(self) -> None:
        red = self._turns.client()
        while True:
            await asyncio.sleep(TURN_BEAT)
            with contextlib.suppress(Exception):  # a missed beat only risks being skipped
                await red.pexpire(self._alive(self.token), int(TURN_ALIVE * 1000))
                await red.pexpire(self.line, int(TURN_PATIENCE * 2000))

    async def turn(self) -> None:
        # shielded: a caller that stops waiting (a doubted alarm waits briefly) must not cancel
        # the joining itself, which a later turn() or leave() still awaits
        await asyncio.shield(self._joined)
        red = self._turns.client()
        loop = asyncio.get_running_loop()
        until = loop.time() + TURN_PATIENCE
        while True:
            first = await red.lindex(self.line, 0)
            if first is None or first == self.token:
                if first is None:  # skipped as dead (this process stalled): in line again
                    await red.rpush(self.line, self.token)
                    continue
                return
            if not await red.exists(self._alive(first)):
                await red.lrem(self.line, 1, first)
                continue
            if loop.time() > until:
                raise asyncio.TimeoutError("waited too long for the messages before it")
            await asyncio.sleep(TURN_POLL)

    async def leave(self) -> None:
        if self._left:
            return
        self._left = True
        try:
            await asyncio.shield(self._joined)
        except Exception:  # never joined: nothing to leave
            return
        finally:  # after the joining, which starts the beat
            if self._beat is not None:
                self._beat.cancel()
        async with self._turns.client().pipeline(transaction=True) as pipe:
            pipe.lrem(self.line, 1, self.token)
            pipe.delete(self._alive(self.token))
            await pipe.execute()


class RedisTurns(Turns):
    """Turns shared by every instance through Redis (MASAR_REDIS_URL)."""

    prefix = "masar:turn:"

    def __init__(self, url: str) -> None:
        self.url = url
        self._clients: dict[int, Any] = {}

    def client(self):
        """A client for the running event loop (its connections belong to that loop)."""
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(id(loop))
        if client is None:
            self._clients.clear()
            client = self._clients[id(loop)] = redis.asyncio.Redis.from_url(
                self.url, decode_responses=True, socket_timeout=10
            )
        return client

    def arrive(self, key: str) -> Place:
        return _RedisPlace(self, key)

    async def check(self, patience: float = PROBE_PATIENCE) -> str | None:
        """None if Redis answers within `patience` seconds: without it no message gets its turn."""
        try:
            await asyncio.wait_for(self.client().ping(), patience)
        except asyncio.TimeoutError:
            return f"turns in Redis: no answer within {patience:g} s"
        except Exception as exc:  # connection refused, authentication, ...
            return f"turns in Redis: {type(exc).__name__}"
        return None


def create_turns(redis_url: str | None) -> Turns:
    """Turns shared through Redis when MASAR_REDIS_URL is set, else within this process."""
    return RedisTurns(redis_url) if redis_url else LocalTurns()


def _inner(store):
    return (
        getattr(store, "_tracker_store", None)
        or getattr(store, "inner_tracker_store", None)
        or store
    )


async def delete_conversation(store, sender_id: str, turns: Turns | None = None) -> None:
    """Delete every stored event of one user, now; with `turns`, after the user's messages
    already in flight have been handled (else their events would be saved after the deletion).
    Inside a message's own turn (/forget), call it without `turns`."""
    if turns is not None:
        async with turns.turn(sender_id):
            await delete_conversation(store, sender_id)
        return
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


async def purge_older_than(
    store, days: int, now: float | None = None, turns: Turns | None = None
) -> int:
    """Delete conversations whose last event is older than `days`; return how many.

    Each one is deleted in its user's turn (`turns`) and only if it is still old then: a
    message arriving meanwhile keeps the conversation, and is never half deleted."""
    cutoff = (now or time.time()) - days * 86400
    inner = _inner(store)
    turns = turns or LocalTurns()
    if isinstance(inner, SQLTrackerStore):
        stale = await _blocking(store, lambda: _stale_sql(inner, cutoff))
    else:
        stale = await conversation_keys(store)
    deleted = 0
    for sender_id in stale:
        async with turns.turn(sender_id):
            if isinstance(inner, SQLTrackerStore):
                gone = await _blocking(
                    store, functools.partial(_purge_sql, inner, cutoff, sender_id)
                )
            else:
                tracker = await store.retrieve(sender_id)
                last = tracker.events[-1].timestamp if tracker and tracker.events else None
                gone = last is not None and last < cutoff
                if gone:
                    await delete_conversation(store, sender_id)
            deleted += bool(gone)
    return deleted


async def conversation_keys(store) -> list[str]:
    """Every conversation's key (the user's keyed hash), whatever the store: Redis lists its
    keys with their prefix, which `retrieve` adds again."""
    prefix = getattr(_inner(store), "key_prefix", "")
    return [k[len(prefix) :] if prefix and k.startswith(prefix) else k for k in await store.keys()]


def _stale_sql(inner: SQLTrackerStore, cutoff: float) -> list[str]:
    from sqlalchemy import func

    with inner.session_scope() as session:
        E = inner.SQLEvent
        return [
            row[0]
            for row in session.query(E.sender_id)
            .group_by(E.sender_id)
            .having(func.max(E.timestamp) < cutoff)
            .all()
        ]


def _purge_sql(inner: SQLTrackerStore, cutoff: float, sender_id: str) -> bool:
    """Delete one conversation if its last event is still older than `cutoff`."""
    from sqlalchemy import func

    with inner.session_scope() as session:
        E = inner.SQLEvent
        last = session.query(func.max(E.timestamp)).filter(E.sender_id == sender_id).scalar()
        if last is None or last >= cutoff:
            return False
        session.query(E).filter(E.sender_id == sender_id).delete(synchronize_session=False)
        session.commit()
        return True
