"""`masar bench latency`: two versions timed side by side, taking turns.

How fast either version is stays for the benchmark to print; these tests check that the turns
are fair, that a missing model is said clearly, and that a real run through two worker processes
with the trained model produces its report.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.benchmarks import latency
from bot.benchmarks.nlu import REPO_ROOT


class Recorder:
    """Stands in for a worker process in the turn-taking logic only."""

    def __init__(self, name: str, calls: list) -> None:
        self.side = latency.Side(name, Path("."), Path("model"))
        self.calls = calls

    def times(self, texts):
        self.calls.append((self.side.name, list(texts)))
        return [1.0] * len(texts)


def test_every_text_goes_to_both_sides_and_neither_always_goes_first():
    calls: list = []
    workers = [Recorder("before", calls), Recorder("after", calls)]
    texts = [f"t{i}" for i in range(7)]
    times = latency.alternate(workers, texts, chunk=3)
    assert [name for name, _ in calls] == ["before", "after", "after", "before", "before", "after"]
    assert [part for _, part in calls[::2]] == [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6"]]
    assert {name: len(t) for name, t in times.items()} == {"before": 7, "after": 7}


def test_a_checkout_without_a_model_is_told_what_to_do(tmp_path):
    with pytest.raises(SystemExit, match="run `masar train` in that checkout first"):
        latency.trained_model(tmp_path)


def test_a_limit_spreads_the_texts_over_every_topic_and_language():
    everything = latency.held_out_texts(REPO_ROOT)
    sample = latency.held_out_texts(REPO_ROOT, limit=50)
    assert len(sample) == 50 and set(sample) <= set(everything)
    assert sample[0] == everything[0] and sample[-1] in everything[-len(everything) // 50 - 1 :]


def test_the_report_gives_both_percentiles_and_their_ratios():
    text = latency.report_round("set, round 1", [10.0] * 19 + [20.0], [12.0] * 19 + [30.0])
    assert "after / before: p50 1.20x" in text and "before  p50   10.0 ms" in text


@pytest.mark.model
@pytest.mark.subprocess
def test_a_real_run_times_the_trained_model_in_two_processes(engine, settings):
    from bot.build import current_model

    model = current_model(settings)
    assert model is not None
    command = [sys.executable, "-m", "bot.cli", "bench", "latency", "--before", str(REPO_ROOT)]
    command += ["--before-model", str(model), "--after-model", str(model)]
    command += ["--rounds", "1", "--limit", "30", "--chunk", "10"]
    out = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "held-out content (30 texts), round 1" in out.stdout
    ratios = re.findall(r"after / before: p50 ([\d.]+)x   p95 ([\d.]+)x", out.stdout)
    assert len(ratios) == 1 and all(float(r) > 0 for r in ratios[0])


@pytest.mark.subprocess
def test_a_model_that_does_not_load_stops_the_run_with_the_reason(tmp_path):
    broken = tmp_path / "masar-broken.tar.gz"
    broken.write_bytes(b"not a model")
    command = [sys.executable, "-m", "bot.cli", "bench", "latency", "--before", str(REPO_ROOT)]
    command += ["--before-model", str(broken), "--after-model", str(broken), "--limit", "5"]
    out = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "before" in out.stderr and "the worker stopped" in out.stderr
    assert "can not be loaded" in out.stderr  # Rasa's own reason, from the worker's log
