"""`masar bench latency`: has a change made the NLU slower? Two versions side by side.

A latency measured on another day says little: on the same 2-core machine the same code and
model answered 1.6-1.9x slower on 2026-12-03 than on 2026-11-23 (docs/benchmarks/
nlu-2026-12-02.md). So the two versions run here at the same time, each in its own process with
its own checkout's code and trained model, on the same texts, taking turns in chunks so that both
meet the same machine; what is compared is the ratio, per round and per text set.

Each text set is a checkout's held-out content examples (`masar bench nlu`'s split), because a
pipeline's cost depends on the length of what it reads: the two versions are timed on both
sets when their content differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ..build import last_good_model
from .nlu import REPO_ROOT, child_env, content_examples, percentile, split

WORKER = Path(__file__).with_name("latency_worker.py")


@dataclass(frozen=True)
class Side:
    """One version under test: a checkout (its `bot/` and `content/`) and its trained model."""

    name: str
    checkout: Path
    model: Path


def trained_model(checkout: Path) -> Path:
    """The checkout's last good model (build/models/current.txt), or a clear error."""
    model = last_good_model(checkout / "build" / "models")
    if model is not None:
        return model
    raise SystemExit(
        f"no trained model in {checkout}/build/models: run `masar train` in that checkout first, "
        "or name the model with --before-model / --after-model"
    )


def held_out_texts(checkout: Path, limit: int | None = None) -> list[str]:
    """The checkout's held-out content examples; with a `limit`, that many taken at even steps
    (the examples run topic by topic and language by language, so a sample reaches across them
    rather than stopping at the first topics)."""
    _train, test = split(content_examples(checkout / "content"))
    texts = [example.text for example in test]
    if limit and limit < len(texts):
        texts = [texts[i * len(texts) // limit] for i in range(limit)]
    return texts


class Worker:
    """A process of latency_worker.py with `side`'s checkout first on the Python path."""

    def __init__(self, side: Side, work: Path) -> None:
        env = child_env(work)
        env["PYTHONPATH"] = str(side.checkout)
        self.side = side
        self.log = (work / f"{side.name}.log").open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import runpy, sys; sys.argv = sys.argv[1:]; "
                "runpy.run_path(sys.argv[0], run_name='__main__')",
                str(WORKER),
                str(side.model),
            ],
            cwd=str(side.checkout),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        if self._line() != "ready":
            self._fail("the model did not load")

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self._fail("the worker stopped")
        return line.strip()

    def _fail(self, what: str) -> NoReturn:
        """Stop with the end of the worker's log: the log itself goes with the temporary folder."""
        self.log.flush()
        lines = Path(self.log.name).read_text(encoding="utf-8", errors="replace").splitlines()
        tail = "\n".join(lines[-15:])
        raise SystemExit(f"{self.side.name} ({self.side.model}): {what}:\n{tail}")

    def times(self, texts: Sequence[str]) -> list[float]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(list(texts)) + "\n")
        self.process.stdin.flush()
        return [float(ms) for ms in json.loads(self._line())]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def alternate(
    workers: Sequence[Worker], texts: Sequence[str], chunk: int
) -> dict[str, list[float]]:
    """Every text through every worker, chunk by chunk, the order of the workers reversed at
    each chunk so that neither always goes first (warm caches, a neighbour's burst)."""
    times: dict[str, list[float]] = {w.side.name: [] for w in workers}
    for number, start in enumerate(range(0, len(texts), chunk)):
        part = texts[start : start + chunk]
        for worker in workers if number % 2 == 0 else list(reversed(workers)):
            times[worker.side.name] += worker.times(part)
    return times


def report_round(title: str, before: list[float], after: list[float]) -> str:
    def ratio(q: int) -> float:
        return percentile(after, q) / percentile(before, q)

    lines = [title]
    for name, times in (("before", before), ("after", after)):
        lines.append(
            f"  {name:7s} p50 {percentile(times, 50):6.1f} ms   p95 {percentile(times, 95):6.1f} ms"
        )
    lines.append(f"  after / before: p50 {ratio(50):.2f}x   p95 {ratio(95):.2f}x")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--before",
        type=Path,
        required=True,
        metavar="CHECKOUT",
        help="the older version: a checkout (e.g. `git worktree add DIR COMMIT`) with a model",
    )
    parser.add_argument(
        "--after",
        type=Path,
        default=REPO_ROOT,
        metavar="CHECKOUT",
        help="the newer version (default: this checkout)",
    )
    parser.add_argument("--before-model", type=Path, help="default: the checkout's current model")
    parser.add_argument("--after-model", type=Path, help="default: the checkout's current model")
    parser.add_argument("--rounds", type=int, default=2, help="passes over every text set")
    parser.add_argument("--chunk", type=int, default=40, help="texts per turn")
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="at most N texts per set, spread evenly (a quick look)",
    )


def main(args: argparse.Namespace) -> int:
    sides = [
        Side(name, checkout.resolve(), (model or trained_model(checkout)).resolve())
        for name, checkout, model in (
            ("before", args.before, args.before_model),
            ("after", args.after, args.after_model),
        )
    ]
    sets: dict[str, list[str]] = {}
    for side in sides:
        texts = held_out_texts(side.checkout, args.limit)
        if texts not in sets.values():
            sets[f"{side.name}'s held-out content ({len(texts)} texts)"] = texts
    print(f"before: {sides[0].model}\nafter:  {sides[1].model}", flush=True)
    with tempfile.TemporaryDirectory(prefix="masar-latency-") as tmp:
        workers: list[Worker] = []
        try:
            for side in sides:  # one by one, so that a side that fails closes the other
                workers.append(Worker(side, Path(tmp)))
            for round_ in range(1, args.rounds + 1):
                for title, texts in sets.items():
                    times = alternate(workers, texts, args.chunk)
                    print(
                        report_round(f"{title}, round {round_}", times["before"], times["after"]),
                        flush=True,
                    )
        finally:
            for worker in workers:
                worker.close()
    return 0
