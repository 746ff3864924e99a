"""The platforms misbehave: the Bot API and the Graph API answer 500, 429 (retry after) or drop
the connection, and a Bot API call hangs past the client's timeout (the Graph API client waits
30 s, too long for this suite). Masar retries with backoff, never crashes,
never delivers one reply twice, and keeps answering the other users meanwhile.

Real parts: the real engine (the channel content's small model), Telegram's and Meta's side
played by the emulators over real HTTP (tests/telegram_emulator.py, tests/graph_emulator.py).
Counts are printed (pytest -s).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import aiohttp
import pytest
from graph_emulator import (
    PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    GraphEmulator,
    signed,
    wa_text,
)
from telegram_emulator import BotApiEmulator, channel_settings, free_port

from bot.channels.http import serve
from bot.channels.telegram import run_polling
from bot.masar import compose

USERS = 6
QUESTION = "how do i apply for asylum"
WA_SECRET, WA_VERIFY = "wa-app-secret-for-faults", "wa-verify-faults"


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("platform-var")
    )
    return settings, Engine.load(settings)


def test_bot_api_faults_are_retried_and_no_reply_is_sent_twice(mini):
    settings, engine = mini
    users = [BotApiEmulator.user(7100 + i, "en") for i in range(USERS)]

    def delivered(api, chat_id: int) -> list[dict]:
        return [
            m
            for m in api.messages.values()
            if m["chat"]["id"] == chat_id and m.get("from", {}).get("is_bot")
        ]

    async def main():
        async with BotApiEmulator() as api:
            run = dataclasses.replace(
                settings, telegram_token=api.token, telegram_api_url=api.api_url
            )
            stop = asyncio.Event()
            polling = asyncio.create_task(run_polling(compose(engine), run, stop))
            await api.wait_for("deleteWebhook", timeout=60)
            api.drop("sendMessage", times=2)  # the connection is lost
            api.stall("sendMessage", 6.0)  # past python-telegram-bot's 5 s read timeout
            api.fail("sendMessage", 500, "Internal Server Error")
            api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
            api.fail("sendMessage", 502, "Bad Gateway")
            started = time.perf_counter()
            for user in users:
                api.send_text(user, QUESTION)
            first = None
            for _attempt in range(600):  # bounded: 60 s
                got = [bool(delivered(api, u["id"])) for u in users]
                if any(got) and first is None:
                    first = time.perf_counter() - started
                if all(got):
                    break
                await asyncio.sleep(0.1)
            everyone = time.perf_counter() - started
            await asyncio.sleep(3)  # a late duplicate would arrive now
            assert not polling.done(), "Masar stopped"
            stop.set()
            await polling
            return api, first, everyone

    api, first, everyone = asyncio.run(main())
    per_user = {u["id"]: len(delivered(api, u["id"])) for u in users}
    attempts = len(api.sent("sendMessage"))
    print(
        f"\nBot API faults: 2 dropped, 1 timed out, 1x500, 1x429, 1x502; {USERS} users, "
        f"{attempts} sendMessage attempts, delivered per user {sorted(per_user.values())}, "
        f"first answer {first:.1f} s, everyone {everyone:.1f} s"
    )
    assert all(n == 1 for n in per_user.values()), per_user  # each once, none twice
    assert attempts >= USERS + 6  # every fault was met by a retry
    assert first is not None and first < everyone  # the others were served meanwhile


def test_graph_api_faults_are_retried_and_no_reply_is_sent_twice(mini):
    settings, engine = mini
    users = [f"49151000071{i:02d}" for i in range(USERS)]

    async def main():
        async with GraphEmulator() as graph:
            port = free_port()
            run = dataclasses.replace(
                settings,
                port=port,
                graph_api_url=graph.api_url,
                whatsapp_verify_token=WA_VERIFY,
                whatsapp_app_secret=WA_SECRET,
                whatsapp_token=WHATSAPP_TOKEN,
                whatsapp_phone_number_id=PHONE_NUMBER_ID,
            )
            stop = asyncio.Event()
            server = asyncio.create_task(serve(compose(engine), run, stop))
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as http:
                for _attempt in range(600):
                    if server.done():
                        server.result()
                    try:
                        async with http.get(f"{base}/health") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                graph.drop("messages", times=2)
                graph.fail("messages", 500)
                graph.fail("messages", 429, code=130429)
                graph.fail("messages", 502)
                started = time.perf_counter()
                statuses = []
                for user in users:
                    body, headers = signed(WA_SECRET, wa_text(user, QUESTION))
                    async with http.post(
                        f"{base}/whatsapp/webhook", data=body, headers=headers
                    ) as response:
                        statuses.append(response.status)
                for _attempt in range(600):  # bounded: 60 s
                    if all(graph.sent(u) for u in users):
                        break
                    await asyncio.sleep(0.1)
                everyone = time.perf_counter() - started
                await asyncio.sleep(3)  # a late duplicate would arrive now
            assert not server.done(), "Masar stopped"
            stop.set()
            await server
            return graph, statuses, everyone

    graph, statuses, everyone = asyncio.run(main())
    per_user = {u: len(graph.sent(u)) for u in users}
    attempts = len([c for c in graph.calls if c.path.endswith("/messages")]) + graph.dropped
    print(
        f"\nGraph API faults: 2 dropped, 1x500, 1x429, 1x502; {USERS} users, "
        f"{attempts} attempts, delivered per user {sorted(per_user.values())}, "
        f"everyone answered in {everyone:.1f} s"
    )
    assert statuses == [200] * USERS  # Meta's webhook is acknowledged at once, whatever follows
    assert all(n == 1 for n in per_user.values()), per_user
    assert attempts >= USERS + 5
