"""Faults and hostile input: an emergency is answered whatever breaks, every input is answered
or refused with a clear message, and one channel's trouble never takes the others down.

Real parts only: the real engine (the channel content's small model), a conversation store
in a real SQLite file locked by another process, `masar serve` and `masar ask` as processes,
and Telegram's side played by the Bot API emulator over real HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from servers import Postgres
from telegram_emulator import ROOT, BotApiEmulator, app_serving, channel_settings, free_port

from bot.answers import Situation
from bot.channels.http import SECRET_HEADER, serve
from bot.i18n import _
from bot.masar import compose

SECRET = "webhook-secret_0123456789abcdef"
SINKING = "help our boat is sinking"
SORRY = "Sorry, something went wrong. Please try again."


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """Settings on the channel content (model trained once per session), and its engine."""
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("faults-var")
    )
    return settings, Engine.load(settings)


async def wait_until_serving(http: aiohttp.ClientSession, base: str, server=None) -> None:
    for _attempt in range(600):  # bounded: 30 s
        if server is not None and server.done():
            server.result()
        try:
            async with http.get(f"{base}/health") as response:
                if response.status in (200, 503):
                    return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("the server did not start")


class LockedFile:
    """Another process holding an exclusive lock on a SQLite file (as a backup tool or a
    second, misconfigured instance would): readers and writers get "database is locked"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LockedFile:
        code = (
            "import sqlite3, sys, time\n"
            "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "con.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(self.path)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "locked"
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()


# -- the conversation store fails: emergencies still answered -----------------------------------
def test_an_emergency_is_answered_within_a_second_while_sqlite_is_locked(mini, tmp_path):
    """REST and the Telegram webhook, while another process holds the SQLite file locked:
    emergencies answered with the numbers at once, /health says 503, other messages get an
    apology (not a 500); after the lock is gone everything works again."""
    from bot.engine import Engine

    settings, _shared = mini
    settings = dataclasses.replace(settings, data_dir=tmp_path)
    engine = Engine.load(settings)
    numbers = engine.renderer.topic("emergency_at_sea", Situation("en")).pop().text[:40]
    general = _(
        "en", "Emergency: in EU countries call 112; elsewhere call the local emergency number."
    )
    user = BotApiEmulator.user(3001, "en")

    async def main():
        async with BotApiEmulator() as api:
            port = free_port()
            run = dataclasses.replace(
                settings,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                telegram_webhook_secret=SECRET,
                port=port,
            )
            stop = asyncio.Event()
            server = asyncio.create_task(serve(compose(engine), run, stop))
            base, rest = (
                f"http://127.0.0.1:{port}",
                f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            )
            async with aiohttp.ClientSession() as http:
                await wait_until_serving(http, base, server)
                for _attempt in range(200):
                    async with http.get(f"{base}/health") as response:
                        if (await response.json())["telegram"] == "webhook":
                            break
                    await asyncio.sleep(0.05)
                async with http.post(rest, json={"sender": "r1", "message": "/start"}) as response:
                    assert response.status == 200
                with LockedFile(tmp_path / "conversations.db"):
                    timings = {}
                    for text in (SINKING, "/emergency"):
                        started = time.perf_counter()
                        async with http.post(rest, json={"sender": "r1", "message": text}) as r:
                            assert r.status == 200
                            (reply,) = await r.json()
                        timings[text] = time.perf_counter() - started
                        assert (numbers if text == SINKING else general) in reply["text"]

                    started = time.perf_counter()
                    update = {"update_id": 1, **api.update_body(user, text=SINKING)}
                    headers = {SECRET_HEADER: SECRET}
                    async with http.post(f"{base}/telegram/webhook", json=update, headers=headers):
                        pass
                    (sent,) = await api.wait_for(chat_id=3001, timeout=10)
                    timings["telegram"] = time.perf_counter() - started
                    assert numbers in sent["text"]

                    async with http.get(f"{base}/health") as response:
                        assert response.status == 503
                        health = await response.json()
                    assert health["status"] == "unavailable"
                    assert health["store"].startswith("failing")

                    async with http.post(
                        rest, json={"sender": "r1", "message": "how do i apply for asylum"}
                    ) as response:
                        assert response.status == 200
                        (apology,) = await response.json()
                    assert apology["text"] == _("en", SORRY)
                    assert apology["buttons"][0]["payload"] == "/emergency_general"
                    async with http.post(
                        rest, json={"sender": "r1", "message": apology["buttons"][0]["payload"]}
                    ) as response:
                        (pressed,) = await response.json()
                    assert general in pressed["text"]

                for _attempt in range(100):  # the lock is gone: healthy again
                    async with http.get(f"{base}/health") as response:
                        health = await response.json()
                        if response.status == 200:
                            break
                    await asyncio.sleep(0.1)
                assert response.status == 200 and health["store"] == "ok"
                async with http.post(rest, json={"sender": "r1", "message": "/privacy"}) as r:
                    assert r.status == 200 and "/forget" in (await r.json())[0]["text"]
            stop.set()
            await server
            return timings

    timings = asyncio.run(main())
    assert max(timings.values()) < 1.0, timings


def test_health_says_starting_while_loading_even_if_the_store_probe_fails(mini, tmp_path):
    """While the models load, /health says "starting" whatever the store probe finds (loading
    can keep the process too busy for the probe's second); `store` still reports it, and once
    ready the same failure is "unavailable"."""
    from bot.engine import Engine

    settings, _shared = mini
    engine = Engine.load(dataclasses.replace(settings, data_dir=tmp_path))

    async def main():
        ready = asyncio.Event()
        async with app_serving(compose(engine), ready) as base, aiohttp.ClientSession() as http:
            ready.set()  # a first conversation, so that the store's file exists
            async with http.post(
                f"{base}/webhooks/rest/webhook", json={"sender": "h1", "message": "/start"}
            ) as response:
                assert response.status == 200
            ready.clear()
            with LockedFile(tmp_path / "conversations.db"):
                async with http.get(f"{base}/health") as response:
                    assert response.status == 503
                    health = await response.json()
                assert health["status"] == "starting" and health["ready"] is False
                assert health["store"].startswith("failing")
                ready.set()
                async with http.get(f"{base}/health") as response:
                    assert response.status == 503
                    assert (await response.json())["status"] == "unavailable"
            async with http.get(f"{base}/health") as response:
                assert response.status == 200 and (await response.json())["status"] == "ok"

    asyncio.run(main())


# -- Telegram unreachable: the other channels serve --------------------------------------------------
def test_masar_serve_answers_rest_and_health_while_telegram_is_unreachable(mini, tmp_path):
    """`masar serve` as a process, with a token but a Bot API nobody answers at."""
    settings, _engine = mini
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_TELEGRAM_TOKEN="123456789:AAE-unreachable-token-for-masar-tests-01",
        MASAR_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot",
        MASAR_TELEGRAM_WEBHOOK_SECRET=SECRET,
        MASAR_TELEGRAM_WEBHOOK_URL="https://masar.example.org/telegram/webhook",
        MASAR_PORT=str(port),
        MASAR_CONTENT_DIR=str(settings.content_dir),
        MASAR_BUILD_DIR=str(settings.build_dir),
        MASAR_DATA_DIR=str(tmp_path),
    )

    async def main():
        with (tmp_path / "stderr.log").open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", cwd=ROOT, env=env, stderr=stderr
            )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                for _attempt in range(1200):  # the normal start-up time: loading the models
                    assert process.returncode is None
                    try:
                        async with http.get(f"{base}/health") as response:
                            health = await response.json()
                            if health.get("status") != "starting":  # readiness: models warm
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.1)
                assert response.status == 200 and health["telegram"] == "connecting"
                async with http.post(
                    f"{base}/webhooks/rest/webhook", json={"sender": "g1", "message": SINKING}
                ) as response:
                    assert response.status == 200
                    assert (await response.json())[0]["text"]
                await asyncio.sleep(3)  # Telegram is retried; the server keeps serving
                assert process.returncode is None
                async with http.get(f"{base}/health") as response:
                    assert response.status == 200
        finally:
            process.terminate()
            await process.wait()

    asyncio.run(main())
    log = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert "Telegram getMe failed (NetworkError)" in log  # retried, and said so
    assert "123456789:AAE" not in log


