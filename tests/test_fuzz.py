"""Hostile input through the real engine: `masar serve` over real HTTP and `masar ask` as a
process, fed the seeded cases of tests/hostile.py (which also holds the runners and their
checks).

Every case must be answered (200 with a reply; one output line) or refused with a clear message
(4xx with an error; a named line on stderr), never a 500, a crash or silence; when the user's
language is clear the reply is in it; text without a question gets the fallback.

The normal run sends MASAR_FUZZ_COUNT cases (default 150) per channel; by hand, larger:
    PYTHONPATH=$PWD python tests/hostile.py --rest --ask --count 10000
"""

from __future__ import annotations

import os

import pytest
from hostile import Generator, run_ask, run_rest

COUNT = int(os.environ.get("MASAR_FUZZ_COUNT", "150"))
SEED = int(os.environ.get("MASAR_FUZZ_SEED", "14"))
NOISE_TO_FALLBACK = 0.97  # share of noise that must get the fallback (bot/noise.py)

pytestmark = pytest.mark.subprocess


@pytest.fixture(scope="module")
def cases(engine):  # `engine`: the shipped model is trained before the processes load it
    return Generator(SEED).cases(COUNT)


def test_masar_serve_answers_or_refuses_every_hostile_request(cases, tmp_path):
    counts, problems = run_rest(cases, tmp_path)
    print(f"\nmasar serve, {len(cases)} hostile requests (seed {SEED}):", dict(counts))
    assert not problems, problems[:20]
    assert counts["server crashed"] == 0 and counts["tracebacks in the log"] == 0
    assert counts["HTTP 5xx"] == 0 and counts["health after"] == 200


def test_masar_ask_answers_every_line_it_can_and_names_the_others(cases, tmp_path):
    counts, problems = run_ask(cases, tmp_path, timeout=1800)
    print(f"\nmasar ask, {len(cases)} hostile lines (seed {SEED}):", dict(counts))
    assert not problems, problems[:20]
    assert counts["exit_code"] == 0 and counts["tracebacks"] == 0 and counts["unanswered"] == 0
    assert counts["noise given a topic"] <= (1 - NOISE_TO_FALLBACK) * counts["noise"]
