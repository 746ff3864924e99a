"""`masar serve`: the Telegram webhook (secret token), Rasa's REST channel and /health, over
real HTTP, with Telegram's side played by the Bot API emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sys

import aiohttp
import pytest
from servers import masar_serve
from telegram_emulator import BotApiEmulator, app_serving, buttons, channel_settings, free_port

from bot.channels.http import SECRET_HEADER, JsonLines, check_settings, serve
from bot.content.catalogue import LANGUAGES
from bot.i18n import _, country_name
from bot.masar import compose

SECRET = "webhook-secret_0123456789abcdef"


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("serve-var")
    )
    return settings, Engine.load(settings)


def serving(mini, scenario, telegram: bool = True, **settings_changes):
    """Run `scenario(api, http, base_url)` while `serve()` runs with the emulator as Telegram."""
    settings, engine = mini
    settings = dataclasses.replace(settings, **settings_changes)

    async def main():
        async with BotApiEmulator() as api:
            port = free_port()
            run = dataclasses.replace(
                settings,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                telegram_webhook_secret=SECRET,
                port=port,
                telegram_webhook_url="https://masar.example.org/telegram/webhook",
            )
            if not telegram:
                run = dataclasses.replace(run, telegram_token=None, telegram_webhook_secret=None)
            stop = asyncio.Event()
            server = asyncio.create_task(serve(compose(engine), run, stop))
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as http:
                for _attempt in range(600):  # until the server listens (bounded)
                    if server.done():
                        server.result()
                    try:
                        async with http.get(f"{base}/health") as response:
                            # Telegram connects in the background: wait for it too
                            if response.status == 200 and (await response.json())["telegram"] in (
                                "off",
                                "webhook",
                            ):
                                break
                            await asyncio.sleep(0.05)
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                try:
                    await scenario(api, http, base)
                finally:
                    stop.set()
                    await server
            return api

    return asyncio.run(main())


def test_webhook_is_registered_with_the_secret_token(mini):
    api = serving(mini, lambda api, http, base: asyncio.sleep(0))
    (call,) = api.sent("setWebhook")
    assert call["url"] == "https://masar.example.org/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert set(call["allowed_updates"]) == {"message", "callback_query"}


def test_webhook_refuses_updates_without_the_secret_and_answers_with_it(mini):
    user = BotApiEmulator.user(2001, "en")

    async def scenario(api, http, base):
        url = f"{base}/telegram/webhook"
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            update = {"update_id": 1, **api.update_body(user, text="/start")}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        assert api.sent("sendMessage") == []  # nothing was processed

        for body in (b"{not json", b"null", b"[1, 2]"):
            async with http.post(url, data=body, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400

        update = {"update_id": 2, **api.update_body(user, text="/start")}
        async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        (reply,) = await api.wait_for(chat_id=2001)
        assert ("English", "/language en") in buttons(reply)

        query = {
            "update_id": 3,
            "callback_query": {
                "id": "77",
                "from": user,
                "chat_instance": "2001",
                "message": api.last_message(2001),
                "data": "/language en",
            },
        }
        async with http.post(url, json=query, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        assert api.sent("answerCallbackQuery")[0]["callback_query_id"] == "77"

    serving(mini, scenario)


def test_rest_channel_speaks_rasa_format_through_the_same_engine(mini):
    async def scenario(api, http, base):
        url = f"{base}/webhooks/rest/webhook"
        async with http.post(
            url, json={"sender": "gateway-user-1", "message": "/start"}
        ) as response:
            assert response.status == 200
            messages = await response.json()
        assert messages[0]["recipient_id"] == "gateway-user-1"
        assert messages[0]["text"]
        assert {"title": "English", "payload": "/language en"} in messages[0]["buttons"]

        async with http.post(
            url, json={"sender": "gateway-user-1", "message": "/privacy"}
        ) as response:
            (privacy,) = await response.json()
        assert "/forget" in privacy["text"]

        async with http.post(url, data=b"not json") as response:
            assert response.status == 400
            assert "sender" in (await response.json())["error"]
        async with http.post(url, json={"sender": "x"}) as response:
            assert response.status == 400

    serving(mini, scenario)


def test_rest_gateways_pass_on_locations_and_photos_and_get_what_telegram_users_get(mini):
    async def scenario(api, http, base):
        url = f"{base}/webhooks/rest/webhook"

        async def post(metadata: dict) -> list[dict]:
            message = {"sender": "gateway-user-2", "message": "", "metadata": metadata}
            async with http.post(url, json=message) as response:
                assert response.status == 200
                return await response.json()

        (question,) = await post({"location": {"latitude": 41.9, "longitude": 12.5}})  # Rome
        assert country_name("IT", "en") in question["text"]
        assert {"title": _("en", "Yes"), "payload": "/country IT"} in question["buttons"]
        (photo,) = await post({"media": True})
        assert photo["text"] == _(
            "en",
            "I can only read written messages, not voice notes, photos or files. "
            "Please write your question, or choose a topic:",
        )
        assert len(photo["buttons"]) >= 6  # the menu, not a dead end
        (anywhere,) = await post({"location": {"latitude": 30.0, "longitude": -40.0}})
        assert "/country IT" in [b["payload"] for b in anywhere["buttons"]]  # choose a country

    serving(mini, scenario, telegram=False)


def test_health_reports_model_and_content(mini):
    _settings, engine = mini

    async def scenario(api, http, base):
        async with http.get(f"{base}/health") as response:
            health = await response.json()
        assert health["status"] == "ok"
        assert health["model"] and health["model"] in engine.model_path.name
        assert health["topics"] == len(engine.content.topics) and health["countries"] == 3
        assert health["telegram"] == "webhook"

    serving(mini, scenario)


def test_serve_without_telegram_still_serves_rest(mini):
    async def scenario(api, http, base):
        async with http.get(f"{base}/health") as response:
            assert (await response.json())["telegram"] == "off"
        async with http.post(f"{base}/telegram/webhook", json={"update_id": 1}) as response:
            assert response.status == 404
        async with http.post(
            f"{base}/webhooks/rest/webhook", json={"sender": "s", "message": "/menu"}
        ) as response:
            assert response.status == 200

    api = serving(mini, scenario, telegram=False)
    assert api.calls == []  # Telegram was never called


def test_serve_refuses_a_token_without_a_webhook_secret(mini):
    settings, _engine = mini
    with pytest.raises(SystemExit, match="MASAR_TELEGRAM_WEBHOOK_SECRET"):
        check_settings(
            dataclasses.replace(settings, telegram_token="123:abc", telegram_webhook_secret=None)
        )
    with pytest.raises(SystemExit) as refused:
        check_settings(
            dataclasses.replace(
                settings, telegram_token="123:abc", telegram_webhook_secret="bad secret!"
            )
        )
    assert "bad secret!" not in str(refused.value)


def test_json_log_lines_carry_fields_not_text():
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "answered %s", ("text",), None)
    record.masar = {"event": "answered", "topic": "greet"}
    line = json.loads(JsonLines().format(record))
    assert line["event"] == "answered" and line["topic"] == "greet" and line["level"] == "info"


@pytest.mark.subprocess
def test_logs_of_a_whole_conversation_hold_no_text_token_or_user_id(mini, tmp_path):
    """`masar serve` as a process: a conversation through the webhook and REST, then its stderr."""
    settings, _engine = mini
    user_id, name = 987654321, "Zainab"
    texts = [
        "كيف اقدم لجوء؟ رقمي +49 151 23456789",
        "my email is zainab@example.org, help me apply for asylum",
        "/privacy",
        "/forget",
    ]

    async def main():
        async with BotApiEmulator() as api:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
            env.update(
                MASAR_TELEGRAM_TOKEN=api.token,
                MASAR_TELEGRAM_API_URL=api.api_url,
                MASAR_TELEGRAM_WEBHOOK_SECRET=SECRET,
                MASAR_PORT=str(port),
                MASAR_CONTENT_DIR=str(settings.content_dir),
                MASAR_BUILD_DIR=str(settings.build_dir),
                MASAR_DATA_DIR=str(tmp_path),
            )
            process = await masar_serve(env, tmp_path / "stderr.log")
            base = f"http://127.0.0.1:{port}"
            try:
                async with aiohttp.ClientSession() as http:
                    for _attempt in range(3000):  # until the server listens (bounded)
                        assert process.returncode is None, (tmp_path / "stderr.log").read_text()[
                            -3000:
                        ]
                        try:
                            async with http.get(f"{base}/health") as response:
                                health = await response.json()
                                if response.status == 200 and health["telegram"] == "webhook":
                                    break  # Telegram connects in the background
                                await asyncio.sleep(0.1)
                        except aiohttp.ClientConnectionError:
                            await asyncio.sleep(0.1)
                    user = BotApiEmulator.user(user_id, "ar", first_name=name)
                    for i, text in enumerate(texts):
                        update = {"update_id": 10 + i, **api.update_body(user, text=text)}
                        async with http.post(
                            f"{base}/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
                        ) as response:
                            assert response.status == 200
                        async with http.post(
                            f"{base}/webhooks/rest/webhook",
                            json={"sender": str(user_id), "message": text},
                        ) as response:
                            assert response.status == 200
                    async with http.post(
                        f"{base}/telegram/webhook", json={"update_id": 99}
                    ) as response:
                        assert response.status == 403
                assert len(api.sent("sendMessage", chat_id=user_id)) >= len(texts)
                done = {
                    _(lang, "Done: everything Masar kept about you has been deleted.")
                    for lang in LANGUAGES
                }
                assert api.sent("sendMessage")[-1]["text"] in done
            finally:
                process.terminate()
                await process.wait()
            return process.returncode, (tmp_path / "stderr.log").read_text(encoding="utf-8")

    code, log = asyncio.run(main())
    assert code == 0, log[-3000:]
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(
        line.get("event") == "answered" and line.get("channel") == "telegram" for line in lines
    )
    assert any(line.get("event") == "answered" and line.get("channel") == "rest" for line in lines)
    assert any(line.get("event") == "refused" for line in lines)
    assert any(line.get("event") == "retention" for line in lines)
    for secret in (
        "123456789:AAE",
        SECRET,
        str(user_id),
        name,
        "zainab@example.org",
        "151 23456789",
        "كيف اقدم لجوء",
        "help me apply",
        "/privacy",
        "/forget",
    ):
        assert secret not in log, f"{secret!r} leaked into the logs"


# -- connections: slow clients, huge headers, readiness ---------------------------------------
async def _status_of(reader: asyncio.StreamReader, patience: float) -> int | None:
    """The status code of the response on a raw connection, or None when it closes silently."""
    line = await asyncio.wait_for(reader.readline(), patience)
    return int(line.split()[1]) if line.startswith(b"HTTP/1.") else None


def test_a_thousand_slow_connections_do_not_keep_people_out(mini):
    """1,000 connections that send nothing, or their headers a byte at a time, while people
    send messages: every message is answered, and the slow connections are closed once their
    time for the headers is up (or, when the cap is reached, to make room)."""

    async def scenario(api, http, base):
        port = int(base.rsplit(":", 1)[1])
        slow = []
        for i in range(1000):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            slow.append((reader, writer))
            if i % 2:  # half start a request and send a byte now and then
                writer.write(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n")

        async def trickle():
            for _round in range(40):
                for _reader, writer in slow[1::2]:
                    if not writer.is_closing():
                        writer.write(b"X")
                await asyncio.sleep(0.25)

        trickling = asyncio.create_task(trickle())
        try:
            answered = 0
            for i in range(10):
                async with http.post(
                    f"{base}/webhooks/rest/webhook",
                    json={"sender": f"person-{i}", "message": "/menu"},
                    timeout=aiohttp.ClientTimeout(total=20),
                ) as response:
                    answered += response.status == 200
                async with http.get(f"{base}/health") as response:
                    answered += response.status == 200
            assert answered == 20
            # the header timeout (3 s) closes every slow connection, with a 408 or silently
            closed = 0
            for reader, _writer in slow:
                try:
                    status = await _status_of(reader, 8.0)
                    assert status in (None, 408)
                    assert await asyncio.wait_for(reader.read(), 8.0) is not None
                    closed += 1
                except (ConnectionError, asyncio.IncompleteReadError):
                    closed += 1
            assert closed == 1000
        finally:
            trickling.cancel()
            for _reader, writer in slow:
                writer.close()

    serving(
        mini,
        scenario,
        telegram=False,
        http_header_timeout=3.0,
        http_max_connections=600,  # below 1,000: the cap must make room for people too
    )


def test_oversized_or_too_many_headers_are_refused(mini):
    async def scenario(api, http, base):
        port = int(base.rsplit(":", 1)[1])

        async def send(head: bytes) -> int | None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(head)
                await writer.drain()
            except ConnectionError:
                pass  # the server may close before everything is sent
            try:
                return await _status_of(reader, 10.0)
            finally:
                writer.close()

        big = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 8000) for i in range(300))
        status = await send(b"GET /health HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
        assert status in (400, 431)
        many = b"".join(b"X-N-%d: 1\r\n" % i for i in range(150))
        assert await send(b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n") == 431
        few = b"".join(b"X-N-%d: 1\r\n" % i for i in range(20))
        assert await send(b"GET /health HTTP/1.1\r\nHost: x\r\n" + few + b"\r\n") == 200
        async with http.get(f"{base}/health") as response:  # still serving
            assert response.status == 200

    serving(mini, scenario, telegram=False)


def test_a_body_that_does_not_arrive_gets_408(mini):
    async def scenario(api, http, base):
        port = int(base.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sender"'
        )
        try:
            assert await _status_of(reader, 10.0) == 408
        finally:
            writer.close()

    serving(mini, scenario, telegram=False, http_body_timeout=1.0)


def test_health_says_starting_until_the_models_are_loaded(mini):
    """A separate readiness state: 503 "starting" while the models load; messages wait."""
    _settings, engine = mini

    async def main():
        ready = asyncio.Event()
        async with app_serving(compose(engine), ready) as base, aiohttp.ClientSession() as http:
            async with http.get(f"{base}/health") as response:
                assert response.status == 503
                health = await response.json()
                assert health["status"] == "starting" and health["ready"] is False
            waiting = asyncio.ensure_future(
                http.post(f"{base}/webhooks/rest/webhook", json={"sender": "w", "message": "/menu"})
            )
            await asyncio.sleep(0.5)
            assert not waiting.done()  # the message waits for the models
            ready.set()
            async with await waiting as response:
                assert response.status == 200
            async with http.get(f"{base}/health") as response:
                assert response.status == 200
                assert (await response.json())["ready"] is True

    asyncio.run(main())


def test_the_engine_reads_messages_off_the_event_loop(mini):
    """Rasa's NLU pipeline, the sentence embedding and the emergency net run in the engine's
    worker threads, never in the thread of the event loop that serves every other request
    (observed with a profiling hook on the real functions)."""
    import threading

    from bot.engine import Engine
    from bot.messages import Incoming

    settings, _engine = mini
    engine = Engine.load(settings, in_memory=True, train=False)  # its threads start hooked
    watched = {"_parse_message_with_graph", "query", "check", "choose_language"}
    seen: dict[str, set[str]] = {}

    def hook(frame, event, _arg):
        if event == "call" and frame.f_code.co_name in watched:
            seen.setdefault(frame.f_code.co_name, set()).add(threading.current_thread().name)

    async def main():
        loop_thread = threading.current_thread().name
        threading.setprofile(hook)  # threads started from now on (the engine's workers)
        sys.setprofile(hook)  # and this one, the event loop's
        try:
            await engine.handle(
                Incoming(
                    "off-loop", "how do i ask for asylum in germany, and how long does it take?"
                )
            )
        finally:
            sys.setprofile(None)
            threading.setprofile(None)
        return loop_thread

    loop_thread = asyncio.run(main())
    assert {"_parse_message_with_graph", "query", "check"} <= set(seen)
    assert all(loop_thread not in threads for threads in seen.values()), seen


def test_a_short_question_does_not_wait_behind_a_long_message(mini):
    """Long messages are read in their own lane: a question sent just after a 4,000-character
    message is answered first."""

    async def scenario(api, http, base):
        long = ("we paid the man and he took our passports, now he wants more money. " * 60)[:4000]
        order = []

        async def send(sender, text, delay):
            await asyncio.sleep(delay)
            async with http.post(
                f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            ) as response:
                assert response.status == 200
            order.append(sender)

        await asyncio.gather(
            send("long", long, 0.0), send("short", "how do i ask for asylum?", 0.05)
        )
        assert order == ["short", "long"]

    serving(mini, scenario, telegram=False)


@pytest.mark.parametrize("threads", [1, 2])
def test_short_messages_are_read_on_as_many_threads_as_set(mini, threads):
    """MASAR_READING_THREADS (by default one per core): two short messages' readings run at
    the same time on two threads (the embedding runs outside Python's lock), one after the
    other on one."""
    import threading

    from bot.engine import Engine

    settings, _engine = mini
    engine = Engine.load(settings.replace(reading_threads=threads))
    met = threading.Barrier(2, timeout=2)

    def reading() -> str:
        met.wait()  # returns only when the other reading is under way at the same time
        return threading.current_thread().name

    async def two():
        return await asyncio.gather(
            engine._off_loop(reading), engine._off_loop(reading), return_exceptions=True
        )

    results = asyncio.run(two())
    if threads == 2:
        assert len(set(results)) == 2 and all(n.startswith("masar-reading-short") for n in results)
    else:
        assert all(isinstance(r, threading.BrokenBarrierError) for r in results)