def test_serve_connects_telegram_in_the_background_once_it_answers(mini):
    """getMe fails (500) at start: REST serves at once, and Telegram is connected (menus,
    webhook) when the Bot API recovers; until then the webhook answers 503."""
    settings, engine = mini
    user = BotApiEmulator.user(3002, "en")

    async def main():
        async with BotApiEmulator() as api:
            api.break_method("getMe")
            port = free_port()
            run = dataclasses.replace(
                settings,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                telegram_webhook_secret=SECRET,
                telegram_webhook_url="https://masar.example.org/telegram/webhook",
                port=port,
            )
            stop = asyncio.Event()
            server = asyncio.create_task(serve(compose(engine), run, stop, retry_every=1.0))
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as http:
                await wait_until_serving(http, base, server)
                async with http.get(f"{base}/health") as response:
                    assert (await response.json())["telegram"] == "connecting"
                async with http.post(
                    f"{base}/webhooks/rest/webhook", json={"sender": "g2", "message": "/start"}
                ) as response:
                    assert response.status == 200
                update = {"update_id": 1, **api.update_body(user, text="/start")}
                async with http.post(
                    f"{base}/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
                ) as response:
                    assert response.status == 503  # Telegram delivers it again later

                api.mend("getMe")
                await api.wait_for("setWebhook", timeout=30)
                for _attempt in range(100):
                    async with http.get(f"{base}/health") as response:
                        if (await response.json())["telegram"] == "webhook":
                            break
                    await asyncio.sleep(0.05)
                async with http.post(
                    f"{base}/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
                ) as response:
                    assert response.status == 200
                await api.wait_for(chat_id=3002)
            stop.set()
            await server
            return api

    api = asyncio.run(main())
    assert len(api.sent("getMe")) >= 2 and api.sent("setMyCommands")


