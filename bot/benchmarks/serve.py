"""`masar bench serve`: `masar serve` against stock `rasa run`, side by side on this machine.

The question: how many people can one machine serve, and how fast, compared with what Rasa
does out of the box? Both servers are started: `masar serve` (bot/benchmarks/load.py starts
it) and stock `rasa run` with Rasa's default configuration (rasa_default_config.yml) trained
on the same generated data (domain, NLU examples and rules that `masar train` writes), REST
channel. The peer is trained with 1 epoch for DIET, ResponseSelector, TED and
UnexpecTED instead of 100: inference costs the same whatever the number of epochs (the
networks have the same shape), and training it takes 20 minutes less. Its model is cached by
fingerprint in build/bench-serve/.

Both are loaded ALTERNATELY (Masar, Rasa, Rasa, Masar, ...) with `--users` conversations at
once, `--messages` each, sent as fast as answers come back; the messages are the real
multilingual messages of the chat sets (tests/data/chat*). For each server it prints messages/s,
p50/p95/p99 of the answer time, errors, the peak memory of its process tree (resident, sampled
every 0.2 s) and the growth of one long conversation (`--turns` turns, one after the other:
median of the first 20 against the last 20), then the ratios Masar/Rasa. The machine's load
average is recorded before and after each run: the machine may be shared.

Both servers keep conversations in SQLite (Masar's default; for Rasa an SQL tracker store
on SQLite in the same temporary folder), so both pay for storing what they keep.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .load import free_port, start_server, wait_ready

RASA_CONFIG = Path(__file__).with_name("rasa_default_config.yml")
EPOCHS = 1  # the peer's DIET, ResponseSelector, TED and UnexpecTED epochs (see the docstring)
GOALS = {"throughput": 2.0, "p95": 0.5, "memory_mb": 600.0, "growth": 1.5}
EDGE = 20  # turns at each end of the long conversation compared


# -- the messages ---------------------------------------------------------------------------------
def real_messages() -> list[str]:
    """Every message of the chat sets (12 languages and romanised Arabic), in file order."""
    from .chat import CHAT_SETS, load_chat_set

    texts: list[str] = []
    for folder in CHAT_SETS.values():
        for item in load_chat_set(folder):
            texts.extend(item.turns)
    return texts


# -- the peer: stock Rasa -------------------------------------------------------------------------
def one_epoch_config(out: Path) -> Path:
    """Rasa's default configuration with EPOCHS epochs for its neural networks."""
    config = yaml.safe_load(RASA_CONFIG.read_text(encoding="utf-8"))
    for part in ("pipeline", "policies"):
        for component in config.get(part) or []:
            if "epochs" in component:
                component["epochs"] = EPOCHS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return out


def rasa_model(settings) -> Path:
    """Stock Rasa's model, trained on Masar's generated data (cached by fingerprint)."""
    import contextlib

    from .. import build
    from ..content.loader import load as load_content

    folder = settings.build_dir / "bench-serve"
    content, _problems = load_content(settings.content_dir)
    with contextlib.redirect_stdout(sys.stderr):
        result = build.train_model(
            settings,
            content,
            rasa_dir=folder / "rasa",
            config_file=one_epoch_config(folder / "rasa-default-1-epoch.yml"),
            models_dir=folder / "models",
            name="rasa-default",
        )
    return result.model


def masar_model(settings) -> Path:
    """Masar's model for `masar serve`, trained here if content or config changed (cached by
    fingerprint), so that the server only loads it."""
    import contextlib

    from .. import build
    from ..content.loader import load as load_content

    content, _problems = load_content(settings.content_dir)
    with contextlib.redirect_stdout(sys.stderr):
        return build.train_model(settings, content).model


def start_rasa(model: Path, work: Path, port: int, log) -> subprocess.Popen:
    """`rasa run` as stock as it gets: REST channel, SQL tracker store on SQLite, niced."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "credentials.yml").write_text("rest:\n", encoding="utf-8")
    endpoints = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(work / "rasa.db")}}
    (work / "endpoints.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    rasa = Path(sys.executable).with_name("rasa")
    command = [str(rasa)] if rasa.exists() else [sys.executable, "-m", "rasa"]
    return subprocess.Popen(
        [
            *("nice", "-n", "10", *command, "run", "--model", str(model), "--port", str(port)),
            *("--credentials", "credentials.yml", "--endpoints", "endpoints.yml"),
            *("--interface", "127.0.0.1"),
        ],
        env=env,
        cwd=work,
        stdout=log,
        stderr=log,
    )


# -- memory ---------------------------------------------------------------------------------------
def _tree(pid: int) -> list[list[str]]:
    """The /proc stat fields (after the command name) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
        stats[int(entry.name)] = fields
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            found.append(stats[p])
        todo.extend(children.get(p, []))
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    pages = sum(int(fields[21]) for fields in _tree(pid))
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its living descendants have used so far."""
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in _tree(pid))
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakMemory:
    """Samples a process tree's resident memory in a thread while it is being loaded."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


