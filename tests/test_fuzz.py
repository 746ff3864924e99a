"""Hostile input through the real engine: `masar serve` over real HTTP and `masar ask` as a
process, fed the seeded cases of tests/hostile.py.

Every case must be answered (200 with a reply; one output line) or refused with a clear message
(4xx with an error; a named line on stderr), never a 500, a crash or silence; when the user's
language is clear the reply is in it; text without a question gets the fallback.

The normal run sends MASAR_FUZZ_COUNT cases (default 150) per channel; by hand, larger:
    MASAR_FUZZ_COUNT=10000 PYTHONPATH=$PWD python -m pytest tests/test_fuzz.py -s
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from hostile import Generator
from telegram_emulator import ROOT, free_port

from bot.language import detect

COUNT = int(os.environ.get("MASAR_FUZZ_COUNT", "150"))
SEED = int(os.environ.get("MASAR_FUZZ_SEED", "14"))
NOISE_TO_FALLBACK = 0.97  # share of noise that must get the fallback (bot/noise.py)

pytestmark = pytest.mark.subprocess


def masar_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(MASAR_DATA_DIR=str(data_dir), OMP_NUM_THREADS="1", **extra)
    return env


def reply_language(text: str) -> str | None:
    """The language a reply is written in (the answers are long and clean: detection is sure)."""
    return detect(text).language


@pytest.fixture(scope="module")
def cases(engine):  # `engine`: the shipped model is trained before the processes load it
    return Generator(SEED).cases(COUNT)


def test_masar_serve_answers_or_refuses_every_hostile_request(cases, tmp_path):
    port = free_port()
    counts: Counter[str] = Counter()
    problems: list[str] = []

    async def send(http, base, case, limit) -> None:
        async with limit:
            try:
                async with http.post(
                    f"{base}/webhooks/rest/webhook", data=case.body, headers=case.headers
                ) as response:
                    status, raw = response.status, await response.read()
            except aiohttp.ClientError as exc:
                counts["connection failed"] += 1
                problems.append(f"{case.kind}: {type(exc).__name__}")
                return
        counts[f"HTTP {status}"] += 1
        if status >= 500:
            problems.append(f"{case.kind}: HTTP {status}")
        elif case.answerable != (status == 200):
            counts["answered or refused wrongly"] += 1
            problems.append(f"{case.kind}: HTTP {status} {raw[:200]!r}")
        elif status == 200:
            replies = json.loads(raw)
            if not replies or not all(r.get("text") for r in replies):
                counts["empty reply"] += 1
                problems.append(f"{case.kind}: empty reply")
            elif case.language:
                counts["clear language"] += 1
                said = reply_language(replies[0]["text"])
                if said != case.language:
                    counts["reply in another language"] += 1
                    problems.append(f"{case.kind}: {case.language} answered in {said}")
        elif not raw.strip():
            problems.append(f"{case.kind}: HTTP {status} without a message")

    async def main() -> None:
        with (tmp_path / "stderr.log").open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                cwd=ROOT,
                env=masar_env(tmp_path, MASAR_PORT=str(port)),
                stderr=stderr,
                stdout=subprocess.DEVNULL,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                for _attempt in range(1200):  # bounded: loading the model, 120 s
                    assert process.returncode is None, "masar serve exited"
                    try:
                        async with http.get(f"{base}/health") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                limit = asyncio.Semaphore(4)
                await asyncio.gather(*(send(http, base, case, limit) for case in cases))
                async with http.get(f"{base}/health") as response:
                    assert response.status == 200
            counts["server crashed"] = int(process.returncode is not None)
        finally:
            process.terminate()
            await process.wait()

    asyncio.run(main())
    log = (tmp_path / "stderr.log").read_text(encoding="utf-8", errors="replace")
    counts["tracebacks in the log"] = log.count('"traceback"')
    print(
        f"\nmasar serve, {len(cases)} hostile requests (seed {SEED}):", dict(sorted(counts.items()))
    )
    assert not problems, problems[:20]
    assert counts["server crashed"] == 0 and counts["tracebacks in the log"] == 0
    assert sum(v for k, v in counts.items() if k.startswith("HTTP 5")) == 0


def test_masar_ask_answers_every_line_it_can_and_names_the_others(cases, tmp_path):
    lines = [case.line for case in cases]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        cwd=ROOT,
        env=masar_env(tmp_path),
        timeout=1800,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    expected = [case for case in cases if case.ask_answerable]
    counts: Counter[str] = Counter(
        lines=len(cases),
        answered=len(out),
        refused=stderr.count("; line skipped"),
        tracebacks=stderr.count("Traceback"),
    )
    problems = []
    for number, case in enumerate(cases, start=1):
        if not case.ask_answerable and f"line {number}: " not in stderr:
            problems.append(f"line {number} ({case.kind}) neither answered nor named")
    assert len(out) == len(expected), (len(out), len(expected), stderr[-2000:])
    for case, answer in zip(expected, out, strict=True):
        sent = json.loads(case.line)
        assert answer["user"] == str(sent.get("user", "anonymous"))
        if not answer["replies"] or not all(r["text"] for r in answer["replies"]):
            problems.append(f"{case.kind}: empty reply")
        if case.language:
            counts["clear language"] += 1
            if answer["language"] != case.language:
                counts["reply in another language"] += 1
                problems.append(f"{case.kind}: {case.language} answered in {answer['language']}")
        if case.noise:
            counts["noise"] += 1
            if answer["topic"] != "fallback":
                counts["noise given a topic"] += 1
    print(f"\nmasar ask, {len(cases)} hostile lines (seed {SEED}):", dict(sorted(counts.items())))
    assert not problems, problems[:20]
    assert counts["tracebacks"] == 0
    assert counts["refused"] == len(cases) - len(expected)
    assert counts["noise given a topic"] <= (1 - NOISE_TO_FALLBACK) * counts["noise"]
