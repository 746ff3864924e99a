"""`masar bench serve`: `masar serve` against stock `rasa run`, both real servers on real HTTP.

A small run (`--quick`) must start both, load both, and print every figure and the ratios;
no figure is asserted against a goal here (the machine is shared, times are noise), only that
the run measured something real: answers came back without errors from both servers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.benchmarks import serve

ROOT = Path(__file__).resolve().parents[1]


def test_the_peer_is_rasas_default_config_with_one_epoch(tmp_path):
    config = yaml.safe_load(serve.one_epoch_config(tmp_path / "c.yml").read_text())
    default = yaml.safe_load(serve.RASA_CONFIG.read_text())
    names = [c["name"] for c in config["pipeline"] + config["policies"]]
    assert names == [c["name"] for c in default["pipeline"] + default["policies"]]
    epochs = [c["epochs"] for c in config["pipeline"] + config["policies"] if "epochs" in c]
    assert epochs == [1, 1, 1, 1]


def test_the_messages_are_the_chat_sets_in_many_scripts():
    texts = serve.real_messages()
    assert len(texts) > 200
    assert any("\u0600" <= c <= "\u06ff" for t in texts for c in t)  # Arabic script
    assert any("\u1200" <= c <= "\u137f" for t in texts for c in t)  # Ethiopic (Tigrinya)


def test_growth_compares_the_first_and_last_turns():
    assert serve.growth([10.0] * 20 + [50.0] * 260 + [30.0] * 20) == (10.0, 30.0)
    assert serve.growth([5.0, 7.0]) == (5.0, 7.0)


@pytest.mark.subprocess
def test_memory_of_a_process_tree_counts_the_children():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = b'x' * (80 << 20); time.sleep(30)"]
    )
    try:
        import time

        deadline = time.monotonic() + 10
        while serve.tree_rss_mb(child.pid) < 80 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert serve.tree_rss_mb(os.getpid()) >= serve.tree_rss_mb(child.pid) >= 80
    finally:
        child.kill()
        child.wait()


@pytest.mark.subprocess
def test_cpu_time_of_a_process_tree_counts_the_childrens_work():
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", spin])
    try:
        import time

        deadline = time.monotonic() + 20
        while serve.tree_cpu_seconds(child.pid) < 0.5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert serve.tree_cpu_seconds(os.getpid()) >= serve.tree_cpu_seconds(child.pid) >= 0.5
    finally:
        child.kill()
        child.wait()


@pytest.mark.model
@pytest.mark.subprocess
def test_a_quick_run_loads_both_servers_and_prints_the_ratios():
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "serve", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "1 epoch" in out and "inference cost does not depend on the number of epochs" in out
    assert re.search(r"load average \(1 min\) during the runs: [\d.]+ to [\d.]+", out)
    rows = {
        m.group(1).strip(): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(r"^  (\S.*?)\s{2,}([\d.]+)\s+([\d.]+)\s+\S+$", out, re.M)
    }
    assert rows["errors"] == (0.0, 0.0)
    for row in (
        "messages/s",
        "p95 ms",
        "peak memory MB (process tree)",
        "CPU ms per message (process tree)",
        "cores busy while loaded",
    ):
        masar, rasa = rows[row]
        assert masar > 0 and rasa > 0, row
    assert re.search(r"goals: throughput [\d.]+x Rasa .* turn 40 [\d.]+x turn 1", out)