# -- hostile input on the REST channel and the webhook --------------------------------------------------
def test_rest_and_webhook_refuse_hostile_input_clearly(mini):
    settings, engine = mini

    async def main():
        async with BotApiEmulator() as api:
            port = free_port()
            run = dataclasses.replace(
                settings,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                telegram_webhook_secret=SECRET,
                port=port,
            )
            stop = asyncio.Event()
            server = asyncio.create_task(serve(compose(engine), run, stop))
            base = f"http://127.0.0.1:{port}"
            rest = f"{base}/webhooks/rest/webhook"
            statuses = {}
            async with aiohttp.ClientSession() as http:
                await wait_until_serving(http, base, server)
                nested = '{"sender": "n", "message": "hi", "metadata": ' + "[" * 5000 + "]" * 5000
                async with http.post(rest, data=(nested + "}").encode()) as response:
                    statuses["nested"] = response.status, (await response.json())["error"]
                async with http.post(rest, data=b'{"message": "hi"}') as response:
                    statuses["no sender"] = response.status, (await response.json())["error"]
                body = b'{"sender": "\\ud8cc", "message": "\\ud8cc hello \\udfff"}'
                async with http.post(rest, data=body) as response:
                    statuses["surrogates"] = response.status, await response.json()
                async with http.post(
                    f"{base}/telegram/webhook",
                    data=("[" * 5000 + "]" * 5000).encode(),
                    headers={SECRET_HEADER: SECRET},
                ) as response:
                    statuses["nested update"] = response.status, None
            for header in (b"\xff\xfe\xc3(", "clé".encode("latin-1"), SECRET.encode() + b"\x80"):
                statuses[header] = await raw_post(port, "/telegram/webhook", SECRET_HEADER, header)
            stop.set()
            await server
            return statuses

    statuses = asyncio.run(main())
    assert statuses["nested"] == (400, statuses["nested"][1]) and "nested" in statuses["nested"][1]
    assert statuses["no sender"][0] == 400 and '"sender"' in statuses["no sender"][1]
    status, replies = statuses["surrogates"]
    assert status == 200 and replies[0]["recipient_id"] == "\ud8cc" and replies[0]["text"]
    assert statuses["nested update"][0] == 400
    for header in (b"\xff\xfe\xc3(", "clé".encode("latin-1"), SECRET.encode() + b"\x80"):
        assert statuses[header] == 403, header


