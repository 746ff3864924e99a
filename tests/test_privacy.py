"""Privacy the user controls: /forget empties the store, retention deletes old conversations,
logs are scrubbed of secrets and personal data. Checked on the SQLite file itself."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import sqlite3
import time

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from telegram_emulator import channel_settings

from bot import privacy
from bot.channels.http import hide_configured_secrets
from bot.conversation_store import LocalTurns, RedisTurns, create_lock_store, create_turns
from bot.i18n import _
from bot.messages import Incoming

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """(settings, engine) with conversations in a SQLite file."""
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("privacy-var")
    )
    return settings, Engine.load(settings)


def rows(settings, key: str) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / "conversations.db") as con:
        return con.execute("SELECT * FROM events WHERE sender_id = ?", (key,)).fetchall()


def say(engine, user: str, text: str, channel: str = "telegram"):
    return asyncio.run(engine.handle(Incoming(user, text, channel=channel)))


def test_user_ids_are_stored_only_as_keyed_hashes(stored):
    settings, engine = stored
    say(engine, "555000111", "how do i apply for asylum")
    key = privacy.user_key(engine.secret, "telegram", "555000111")
    assert rows(settings, key)
    with sqlite3.connect(settings.data_dir / "conversations.db") as con:
        senders = {row[0] for row in con.execute("SELECT DISTINCT sender_id FROM events")}
    assert "555000111" not in " ".join(senders)
    assert privacy.user_key(b"another secret", "telegram", "555000111") != key


def test_forget_leaves_nothing_about_the_user_in_the_store(stored):
    settings, engine = stored
    say(engine, "forget-me", "/language ar")
    say(engine, "forget-me", "/country IT")
    say(engine, "forget-me", "where can i ask for asylum, i am in italy")
    say(engine, "someone-else", "how do i apply for asylum")
    key = privacy.user_key(engine.secret, "telegram", "forget-me")
    assert len(rows(settings, key)) > 3

    done = say(engine, "forget-me", "/forget")
    assert done.replies[0].text == _(
        "ar", "Done: everything Masar kept about you has been deleted."
    )
    assert rows(settings, key) == []
    with sqlite3.connect(settings.data_dir / "conversations.db") as con:
        everything = "\n".join(map(str, con.execute("SELECT * FROM events")))
    assert "i am in italy" not in everything
    assert rows(
        settings, privacy.user_key(engine.secret, "telegram", "someone-else")
    )  # others keep theirs
    # language and country are gone too: the next message starts from scratch
    assert say(engine, "forget-me", "/menu").language == "en"


def test_retention_deletes_old_conversations_and_keeps_recent_ones(stored):
    settings, engine = stored
    old_key = privacy.user_key(engine.secret, "telegram", "old-user")
    long_ago = time.time() - 40 * 86400
    tracker = DialogueStateTracker.from_events(
        old_key,
        [
            ActionExecuted("action_listen", timestamp=long_ago),
            UserUttered("a question from long ago", timestamp=long_ago),
        ],
    )
    asyncio.run(engine.agent.tracker_store.save(tracker))
    say(engine, "recent-user", "how do i apply for asylum")
    recent_key = privacy.user_key(engine.secret, "telegram", "recent-user")
    assert rows(settings, old_key) and rows(settings, recent_key)

    assert asyncio.run(engine.purge()) >= 1  # MASAR_RETENTION_DAYS, default 30
    assert rows(settings, old_key) == []
    assert rows(settings, recent_key)


def test_the_retention_job_runs_inside_the_server(stored):
    settings, engine = stored
    key = privacy.user_key(engine.secret, "telegram", "old-user-2")
    long_ago = time.time() - 31 * 86400
    tracker = DialogueStateTracker.from_events(key, [UserUttered("old", timestamp=long_ago)])

    async def main():
        await engine.agent.tracker_store.save(tracker)
        assert rows(settings, key)
        job = asyncio.create_task(
            privacy.delete_old_conversations(engine.purge, settings.retention_days)
        )
        for _step in range(500):  # bounded: the job purges at once
            await asyncio.sleep(0.01)
            if not rows(settings, key):
                break
        job.cancel()
        assert rows(settings, key) == []

    asyncio.run(main())


def test_scrub_removes_tokens_secrets_emails_and_numbers():
    privacy.hide_secret("webhook-secret-value")
    line = privacy.scrub(
        f"token {TOKEN} secret webhook-secret-value mail amira@example.org phone +49 151 23456789"
    )
    for leaked in (TOKEN, "webhook-secret-value", "amira@example.org", "151 23456789"):
        assert leaked not in line
    privacy.hide_secret("")  # nothing to hide: no effect
    assert privacy.scrub("hello") == "hello"


def test_tracebacks_in_logs_are_scrubbed_too():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(privacy.ScrubFilter())
    log = logging.getLogger("test_privacy.traceback")
    log.addHandler(handler)
    log.propagate = False
    try:
        raise ConnectionError(
            f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe for +44 7700 900123"
        )
    except ConnectionError:
        log.exception("request failed")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "ConnectionError" in output and "request failed" in output
    assert TOKEN not in output and "7700 900123" not in output


def test_configured_secrets_are_hidden_from_logs(stored):
    settings, _engine = stored
    configured = dataclasses.replace(
        settings,
        telegram_token="tok-abcdef-123",
        telegram_webhook_secret="whs-abcdef",
        tracker_store_url="postgresql://masar:db-password-1@db/masar",
        redis_url="redis://:redis-password-2@cache:6379/0",
    )
    hide_configured_secrets(configured)
    line = privacy.scrub(
        "tok-abcdef-123 whs-abcdef postgresql://masar:db-password-1@db redis-password-2"
    )
    for secret in ("tok-abcdef-123", "whs-abcdef", "db-password-1", "redis-password-2"):
        assert secret not in line


def test_turns_are_shared_through_redis_when_configured():
    """One user's messages take turns across instances through Redis (tests/test_scale.py
    runs them on a real server); Rasa's own lock stays inside each process."""
    assert isinstance(create_turns(None), LocalTurns)
    turns = create_turns("redis://:pw@cache.internal:6380/2")  # no connection until first use
    assert isinstance(turns, RedisTurns) and turns.url == "redis://:pw@cache.internal:6380/2"
    assert isinstance(create_lock_store("redis://cache.internal:6380/2"), InMemoryLockStore)
