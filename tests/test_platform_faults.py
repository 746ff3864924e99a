"""The platforms misbehave: the Bot API and the Graph API answer 500, 429 (retry after), drop the
connection or hang past the client's timeout (python-telegram-bot's 5 s read timeout; the
Graph API client's MASAR_GRAPH_API_TIMEOUT, 1 s here). Masar retries with backoff, never
crashes, never delivers one reply twice, keeps answering the other users meanwhile, and logs
each failure without the user's phone number or chat id.

Real parts: the real engine (the channel content's small model), Telegram's and Meta's side
played by the emulators over real HTTP (tests/telegram_emulator.py, tests/graph_emulator.py).
Counts are printed (pytest -s).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from graph_emulator import (
    WA_SECRET,
    GraphEmulator,
    meta_server,
    recorded_logs,
    signed,
    wa_text,
    whatsapp_text,
)
from telegram_emulator import BotApiEmulator, channel_settings

from bot.channels.telegram import run_polling
from bot.masar import compose

USERS = 6
QUESTION = "how do i apply for asylum"


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("platform-var")
    )
    return settings, Engine.load(settings)


@dataclass
class Platform:
    """One platform's emulator with Masar connected to it: how a user writes, how many replies
    reached a user, how many calls Masar made, whether Masar still runs."""

    emulator: BotApiEmulator | GraphEmulator
    users: list[str]
    write: Callable
    delivered: Callable[[str], int]
    attempts: Callable[[], int]
    running: Callable[[], bool]
    rest: Callable | None = None  # a REST question; its HTTP status


@contextlib.asynccontextmanager
async def telegram(settings, engine) -> AsyncIterator[Platform]:
    """Masar polling the Bot API emulator (`masar telegram`)."""
    async with BotApiEmulator() as api:
        run = dataclasses.replace(settings, telegram_token=api.token, telegram_api_url=api.api_url)
        stop = asyncio.Event()
        polling = asyncio.create_task(run_polling(compose(engine), run, stop))
        await api.wait_for("deleteWebhook", timeout=60)
        users = {
            str(7_310_000_000 + i): BotApiEmulator.user(7_310_000_000 + i) for i in range(USERS)
        }

        async def write(user: str) -> None:
            api.send_text(users[user], QUESTION)

        def delivered(user: str) -> int:
            return sum(
                1
                for m in api.messages.values()
                if str(m["chat"]["id"]) == user and m.get("from", {}).get("is_bot")
            )

        yield Platform(
            api,
            list(users),
            write,
            delivered,
            lambda: len(api.sent("sendMessage")),
            lambda: not polling.done(),
        )
        stop.set()
        await polling


@contextlib.asynccontextmanager
async def whatsapp(settings, engine) -> AsyncIterator[Platform]:
    """`masar serve` with WhatsApp connected to the Graph API emulator (its client waits 1 s)."""
    async with meta_server(engine, settings, graph_api_timeout=1.0) as (graph, http, base, server):

        async def write(user: str) -> None:
            body, headers = signed(WA_SECRET, wa_text(user, QUESTION))
            async with http.post(f"{base}/whatsapp/webhook", data=body, headers=headers) as answer:
                assert (
                    answer.status == 200
                )  # Meta's webhook is acknowledged at once, whatever follows

        def attempts() -> int:
            return len([c for c in graph.calls if c.path.endswith("/messages")]) + (
                graph.dropped + graph.stalled
            )

        async def rest(text: str) -> int:
            payload = {"sender": "rest-user", "message": text}
            async with http.post(f"{base}/webhooks/rest/webhook", json=payload) as answer:
                return answer.status

        yield Platform(
            graph,
            [f"4915100007{i:03d}" for i in range(USERS)],
            write,
            lambda user: len(graph.sent(user)),
            attempts,
            lambda: not server.done(),
            rest,
        )


def bot_api_faults(api: BotApiEmulator) -> int:
    api.drop("sendMessage", times=2)  # the connection is lost
    api.stall("sendMessage", 6.0)  # past python-telegram-bot's 5 s read timeout
    api.fail("sendMessage", 500, "Internal Server Error")
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    api.fail("sendMessage", 502, "Bad Gateway")
    return 6


def graph_api_faults(graph: GraphEmulator) -> int:
    graph.drop("messages", times=2)
    graph.fail("messages", 500)
    graph.fail("messages", 429, code=130429)
    graph.fail("messages", 502)
    return 5


def graph_api_hangs(graph: GraphEmulator) -> int:
    graph.stall("messages", 4.0, times=3)  # three calls hang past the client's 1 s
    return 3


@pytest.mark.parametrize(
    ("platform", "faults"),
    [(telegram, bot_api_faults), (whatsapp, graph_api_faults), (whatsapp, graph_api_hangs)],
    ids=["bot api fails", "graph api fails", "graph api hangs"],
)
def test_platform_faults_are_retried_and_no_reply_is_sent_twice(mini, platform, faults):
    settings, engine = mini

    async def main():
        async with platform(settings, engine) as p:
            injected = faults(p.emulator)
            started = time.perf_counter()
            for user in p.users:
                await p.write(user)
            first = None
            for _attempt in range(600):  # bounded: 60 s
                got = [p.delivered(u) > 0 for u in p.users]
                if any(got) and first is None:
                    first = time.perf_counter() - started
                if all(got):
                    break
                await asyncio.sleep(0.1)
            everyone = time.perf_counter() - started
            await asyncio.sleep(3)  # a late duplicate would arrive now
            assert p.running(), "Masar stopped"
            return p, injected, first, everyone

    with recorded_logs() as records:
        p, injected, first, everyone = asyncio.run(main())
    per_user = {u: p.delivered(u) for u in p.users}
    attempts = p.attempts()
    logged = "\n".join(records.lines)
    print(
        f"\n{faults.__name__}: {injected} faults, {USERS} users, {attempts} attempts, "
        f"delivered per user {sorted(per_user.values())}, first answer {first:.1f} s, "
        f"everyone {everyone:.1f} s, {sum('retry' in line for line in records.lines)} retries logged"
    )
    assert all(n == 1 for n in per_user.values()), per_user  # each once, none twice
    assert attempts >= USERS + injected  # every fault was met by a retry
    assert first is not None and first < everyone  # the others were served meanwhile
    for user in p.users:  # failures are logged without the user's number or chat id
        assert user not in logged and user[2:] not in logged


def test_a_graph_api_that_stays_hung_is_logged_without_the_number_and_others_are_served(mini):
    """Every try of one user's reply hangs: the failure is logged (without the number) after
    MASAR_GRAPH_API_TIMEOUT per try, meanwhile another user and REST are answered, and when the
    API answers again the user gets one message: the apology, asking to try again."""
    settings, engine = mini

    async def main():
        async with whatsapp(settings, engine) as p:
            stuck, other = p.users[:2]
            p.emulator.stall("messages", 30.0, times=4, to=stuck)  # all four tries of its reply
            await p.write(stuck)
            await asyncio.sleep(0.5)  # the stuck reply's first try is hanging now
            started = time.perf_counter()
            await p.write(other)
            for _attempt in range(100):  # bounded: 10 s
                if p.delivered(other):
                    break
                await asyncio.sleep(0.1)
            other_after = time.perf_counter() - started
            assert await p.rest("how do i apply for asylum") == 200  # the REST channel too
            for _attempt in range(300):  # bounded: 30 s; four tries of 1 s and 1 + 2 + 4 s
                if p.delivered(stuck):  # the API answers again: the apology gets through
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(2)  # a late duplicate would arrive now
            said = [whatsapp_text(m) for m in p.emulator.sent(stuck)]
            return p, other_after, said, p.running()

    with recorded_logs() as records:
        p, other_after, said, running = asyncio.run(main())
    logged = "\n".join(records.lines)
    print(f"\nGraph API hung for one user: the other answered in {other_after:.1f} s")
    assert running and p.delivered(p.users[1]) == 1 and other_after < 5
    assert "whatsapp message failed" in logged
    assert len(said) == 1 and "Sorry" in said[0], said  # one message: the apology, once
    retries = [line for line in records.lines if "Graph API messages failed" in line]
    assert len(retries) >= 3 and all("Timeout" in line for line in retries), retries
    for user in p.users:
        assert user not in logged and user[2:] not in logged
