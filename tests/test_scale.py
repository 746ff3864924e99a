"""Several instances of Masar on real shared servers: Redis 7 and PostgreSQL 15 (Debian's
packages, see tests/servers.py), started and stopped here.

One user's messages sent alternately and concurrently to two instances are all stored and
answered, in the order the instances took them in, with the state (the country chosen) shared
(each message is sent 20 ms after the previous one is in its conversation's line, while that
one is still being answered: see `alternate` for why not sooner); retention
really deletes, in PostgreSQL and in Redis (whose keys also expire); /forget while a message
of the same user is still being handled leaves nothing, on every store; a shared database
without shared turns is refused at start-up; a handover case opened on one instance is
followed and closed on the other. The instances run the channel content's small model: the
order test runs `masar serve` as two processes; the others run two servers (or engines) in
this process, each with its own engine, store client, turns and memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import subprocess
import sys
import time

import aiohttp
import pytest
import servers
from telegram_emulator import ROOT, channel_settings, free_port

from bot import privacy
from bot.channels.http import serve
from bot.conversation_store import purge_older_than
from bot.masar import compose

# Each message leaves a distinct (topic, country) in the store, and after each /country the
# next topic carries that country: the order and the shared state can both be read back.
SEQUENCE = [
    "/country IT",
    "/asylum_how_to_apply",
    "/country GR",
    "/sea_crossing_risks",
    "/country TR",
    "/asylum_rights",
]
EXPECTED = [
    ("/find_help", "IT"),
    ("/asylum_how_to_apply", "IT"),
    ("/find_help", "GR"),
    ("/sea_crossing_risks", "GR"),
    ("/find_help", "TR"),
    ("/asylum_rights", "TR"),
]
USERS = 20
GAP = 0.02  # seconds between two messages of one user (after the previous is in line)
SORRY = "Sorry, something went wrong"

postgres, redis_server = servers.postgres, servers.redis_server  # fixtures: real servers


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """Settings on the channel content (its small model trained once and cached)."""
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("scale-var")
    )
    Engine.load(settings)  # trains the model if its cache is cold, once
    # in this process the language model stays the default one (the choice is process-wide and
    # later tests rely on it); the `masar serve` processes use the small one (serve_env)
    return settings


async def until_serving(http: aiohttp.ClientSession, base: str, check=None) -> None:
    for _attempt in range(1800):  # bounded: 3 minutes (a process loads its models)
        if check is not None:
            check()
        with contextlib.suppress(aiohttp.ClientConnectionError):
            async with http.get(f"{base}/health") as response:
                if response.status in (200, 503) and (await response.json()).get("status") not in (
                    "starting",
                ):
                    return
        await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")


async def alternate(
    bases: list[str],
    users: int = USERS,
    gap: float = GAP,
    prefix: str = "u",
    line: str | None = None,
    secret: str = "",
) -> dict[str, list[tuple[int, str]]]:
    """Every user sends SEQUENCE, one message every `gap` seconds, each to the next instance
    in turn, all users at once; returns each user's (status, first reply's text) in order.

    With `line` (the Redis URL of the turns), a user's next message is sent only once the
    previous one is in its conversation's line (taken in by its instance), still in flight.
    Without it, "arrival" includes the time a busy instance takes to read a request: an
    instance whose event loop is busy with the user's previous message reads the next one
    later than an idle instance reads the one after it."""
    red = None
    if line:
        import redis.asyncio

        red = redis.asyncio.Redis.from_url(line, decode_responses=True)

    async def post(http, user: str, i: int, text: str):
        async with http.post(
            f"{bases[i % len(bases)]}/webhooks/rest/webhook",
            json={"sender": user, "message": text},
        ) as response:
            body = await response.json() if response.status == 200 else []
            return response.status, (body[0].get("text") or "") if body else ""

    async def taken_in(user: str, seen: set[str], sending: asyncio.Task) -> None:
        key = privacy.user_key(secret.encode(), "rest", user)
        for _attempt in range(3000):  # bounded: 30 s
            tokens = set(await red.lrange(f"masar:turn:line:{key}", 0, -1))
            if tokens - seen or sending.done():
                seen |= tokens
                return
            await asyncio.sleep(0.01)

    async def one_user(http, user: str) -> list[tuple[int, str]]:
        sending, seen = [], set()
        for i, text in enumerate(SEQUENCE):
            if i:
                await asyncio.sleep(gap)
            sending.append(asyncio.ensure_future(post(http, user, i, text)))
            if red is not None:
                await taken_in(user, seen, sending[-1])
        return list(await asyncio.gather(*sending))

    timeout = aiohttp.ClientTimeout(total=300)
    # no connection limit: aiohttp's default (100) would hold messages back and release them
    # in any order, and the test would measure its own client
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        names = [f"{prefix}{u}" for u in range(users)]
        answers = await asyncio.gather(*(one_user(http, user) for user in names))
    if red is not None:
        await red.close()
    return dict(zip(names, answers, strict=True))


async def stored(engine, user: str) -> list[tuple[str, str | None]]:
    """(text, country) of the user's stored messages, in the store's order."""
    from rasa.shared.core.events import UserUttered

    key = privacy.user_key(engine.secret, "rest", user)
    tracker = await engine.agent.tracker_store.retrieve(key)
    return [
        (e.text, (e.metadata or {}).get("country"))
        for e in (tracker.events if tracker else [])
        if isinstance(e, UserUttered)
    ]


def verdict(engine, results) -> dict[str, int]:
    """How many users lost a message or had one stored with a state it should not have seen
    (a message handled before the one sent ahead of it), had them stored out of order, or
    got an error; and how many messages are not stored at all."""
    counts = {"lost": 0, "reordered": 0, "failed": 0, "users": len(results), "missing": 0}

    async def read():
        return {user: await stored(engine, user) for user in results}

    kept = asyncio.run(read())
    for user, answers in results.items():
        got = kept[user]
        if any(status != 200 or not text or SORRY in text for status, text in answers):
            counts["failed"] += 1
        counts["missing"] += max(0, len(EXPECTED) - len(got))  # messages not stored at all
        if len(got) < len(EXPECTED) or set(EXPECTED) - set(got):
            counts["lost"] += 1
            print("lost or state not shared:", user, got)
        elif got != EXPECTED:
            counts["reordered"] += 1
            print("reordered", user, got)
    return counts


class Instances:
    """`n` servers in this process, each with its own engine (store client, turns, model)."""

    def __init__(self, settings, n: int = 2) -> None:
        from bot.engine import Engine

        self.engines = [Engine.load(settings) for _i in range(n)]
        self.ports = [free_port() for _i in range(n)]
        self.settings = settings

    @property
    def bases(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def run(self, work):
        """Serve while `await work(bases)` runs; returns its result."""

        async def main():
            stop = asyncio.Event()
            running = [
                asyncio.create_task(
                    serve(
                        compose(engine),
                        dataclasses.replace(self.settings, port=port),
                        stop,
                    )
                )
                for engine, port in zip(self.engines, self.ports, strict=True)
            ]
            try:
                async with aiohttp.ClientSession() as http:
                    for base, server in zip(self.bases, running, strict=True):
                        await until_serving(http, base, lambda s=server: s.done() and s.result())
                return await work(self.bases)
            finally:
                stop.set()
                await asyncio.gather(*running)

        return asyncio.run(main())


def shared(mini, tmp_path, **stores):
    return dataclasses.replace(mini, data_dir=tmp_path, **stores)


def serve_env(settings, **more: str) -> dict[str, str]:
    """The environment of `masar serve` on the channel content, with `more` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_CONTENT_DIR=str(settings.content_dir),
        MASAR_BUILD_DIR=str(settings.build_dir),
        MASAR_USER_KEY_SECRET=settings.user_key_secret,
        MASAR_LANGUAGE_MODEL="small",
        **more,
    )
    return env


