"""`masar serve`: the Telegram webhook (secret token), Rasa's REST channel and /health, over
real HTTP, with Telegram's side played by the Bot API emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import subprocess
import sys

import aiohttp
import pytest
from telegram_emulator import ROOT, BotApiEmulator, buttons, channel_settings, free_port

from bot.channels.http import SECRET_HEADER, JsonLines, check_settings, serve
from bot.content.catalogue import LANGUAGES
from bot.i18n import _
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


def serving(mini, scenario, telegram: bool = True):
    """Run `scenario(api, http, base_url)` while `serve()` runs with the emulator as Telegram."""
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
            stderr = (tmp_path / "stderr.log").open("wb")
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
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
                stderr.close()
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
