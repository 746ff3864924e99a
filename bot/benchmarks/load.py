"""`masar bench load`: many people at once on a real `masar serve`, with and without hostile
messages among them.

The question: can one person's message make everybody else wait? A `masar serve` process is
started (or `--url` names a running one), and `--users` simulated people send messages on the
REST channel at the same time, each waiting for the answer and a random pause (0 to twice
`--pause` seconds, as people type) before the next. The run is made twice (seeded): first with
normal questions only, then with `--hostile` of the messages replaced by the worst inputs of `masar bench cost` (thousands
of emoji, CJK, combining marks, binary). It prints p50/p95/p99 of the normal messages' answer
time in both runs and their ratio; the goal is a p95 with hostile messages within 2x of the
p95 without. Every answer must be HTTP 200 (counted otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cost import worst_inputs

GOAL = 2.0  # p95 of normal messages with hostile ones at most this many times the p95 without
REPO_ROOT = Path(__file__).resolve().parents[2]
NORMAL_MESSAGES = (
    "how can i apply for asylum in germany?",
    "is it safe to cross the sea by boat?",
    "where can i find a free lawyer",
    "my brother is in greece, can he bring his children?",
    "كيف أقدم طلب لجوء في ألمانيا؟",
    "چطور درخواست پناهندگی بدم؟",
    "comment demander l'asile en France ?",
    "¿dónde puedo encontrar ayuda legal gratuita?",
    "someone offers a job in italy with papers, is it real?",
    "what is family reunification",
    "Almanya'da iltica başvurusu nasıl yapılır?",
    "how long does the asylum interview take",
)


@dataclass
class Run:
    normal_ms: list[float] = field(default_factory=list)
    hostile_ms: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        values = sorted(self.normal_ms if values is None else values)
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def simulate(
    url: str, users: int, messages: int, hostile: float, seed: int, pause: float = 0.5
) -> Run:
    """`users` people at once, `messages` each; a share `hostile` of them worst-case inputs."""
    import aiohttp

    rng = random.Random(seed)
    worst = list(worst_inputs(seed).values())
    plan = [
        [
            (True, rng.choice(worst))
            if rng.random() < hostile
            else (False, rng.choice(NORMAL_MESSAGES))
            for _ in range(messages)
        ]
        for _ in range(users)
    ]
    pauses = [[rng.uniform(0, 2 * pause) for _ in range(messages)] for _ in range(users)]
    run = Run()
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=users + 10)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:

        async def person(i: int) -> None:
            for (bad, text), wait in zip(plan[i], pauses[i], strict=True):
                await asyncio.sleep(wait)
                started = time.perf_counter()
                try:
                    async with http.post(
                        f"{url}/webhooks/rest/webhook",
                        json={"sender": f"load-{seed}-{i}", "message": text},
                    ) as response:
                        await response.read()
                        ok = response.status == 200
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    ok = False
                ms = (time.perf_counter() - started) * 1000
                if not ok:
                    run.failed += 1
                (run.hostile_ms if bad else run.normal_ms).append(ms)

        started = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        run.seconds = time.perf_counter() - started
    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log) -> subprocess.Popen:
    """`masar serve` as its own process (niced: the machine is shared), conversations in
    `data_dir`, no Telegram."""
    inherited = dict(os.environ)  # the child's environment, without the platforms' tokens
    env = {
        k: v
        for k, v in inherited.items()
        if not k.startswith(("MASAR_TELEGRAM", "MASAR_WHATSAPP", "MASAR_MESSENGER"))
    }
    env.update(
        MASAR_DATA_DIR=str(data_dir),
        MASAR_HOST="127.0.0.1",
        MASAR_PORT=str(port),
        PYTHONPATH=str(REPO_ROOT),
        OMP_NUM_THREADS="1",
    )
    return subprocess.Popen(
        ["nice", "-n", "10", sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=log,
    )


async def wait_ready(
    url: str, patience: float = 600.0, path: str = "/health", what: str = "masar serve"
) -> None:
    """Until `url` + `path` answers 200: `/health` says so once the models are warm (stock
    `rasa run` answers `/` once its model is loaded)."""
    import aiohttp

    deadline = time.monotonic() + patience
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{url}{path}") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(f"{what} at {url} was not ready in {patience:.0f} s")


def line(name: str, run: Run) -> str:
    return (
        f"  {name:<22} p50 {run.percentile(50):>7.0f} ms  p95 {run.percentile(95):>7.0f} ms  "
        f"p99 {run.percentile(99):>7.0f} ms  ({len(run.normal_ms)} normal, "
        f"{len(run.hostile_ms)} hostile, {run.failed} failed, {run.seconds:.0f} s)"
    )


async def compare(url: str, args: argparse.Namespace) -> float:
    calm = await simulate(url, args.users, args.messages, 0.0, args.seed, args.pause)
    rough = await simulate(url, args.users, args.messages, args.hostile, args.seed + 1, args.pause)
    print(f"{args.users} users, {args.messages} messages each, pause 0-{2 * args.pause:.1f} s")
    print(line("normal only", calm))
    print(line(f"with {args.hostile:.0%} hostile", rough))
    if rough.hostile_ms:
        print(
            f"  {'hostile messages':<22} p50 {rough.percentile(50, rough.hostile_ms):>7.0f} ms  "
            f"p95 {rough.percentile(95, rough.hostile_ms):>7.0f} ms"
        )
    base = calm.percentile(95) or 1.0
    ratio = rough.percentile(95) / base
    verdict = "within" if ratio <= GOAL else "ABOVE"
    print(f"p95 of normal messages with hostile / without: {ratio:.2f}x ({verdict} {GOAL:.0f}x)")
    if calm.failed or rough.failed:
        print(f"failed requests: {calm.failed} + {rough.failed}")
    return ratio if not (calm.failed or rough.failed) else float("inf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=100, help="simulated people at once")
    parser.add_argument("--messages", type=int, default=3, help="messages per person and run")
    parser.add_argument("--hostile", type=float, default=0.05, help="share of hostile messages")
    parser.add_argument(
        "--pause",
        type=float,
        default=20.0,
        help="mean pause between a person's messages, in seconds (0.5: overload)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a running masar serve (default: start one)")


def main(args: argparse.Namespace, settings) -> int:
    if args.url:
        ratio = asyncio.run(compare(args.url.rstrip("/"), args))
        return 0 if ratio <= GOAL else 1
    with tempfile.TemporaryDirectory(prefix="masar-bench-load-") as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(Path(tmp) / "serve.log", "wb") as log:
            server = start_server(Path(tmp) / "data", port, log)
            try:
                asyncio.run(wait_ready(url))
                ratio = asyncio.run(compare(url, args))
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()
    return 0 if ratio <= GOAL else 1