def run_processes(env: dict[str, str], folder, work, n: int = 2):
    """`n` `masar serve` processes with `env`, serving while `await work(bases)` runs."""

    async def main():
        processes, ports = [], [free_port() for _i in range(n)]
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        def alive():
            assert all(p.returncode is None for p in processes), "masar serve stopped"

        try:
            async with aiohttp.ClientSession() as http:
                for i, port in enumerate(ports):  # one after the other: each checks the model
                    with (folder / f"serve-{i}.log").open("wb") as log:
                        processes.append(
                            await asyncio.create_subprocess_exec(
                                sys.executable,
                                "-m",
                                "bot.cli",
                                "serve",
                                cwd=ROOT,
                                env={
                                    **env,
                                    "MASAR_DATA_DIR": str(folder / f"var-{i}"),
                                    "MASAR_PORT": str(port),
                                },
                                stderr=log,
                            )
                        )
                    await until_serving(http, bases[i], alive)
            return await work(bases)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                await process.wait()

    return asyncio.run(main())


# -- one user, two instances: nothing lost, nothing reordered, state shared --------------------------
@pytest.mark.parametrize("store", ["redis", "postgresql"])
def test_two_masar_serve_processes_keep_every_message_in_order(
    mini, postgres, redis_server, tmp_path, store
):
    """`masar serve` twice, on Redis alone or on PostgreSQL with turns in Redis: 20 users
    each send 6 messages 20 ms apart, alternately to each instance, all at once."""
    from bot.engine import Engine

    stores = {"MASAR_REDIS_URL": redis_server.url}
    if store == "postgresql":
        stores["MASAR_TRACKER_STORE_URL"] = postgres.url
    secret = mini.user_key_secret

    async def work(bases):
        return await alternate(bases, line=redis_server.url, secret=secret)

    results = run_processes(serve_env(mini, **stores), tmp_path, work)
    reader = Engine.load(
        dataclasses.replace(
            mini,
            redis_url=stores["MASAR_REDIS_URL"],
            tracker_store_url=stores.get("MASAR_TRACKER_STORE_URL"),
        )
    )
    counts = verdict(reader, results)
    assert counts == {"lost": 0, "reordered": 0, "failed": 0, "users": USERS, "missing": 0}, counts
    for i in range(2):
        log = (tmp_path / f"serve-{i}.log").read_text(encoding="utf-8")
        assert "Traceback" not in log and "LockError" not in log
    if store == "redis":
        assert redis_server.client().keys("masar:tracker:*")  # the conversations are in Redis