# -- one run --------------------------------------------------------------------------------------
@dataclass
class Run:
    ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the server's, while it answered this run
    load_before: float = 0.0
    load_after: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        values = sorted(self.ms)
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def _send(http, url: str, sender: str, text: str) -> tuple[float, bool]:
    import aiohttp

    started = time.perf_counter()
    try:
        async with http.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response:
            body = await response.json(content_type=None)
            ok = response.status == 200 and bool(body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        ok = False
    return (time.perf_counter() - started) * 1000, ok


async def load(url: str, users: int, messages: int, texts: list[str], tag: str) -> Run:
    """`users` conversations at once, `messages` each, each sent when the last is answered."""
    import aiohttp

    rng = random.Random(tag)
    plan = [[rng.choice(texts) for _ in range(messages)] for _ in range(users)]
    run = Run(load_before=os.getloadavg()[0])
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=users + 10)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:

        async def person(i: int) -> None:
            for text in plan[i]:
                ms, ok = await _send(http, url, f"{tag}-{i}", text)
                run.ms.append(ms)
                run.errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        run.seconds = time.perf_counter() - started
    run.load_after = os.getloadavg()[0]
    return run


async def long_conversation(url: str, turns: int, texts: list[str], tag: str) -> list[float]:
    """One conversation of `turns` messages, one after the other: each answer time in ms."""
    import aiohttp

    rng = random.Random(tag)
    times: list[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        for _ in range(turns):
            ms, _ok = await _send(http, url, tag, rng.choice(texts))
            times.append(ms)
    return times


def growth(times: list[float]) -> tuple[float, float]:
    """(median of the first EDGE turns, median of the last EDGE turns), in ms."""
    edge = max(1, min(EDGE, len(times) // 2))
    return statistics.median(times[:edge]), statistics.median(times[-edge:])


# -- both servers ---------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    runs: list[Run] = field(default_factory=list)
    peak_mb: float = 0.0
    turns: list[float] = field(default_factory=list)

    def total(self) -> Run:
        merged = Run(errors=sum(r.errors for r in self.runs))
        merged.ms = [ms for r in self.runs for ms in r.ms]
        merged.seconds = sum(r.seconds for r in self.runs)
        merged.cpu_seconds = sum(r.cpu_seconds for r in self.runs)
        return merged


async def _warm(server: Server, texts: list[str]) -> None:
    """A few conversations first: lazy models load here, not inside the figures."""
    await load(server.url, 4, 3, texts, f"warm-{server.name}")


async def measure(servers: list[Server], args: argparse.Namespace, texts: list[str]) -> None:
    for server in servers:
        await _warm(server, texts)
    for round_ in range(args.rounds):
        order = servers if round_ % 2 == 0 else list(reversed(servers))
        for server in order:
            sampler = PeakMemory(server.process.pid)
            cpu = tree_cpu_seconds(server.process.pid)
            try:
                run = await load(
                    server.url, args.users, args.messages, texts, f"{server.name}-r{round_}"
                )
            finally:
                server.peak_mb = max(server.peak_mb, sampler.stop())
            run.cpu_seconds = tree_cpu_seconds(server.process.pid) - cpu
            server.runs.append(run)
            print(
                f"  round {round_ + 1} {server.name:<6} {run.per_second:6.1f} msg/s  "
                f"p50 {run.percentile(50):6.0f} ms  p95 {run.percentile(95):6.0f} ms  "
                f"errors {run.errors}  load average {run.load_before:.2f} -> "
                f"{run.load_after:.2f}",
                file=sys.stderr,
                flush=True,
            )
    for server in servers:
        sampler = PeakMemory(server.process.pid)
        try:
            server.turns = await long_conversation(server.url, args.turns, texts, server.name)
        finally:
            server.peak_mb = max(server.peak_mb, sampler.stop())


def _cpu_ms(run: Run) -> float:
    """The server's CPU time per answered message: what a message costs, whatever the wait."""
    return 1000 * run.cpu_seconds / len(run.ms) if run.ms else 0.0


def _cores(run: Run) -> float:
    return run.cpu_seconds / run.seconds if run.seconds else 0.0


def report(masar: Server, rasa: Server, args: argparse.Namespace) -> dict[str, float]:
    """Print the table and the ratios; returns the ratios by goal name."""
    m, r = masar.total(), rasa.total()
    print(
        f"masar bench serve: {args.users} conversations at once, {args.messages} messages each, "
        f"{args.rounds} round(s) per server, alternating; {os.cpu_count()} cores"
    )
    print(
        f"stock Rasa: rasa run, Rasa's default config, {EPOCHS} epoch for DIET/ResponseSelector/"
        "TED/UnexpecTED (inference cost does not depend on the number of epochs), same "
        "generated data, REST channel, SQLite tracker store"
    )
    loads = [x for s in (masar, rasa) for run in s.runs for x in (run.load_before, run.load_after)]
    print(f"load average (1 min) during the runs: {min(loads):.2f} to {max(loads):.2f}")
    print(f"\n  {'':<34} {'Masar':>12} {'stock Rasa':>12} {'Masar/Rasa':>11}")
    first_m, last_m = growth(masar.turns)
    first_r, last_r = growth(rasa.turns)
    rows = [
        ("messages/s", m.per_second, r.per_second, "{:.1f}"),
        ("p50 ms", m.percentile(50), r.percentile(50), "{:.0f}"),
        ("p95 ms", m.percentile(95), r.percentile(95), "{:.0f}"),
        ("p99 ms", m.percentile(99), r.percentile(99), "{:.0f}"),
        ("errors", m.errors, r.errors, "{:.0f}"),
        ("CPU ms per message (process tree)", _cpu_ms(m), _cpu_ms(r), "{:.0f}"),
        ("cores busy while loaded", _cores(m), _cores(r), "{:.2f}"),
        ("peak memory MB (process tree)", masar.peak_mb, rasa.peak_mb, "{:.0f}"),
        (f"long conversation: first {EDGE} ms", first_m, first_r, "{:.0f}"),
        (f"long conversation: last {EDGE} ms", last_m, last_r, "{:.0f}"),
        ("growth (last / first)", last_m / first_m, last_r / first_r, "{:.2f}"),
    ]
    for name, a, b, fmt in rows:
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"  {name:<34} {fmt.format(a):>12} {fmt.format(b):>12} {ratio:>11}")
    ratios = {
        "throughput": m.per_second / r.per_second if r.per_second else 0.0,
        "p95": m.percentile(95) / r.percentile(95) if r.percentile(95) else float("inf"),
        "memory_mb": masar.peak_mb,
        "growth": last_m / first_m if first_m else float("inf"),
    }
    print(
        f"\ngoals: throughput {ratios['throughput']:.2f}x Rasa (>= {GOALS['throughput']:.0f}x), "
        f"p95 {ratios['p95']:.2f}x Rasa (<= {GOALS['p95']}x), peak memory "
        f"{masar.peak_mb:.0f} MB (<= {GOALS['memory_mb']:.0f}), turn {args.turns} "
        f"{ratios['growth']:.2f}x turn 1 (<= {GOALS['growth']}x)"
    )
    return ratios


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=50, help="conversations at once")
    parser.add_argument("--messages", type=int, default=5, help="messages per conversation")
    parser.add_argument("--rounds", type=int, default=3, help="runs per server, alternating")
    parser.add_argument("--turns", type=int, default=300, help="turns of the long conversation")
    parser.add_argument(
        "--rasa-model", type=Path, help="stock Rasa's trained model (default: train it, cached)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 5 conversations of 2, 1 round, 40 turns"
    )


def main(args: argparse.Namespace, settings) -> int:
    if args.quick:
        args.users, args.messages, args.rounds, args.turns = 5, 2, 1, 40
    print(f"stock Rasa's model ({EPOCHS} epoch; trained once, then cached)", file=sys.stderr)
    model = args.rasa_model or rasa_model(settings)
    print("Masar's model (trained once, then cached)", file=sys.stderr)
    masar_model(settings)  # before the server starts: its readiness wait is for loading only
    texts = real_messages()
    with tempfile.TemporaryDirectory(prefix="masar-bench-serve-") as tmp:
        work = Path(tmp)
        ports = free_port(), free_port()
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        with open(work / "masar.log", "wb") as masar_log, open(work / "rasa.log", "wb") as rasa_log:
            masar = Server("masar", urls[0], start_server(work / "data", ports[0], masar_log))
            rasa = Server("rasa", urls[1], start_rasa(model, work / "rasa", ports[1], rasa_log))
            try:
                asyncio.run(wait_ready(masar.url))
                asyncio.run(wait_ready(rasa.url, path="/", what="rasa run"))
                asyncio.run(measure([masar, rasa], args, texts))
            finally:
                _stop(masar.process)
                _stop(rasa.process)
    report(masar, rasa, args)
    return 0


if __name__ == "__main__":  # python -m bot.benchmarks.serve [--quick]
    from ..settings import load as load_settings

    parser = argparse.ArgumentParser(prog="python -m bot.benchmarks.serve")
    add_arguments(parser)
    sys.exit(main(parser.parse_args(), load_settings()))
