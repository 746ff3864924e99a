"""kill -9 under load: `masar serve` on its SQLite store is killed while many users write; after
a restart the file is intact, every message that was acknowledged (HTTP 200) has its turn in
the store, and the server answers again.

Real parts: `masar serve` as a process on the channel content's small model, real HTTP, a real
SQLite file, SIGKILL. MASAR_CRASH_USERS sets the load (default 200 concurrent-ish users).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time

import aiohttp
import pytest
from telegram_emulator import ROOT, channel_settings, free_port

from bot import privacy

USERS = int(os.environ.get("MASAR_CRASH_USERS", "200"))
KILL_AFTER = 0.4  # share of the users answered before the kill


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """Settings on the channel content, its model trained (once per session) before the
    processes load it."""
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("crash-var")
    )
    return settings, Engine.load(settings)


async def start(settings, data_dir, port: int, log) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_PORT=str(port),
        MASAR_CONTENT_DIR=str(settings.content_dir),
        MASAR_BUILD_DIR=str(settings.build_dir),
        MASAR_DATA_DIR=str(data_dir),
        OMP_NUM_THREADS="1",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", cwd=ROOT, env=env, stderr=log
    )


async def until_serving(http, base: str, process) -> float:
    started = time.perf_counter()
    for _attempt in range(1200):  # bounded: 120 s
        assert process.returncode is None, "masar serve exited"
        try:
            async with http.get(f"{base}/health") as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("masar serve did not start")


@pytest.mark.subprocess
def test_kill_9_under_load_loses_no_acknowledged_message(mini, tmp_path):
    settings, _engine = mini
    port = free_port()
    base, rest = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    counts: dict[str, float] = {"users": USERS}
    acknowledged: list[str] = []

    async def write(http, user: str, limit) -> None:
        async with limit:
            try:
                async with http.post(
                    rest, json={"sender": user, "message": "how do i apply for asylum"}
                ) as response:
                    if response.status == 200 and (await response.json())[0]["text"]:
                        acknowledged.append(user)
                    else:
                        counts["refused"] = counts.get("refused", 0) + 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                counts["cut off by the kill"] = counts.get("cut off by the kill", 0) + 1

    async def main() -> None:
        with (tmp_path / "stderr.log").open("wb") as log:
            first = await start(settings, tmp_path, port, log)
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                await until_serving(http, base, first)
                limit = asyncio.Semaphore(20)
                load = [asyncio.create_task(write(http, f"crash-{i}", limit)) for i in range(USERS)]
                while len(acknowledged) < USERS * KILL_AFTER:
                    await asyncio.sleep(0.01)
                first.send_signal(signal.SIGKILL)
                await first.wait()
                await asyncio.gather(*load)
                counts["acknowledged"] = len(acknowledged)

                second = await start(settings, tmp_path, port, log)
                try:
                    counts["restart s"] = round(await until_serving(http, base, second), 1)
                    async with http.post(
                        rest, json={"sender": "after", "message": "/privacy"}
                    ) as response:
                        assert response.status == 200
                        assert "/forget" in (await response.json())[0]["text"]
                finally:
                    second.terminate()
                    await second.wait()

    asyncio.run(main())
    secret = privacy.load_secret(None, tmp_path)
    with sqlite3.connect(tmp_path / "conversations.db") as con:
        (integrity,) = con.execute("PRAGMA integrity_check").fetchone()
        stored = {
            row[0]
            for row in con.execute("SELECT DISTINCT sender_id FROM events WHERE type_name = 'user'")
        }
    missing = [u for u in acknowledged if privacy.user_key(secret, "rest", u) not in stored]
    counts["missing"] = len(missing)
    print(f"\nkill -9 under load: integrity {integrity},", counts)
    assert integrity == "ok"
    assert USERS * KILL_AFTER <= len(acknowledged) < USERS  # the kill came mid-load
    assert not missing