def test_a_shared_database_without_redis_is_refused_at_start_up(mini, postgres, tmp_path):
    refused = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=ROOT,
        env=serve_env(
            mini,
            MASAR_TRACKER_STORE_URL=postgres.url,
            MASAR_DATA_DIR=str(tmp_path),
            MASAR_PORT=str(free_port()),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode != 0
    assert "without MASAR_REDIS_URL" in refused.stderr and "MASAR_SINGLE_INSTANCE" in refused.stderr
    assert "Traceback" not in refused.stderr


# -- retention: purges really delete, Redis keys expire ----------------------------------------------
@pytest.mark.parametrize("store", ["redis", "postgresql"])
def test_retention_deletes_old_conversations_on_every_store(
    mini, redis_server, postgres, tmp_path, store
):
    from bot.engine import Engine
    from bot.messages import Incoming

    if store == "redis":
        settings = shared(mini, tmp_path, redis_url=redis_server.url, retention_days=30)
    else:
        settings = shared(
            mini, tmp_path, tracker_store_url=postgres.url, redis_url=redis_server.url
        )
    engine = Engine.load(settings)
    users = [f"old-{store}-{n}" for n in range(5)]

    async def main():
        for user in users:
            await engine.handle(Incoming(user, "/asylum_how_to_apply", channel="rest"))
        fresh = await engine.purge(30)  # nothing is 30 days old yet
        store_ = engine.agent.tracker_store
        later = time.time() + 31 * 86400  # a month on, each is older than the retention
        old = await purge_older_than(store_, 30, now=later, turns=engine.turns)
        left = [u for u in users if await stored(engine, u)]
        return fresh, old, left

    fresh, old, left = asyncio.run(main())
    assert fresh == 0 and left == []
    assert old >= len(users)
    keys = [privacy.user_key(engine.secret, "rest", u) for u in users]
    if store == "redis":
        red = redis_server.client()
        assert not any(red.exists(f"masar:tracker:{k}") for k in keys)
        asyncio.run(engine.handle(Incoming("expiring", "/asylum_how_to_apply", channel="rest")))
        key = privacy.user_key(engine.secret, "rest", "expiring")
        ttl = red.ttl(f"masar:tracker:{key}")
        assert 29 * 86400 < ttl <= 30 * 86400  # Redis deletes it itself after the retention
    else:
        quoted = ", ".join(f"'{k}'" for k in keys)
        assert postgres.query(f"SELECT count(*) FROM events WHERE sender_id IN ({quoted})") == [
            (0,)
        ]


async def in_line(engine, key: str) -> bool:
    """True while a message of the conversation is waiting or being answered."""
    from bot.conversation_store import RedisTurns

    turns = engine.turns
    if isinstance(turns, RedisTurns):
        return bool(await turns.client().llen(f"{turns.prefix}line:{key}"))
    return bool(turns._lines.get(key))


# -- /forget while a message of the same user is still being handled ------------------------------------
@pytest.mark.parametrize("store", ["redis", "postgresql", "sqlite"])
def test_forget_while_a_message_is_in_flight_leaves_nothing(
    mini, redis_server, postgres, tmp_path, store
):
    """The user writes their name and, while that message is being answered, /forget (to the
    other instance when there are two): the message is answered, then the conversation is
    deleted, name and all."""
    settings = {
        "redis": shared(mini, tmp_path, redis_url=redis_server.url),
        "postgresql": shared(
            mini, tmp_path, tracker_store_url=postgres.url, redis_url=redis_server.url
        ),
        "sqlite": shared(mini, tmp_path),
    }[store]
    instances = Instances(settings, n=1 if store == "sqlite" else 2)
    texts = [
        "/country IT",
        "my name is Ahmed Karimi, how do i apply for asylum in Italy",
        "/forget",
    ]

    async def work(bases):
        answers, in_flight = {}, []

        async def send(user, i, text):
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{bases[i % len(bases)]}/webhooks/rest/webhook",
                    json={"sender": user, "message": text},
                ) as response,
            ):
                answers[(user, i)] = response.status, (await response.json())[0]["text"]

        async def one(user):
            await send(user, 0, texts[0])
            named = asyncio.ensure_future(send(user, 1, texts[1]))
            key = privacy.user_key(instances.engines[0].secret, "rest", user)
            for _attempt in range(2000):  # bounded: 10 s; /forget once the message is in line
                if named.done() or await in_line(instances.engines[0], key):
                    break
                await asyncio.sleep(0.005)
            in_flight.append(not named.done())
            await asyncio.gather(named, send(user, 2, texts[2]))

        users = [f"forget-{store}-{n}" for n in range(5)]
        await asyncio.gather(*(one(user) for user in users))
        assert any(in_flight), "no /forget arrived while the message was being answered"
        left = {user: await stored(instances.engines[0], user) for user in users}
        return answers, left

    answers, left = instances.run(work)
    assert all(status == 200 and SORRY not in text for status, text in answers.values())
    assert all("deleted" in text for (user, i), (s, text) in answers.items() if i == 2)
    assert left == {user: [] for user in left}, left


