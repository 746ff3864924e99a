"""The conversation store: Rasa's tracker store, plus deletion and retention on top of it.

Everything Masar keeps about a user lives in one place, the Rasa tracker (its events carry
the language and country chosen for each turn as message metadata), under the keyed hash of
the user's id. So /forget and retention each delete one thing, whatever the backend:
SQLite by default, any SQL database or Redis by setting.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.domain import Domain

logger = logging.getLogger(__name__)


def create_tracker_store(
    domain: Domain, url: str | None, redis_url: str | None, data_dir: Path, in_memory: bool = False
) -> TrackerStore:
    """In memory (masar ask), Redis, a SQL URL, or SQLite in data_dir (the embedded default)."""
    if in_memory:
        return InMemoryTrackerStore(domain)
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
    return SQLTrackerStore(domain, dialect="sqlite", db=str(data_dir / "conversations.db"))


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
    if isinstance(inner, SQLTrackerStore):
        with inner.session_scope() as session:
            session.query(inner.SQLEvent).filter(inner.SQLEvent.sender_id == sender_id).delete()
            session.commit()
    elif isinstance(inner, RedisTrackerStore):
        inner.red.delete(inner.key_prefix + sender_id)
    elif isinstance(inner, InMemoryTrackerStore):
        inner.store.pop(sender_id, None)
    else:  # pragma: no cover - a store we do not know how to delete from must not pass silently
        raise TypeError(f"cannot delete conversations from {type(inner).__name__}")


async def purge_older_than(store, days: int, now: float | None = None) -> int:
    """Delete conversations whose last event is older than `days`; return how many."""
    cutoff = (now or time.time()) - days * 86400
    inner = _inner(store)
    deleted = 0
    if isinstance(inner, SQLTrackerStore):
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
    for sender_id in list(await store.keys()):
        tracker = await store.retrieve(sender_id)
        last = tracker.events[-1].timestamp if tracker and tracker.events else 0
        if last < cutoff:
            await delete_conversation(store, sender_id)
            deleted += 1
    return deleted