async def raw_post(port: int, path: str, header: str, value: bytes) -> int:
    """A POST with a header value as raw bytes (HTTP clients refuse to send such bytes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"update_id": 5}'
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n".encode()
        + header.encode()
        + b": "
        + value
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


# -- masar ask: one bad line never stops the others ----------------------------------------------------
def test_masar_ask_answers_every_line_it_can_and_names_the_bad_ones(mini, tmp_path):
    settings, _engine = mini
    lines = [
        b'{"user": "u1", "text": "how do i apply for asylum"}',
        b'{"user": "u2", "text": "\\ud8cc help \\udfff"}',
        b'{"user": "\\ud8cc", "text": "hello"}',
        b'{"user": "u3", "text": "hi", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"user": "u4", "text": "caf\xe9 \xff"}',
        b'{"user": ["u5"], "text": "hi"}',
        b'{"user": "u6", "text": "' + SINKING.encode() + b'"}',
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_CONTENT_DIR=str(settings.content_dir),
        MASAR_BUILD_DIR=str(settings.build_dir),
        MASAR_DATA_DIR=str(tmp_path),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [o["user"] for o in out] == ["u1", "u2", "\ud8cc", "u6"]
    assert all(o["replies"] and o["replies"][0]["text"] for o in out)
    assert out[3]["topic"] == "emergency_at_sea"
    assert "line 4: JSON nested too deeply; line skipped" in stderr
    assert "line 5: not valid UTF-8; line skipped" in stderr
    assert 'line 6: "user" must be a string' in stderr
    assert "Traceback" not in stderr


def test_an_emergency_is_answered_within_a_second_while_postgresql_is_stopped(mini):
    """The shared store of a scaled-out deployment goes down: emergencies still answered,
    /health 503, other messages an apology; when PostgreSQL is back, so is everything."""
    from bot.engine import Engine

    settings, _shared = mini
    server = Postgres()
    try:
        server.start()
        settings = dataclasses.replace(settings, tracker_store_url=server.url)
        engine = Engine.load(settings)
        general = _(
            "en", "Emergency: in EU countries call 112; elsewhere call the local emergency number."
        )

        async def main():
            port = free_port()
            stop = asyncio.Event()
            serving = asyncio.create_task(
                serve(compose(engine), dataclasses.replace(settings, port=port), stop)
            )
            base, rest = (
                f"http://127.0.0.1:{port}",
                f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            )
            timings = {}
            async with aiohttp.ClientSession() as http:
                await wait_until_serving(http, base, serving)
                async with http.post(rest, json={"sender": "p1", "message": "/start"}) as r:
                    assert r.status == 200
                server.stop()
                for text in (SINKING, "/emergency"):
                    started = time.perf_counter()
                    async with http.post(rest, json={"sender": "p1", "message": text}) as r:
                        assert r.status == 200
                        (reply,) = await r.json()
                    timings[text] = time.perf_counter() - started
                    assert general[:20] in reply["text"]
                async with http.get(f"{base}/health") as r:
                    assert r.status == 503 and (await r.json())["status"] == "unavailable"
                async with http.post(rest, json={"sender": "p1", "message": "/privacy"}) as r:
                    assert r.status == 200 and (await r.json())[0]["text"] == _("en", SORRY)
                server.start()
                for _attempt in range(100):
                    async with http.get(f"{base}/health") as r:
                        if r.status == 200:
                            break
                    await asyncio.sleep(0.1)
                assert r.status == 200
                async with http.post(rest, json={"sender": "p1", "message": "/privacy"}) as r:
                    assert "/forget" in (await r.json())[0]["text"]
            stop.set()
            await serving
            return timings

        timings = asyncio.run(main())
    finally:
        server.remove()
    assert max(timings.values()) < 1.0, timings


# -- keep less: topics, languages and countries, never words ---------------------------------------
def test_the_store_keeps_no_word_people_wrote_and_only_its_owner_can_read_it(mini, tmp_path):
    """A scripted conversation full of names, document numbers, handles, phone numbers and
    e-mails, in Latin and Arabic script: none of it is in the SQLite file or in the logs (as
    `masar serve` writes them) afterwards, the file is readable by its owner only, and /forget
    leaves no row."""
    import io
    import logging
    import sqlite3
    import stat

    from bot import privacy
    from bot.channels.http import configure_json_logs
    from bot.engine import Engine
    from bot.messages import Incoming

    settings, _shared = mini
    engine = Engine.load(dataclasses.replace(settings, data_dir=tmp_path))
    personal = {
        "my name is Ahmed Karimi, how do i apply for asylum": ["Ahmed", "Karimi"],
        "I am Fatima Haidari from Herat": ["Fatima", "Haidari", "Herat"],
        "my passport number is P1234567": ["P1234567"],
        "write to @ahmed_k_2001 or +49 151 23456789": ["ahmed_k_2001", "23456789"],
        "my email is fatima.h@example.org": ["fatima.h", "example.org"],
        "اسمي أحمد كريمي وأريد طلب اللجوء": ["أحمد", "كريمي"],
        "رقم جوازي P7654321": ["P7654321"],
        "من فاطمة حيدري هستم از هرات، شماره ام ۰۰۹۳۷۰۱۲۳۴۵۶۷": ["فاطمة", "حيدري", "۰۰۹۳۷۰۱۲۳۴۵۶۷"],
        "my telegram is @fatima_haidari call me 0093 70 123 4567": ["fatima_haidari", "123 4567"],
        "document no. AB1234567, write to ahmed.karimi@mail.example": ["AB1234567", "ahmed.karimi"],
        SINKING: ["sinking"],
    }

    async def talk():  # through the REST channel of a server, as a gateway would
        port = free_port()
        stop = asyncio.Event()
        run = dataclasses.replace(settings, data_dir=tmp_path, port=port)
        server = asyncio.create_task(serve(compose(engine), run, stop))
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            await wait_until_serving(http, base, server)
            for text in ["/start", *personal, "/privacy"]:
                async with http.post(
                    f"{base}/webhooks/rest/webhook", json={"sender": "zainab", "message": text}
                ) as response:
                    assert response.status == 200 and (await response.json())[0]["text"]
        stop.set()
        await server

    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("bot").level
    logs = io.StringIO()
    configure_json_logs(verbose=True, stream=logs)  # production logging, into a buffer
    try:
        asyncio.run(talk())
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("bot").setLevel(saved[2])
    assert logs.getvalue().count('"event": "answered"') == len(personal) + 2
    for words in personal.values():
        for word in words:
            assert word not in logs.getvalue(), word
    db = tmp_path / "conversations.db"
    with sqlite3.connect(db) as con:
        dump = "\n".join(str(row) for row in con.execute("SELECT * FROM events"))
    assert dump.count('"event": "user"') >= len(personal)  # the turns are there, as topics
    for words in personal.values():
        for word in words:
            assert word not in dump, word
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    asyncio.run(engine.handle(Incoming("zainab", "/forget", channel="rest")))
    key = privacy.user_key(engine.secret, "rest", "zainab")
    with sqlite3.connect(db) as con:
        assert con.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (key,)
        ).fetchone() == (0,)