# -- the human handover: a case opened on one instance is known to the other ---------------------------
@pytest.mark.parametrize("store", ["redis", "postgresql"])
def test_a_case_opened_on_one_instance_is_followed_and_closed_on_the_other(
    mini, postgres, redis_server, tmp_path, store
):
    """Two instances (engines with their own memory) on Redis, or PostgreSQL and Redis: the user's
    consent reaches A, their next message B (relayed to staff, not answered by the bot); a
    staff answer and the closing go through B, and A sees both at once."""
    from bot.engine import Engine
    from bot.messages import Incoming

    settings = shared(mini, tmp_path, redis_url=redis_server.url)
    if store == "postgresql":
        settings = dataclasses.replace(settings, tracker_store_url=postgres.url)
    a, b = (compose(Engine.load(settings)) for _i in range(2))
    for masar in (a, b):
        masar.handover.staffed.add("telegram")  # a staff group reaches Telegram's users
    user = f"7001{store}"
    key = privacy.user_key(a.engine.secret, "telegram", user)

    async def main():
        opened = await a.handle(Incoming(user, "/human_help yes", channel="telegram"))
        case = a.handover.case_of(key)
        assert case is not None and any(n.kind == "card" for n in opened.staff)
        assert b.handover.case_of(key) is None  # B has never seen it in its own memory
        relayed = await b.handle(Incoming(user, "are you there?", channel="telegram"))
        assert b.relayed(relayed) and not relayed.replies  # to staff, not to the bot
        assert (await b.handover.staff_answered(case.id)).answered
        assert (await a.handover.find(case.id)).answered  # A reads it from the store
        assert (await b.handover.close(case.id)) is not None
        assert await a.handover.find(case.id) is None
        back = await a.handle(Incoming(user, "/asylum_how_to_apply", channel="telegram"))
        assert not a.relayed(back) and back.replies and back.replies[0].text  # the bot again

    asyncio.run(main())


