"""`kill -HUP` reloads content and model in a running `masar serve`; a build that fails keeps
the last good content and model serving. A real process, real signals, real HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal

import aiohttp
import pytest
import yaml
from servers import masar_serve
from telegram_emulator import LONG_TOPIC, MODEL_CACHE, ROOT, channel_content, free_port

RELOADED = "Your rights in the asylum procedure: this answer came with the reload."


def events(log_file) -> list[dict]:
    lines = log_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


async def wait_for_line(log_file, wanted, process, timeout: float = 600.0) -> dict:
    """The first JSON log line for which `wanted(line)` is true (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        assert process.returncode is None, log_file.read_text()[-3000:]
        found = [e for e in events(log_file) if wanted(e)]
        if found:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no such log line; the log ends: {log_file.read_text()[-2000:]}")


@pytest.mark.subprocess
def test_sighup_reloads_content_and_a_failed_build_keeps_the_last_good_model(tmp_path):
    content = channel_content(tmp_path / "content")
    config = tmp_path / "config.yml"
    shutil.copy(ROOT / "config.yml", config)
    port, log_file = free_port(), tmp_path / "stderr.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_PORT=str(port),
        MASAR_CONTENT_DIR=str(content),
        MASAR_CONFIG=str(config),
        MASAR_BUILD_DIR=str(MODEL_CACHE / "channel"),
        MASAR_DATA_DIR=str(tmp_path / "var"),
        MASAR_USER_KEY_SECRET="reload-test-secret",
    )
    base = f"http://127.0.0.1:{port}"

    async def ask(http) -> str:
        message = {"sender": "u1", "message": f"/{LONG_TOPIC}"}
        async with http.post(f"{base}/webhooks/rest/webhook", json=message) as response:
            assert response.status == 200
            return (await response.json())[0]["text"]

    async def health(http) -> dict:
        async with http.get(f"{base}/health") as response:
            return await response.json()

    async def main():
        process = await masar_serve(env, log_file)
        try:
            await wait_for_line(log_file, lambda e: e.get("event") == "ready", process)
            async with aiohttp.ClientSession() as http:
                before = await ask(http)
                assert RELOADED not in before
                model = (await health(http))["model"]

                # new content, then SIGHUP: the next answer is the new one
                topic_file = content / "topics" / f"{LONG_TOPIC}.yml"
                topic = yaml.safe_load(topic_file.read_text(encoding="utf-8"))
                topic["languages"]["en"]["answer"] = RELOADED
                topic_file.write_text(yaml.safe_dump(topic, allow_unicode=True), "utf-8")
                process.send_signal(signal.SIGHUP)
                await wait_for_line(log_file, lambda e: e.get("event") == "reloaded", process)
                assert RELOADED in await ask(http)

                # a configuration that cannot be trained, then SIGHUP: still serving
                config.write_text("pipeline: [\n", encoding="utf-8")
                process.send_signal(signal.SIGHUP)
                failed = await wait_for_line(
                    log_file, lambda e: e.get("message", "").startswith("reload failed"), process
                )
                assert failed["level"] == "error"
                assert RELOADED in await ask(http)
                now = await health(http)
                assert now["status"] == "ok" and now["model"] == model
        finally:
            process.terminate()
            await process.wait()
        return process.returncode

    assert asyncio.run(main()) == 0, log_file.read_text()[-3000:]
    reloads = [e for e in events(log_file) if e.get("event") == "reloaded"]
    assert len(reloads) == 1