def test_of_two_instances_watching_an_unanswered_case_one_tells_the_user(
    mini, redis_server, tmp_path
):
    """Both instances know the case (opened on A, the next message on B); when no staff
    member answered in time both look at it, and the user is told once that staff may be
    offline, however the two clocks fall."""
    from bot.engine import Engine
    from bot.messages import Incoming

    settings = shared(mini, tmp_path, redis_url=redis_server.url)
    a, b = (compose(Engine.load(settings)) for _i in range(2))
    for masar in (a, b):
        masar.handover.staffed.add("telegram")
    user = "7002watch"
    key = privacy.user_key(a.engine.secret, "telegram", user)

    async def main():
        await a.handle(Incoming(user, "/human_help yes", channel="telegram"))
        await b.handle(Incoming(user, "is anyone there?", channel="telegram"))
        case = a.handover.case_of(key)
        assert case is not None and b.handover.case_of(key) is not None
        later = case.opened + 11 * 60
        at_once = await asyncio.gather(
            a.handover.overdue(10, now=later), b.handover.overdue(10, now=later)
        )
        again = [await m.handover.overdue(10, now=later + 600) for m in (a, b)]
        return at_once, again

    at_once, again = asyncio.run(main())
    assert sorted(len(told) for told in at_once) == [0, 1]
    assert again == [[], []]


def test_health_tells_when_the_redis_holding_the_turns_is_down(mini, postgres, tmp_path):
    """Conversations in PostgreSQL, turns in Redis: without Redis no message gets its turn,
    so /health's store check says so (a load balancer then sends people elsewhere)."""
    from bot.engine import Engine

    own = servers.Redis()  # its own server: the module's stays up for the other tests
    own.start()
    try:
        settings = shared(mini, tmp_path, tracker_store_url=postgres.url, redis_url=own.url)
        engine = Engine.load(settings)
        assert asyncio.run(engine.store_problem()) is None
        own.stop()
        problem = asyncio.run(engine.store_problem())
        assert problem is not None and "Redis" in problem
    finally:
        own.remove()
