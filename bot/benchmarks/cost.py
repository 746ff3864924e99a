"""`masar bench cost`: what one message costs, stage by stage, for the worst inputs we know.

One person's message must never cost much more than anyone else's: all conversations share
one process, so a message that takes seconds makes everybody wait. This benchmark feeds the
inputs that made stages blow up (thousands of emoji, CJK or combining marks, binary pasted as
Latin-1, one token repeated, one endless word, a long normal text) and a normal question
through each stage the engine runs, and prints per stage the median and p95 time and the
ratio to the normal question. The goal: no message costs more than 10x a normal question.

Each stage is timed on its own, with its caches emptied before every call (the language
detector's and the embedding's), so a repeated input is measured as a new one. "whole engine"
is `Engine.handle` with a conversation store in memory, a new user for every call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NORMAL = "how can i apply for asylum in germany, and how long does it take?"
GOAL = 10.0  # the worst message may cost at most this many normal questions


def worst_inputs(seed: int = 7) -> dict[str, str]:
    """The hostile inputs, by name: each is the worst case of one kind we know (seeded)."""
    rng = random.Random(seed)
    emoji = [chr(c) for c in range(0x1F300, 0x1F5FF)] + [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    ]
    cjk = [chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(4000)]
    latin1 = bytes(rng.randrange(256) for _ in range(3000)).decode("latin-1")
    sentences = [
        "We arrived in Greece last month and my brother is still in Turkey.",
        "The man at the camp said we need a lawyer before the interview.",
        "My daughter is sick and we do not know where the clinic is.",
        "Somebody offered us a place on a boat for 3000 euros each, is it safe?",
        "Our papers were taken at the border and nobody told us why.",
    ]
    long_text = ""
    while len(long_text) < 4096:
        long_text += rng.choice(sentences) + " "
    return {
        "2,048 emoji": "".join(rng.choice(emoji) for _ in range(2048)),
        "4,000 CJK": "".join(cjk),
        "4,000 combining marks": "a"
        + "".join(chr(rng.randrange(0x300, 0x36F)) for _ in range(4000)),
        "marks on letters": "".join("e\u0301\u0308" for _ in range(1400)),
        "3,000 bytes Latin-1": latin1,
        "repeated token": "asylum " * 600,
        "repeated help": "help " * 800,
        "one endless word": "a" * 4000,
        "Arabic letters": "".join(chr(rng.randrange(0x621, 0x64A)) for _ in range(4000)),
        "4,096 chars normal text": long_text[:4096],
    }


@dataclass
class Timing:
    median_ms: float
    p95_ms: float


def _time(call: Callable[[], Any], repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95)


def stages(engine) -> dict[str, Callable[[str], Any]]:
    """Each stage of the engine as a function of the raw message, caches emptied first."""
    from ..engine import NLU_TEXT
    from ..language import _cached, choose_language, warm_up
    from ..messages import clean_text
    from ..nlu import embeddings
    from ..privacy import mask_personal
    from ..safety.offers import looks_like_advert

    warm_up()  # both language identifiers load now, not inside the first input's figures
    loop = asyncio.new_event_loop()
    users = iter(range(10**9))

    def language(raw: str):
        _cached.cache_clear()
        return choose_language(clean_text(raw))

    def emergency_net(raw: str):
        embeddings._recent.clear()
        return engine.emergency.check(clean_text(raw))

    def offer_check(raw: str):
        text = clean_text(raw)
        return looks_like_advert(text, engine.offers.check(text)), engine.trafficking.check(text)

    def embedding(raw: str):
        embeddings._recent.clear()
        return embeddings.query([clean_text(raw)])

    def classification(raw: str):
        embeddings._recent.clear()
        text = mask_personal(clean_text(raw))[:NLU_TEXT]  # what the engine gives Rasa
        return loop.run_until_complete(engine.agent.parse_message(text))

    def whole_engine(raw: str):
        from ..messages import Incoming

        _cached.cache_clear()
        embeddings._recent.clear()
        return loop.run_until_complete(engine.handle(Incoming(f"bench-{next(users)}", raw)))

    return {
        "cleaning": clean_text,
        "language detection": language,
        "emergency net": emergency_net,
        "offer and trafficking check": offer_check,
        "embedding": embedding,
        "classification (Rasa NLU)": classification,
        "whole engine": whole_engine,
    }


def measure(engine, inputs: dict[str, str], repeat: int) -> dict[str, dict[str, Timing]]:
    """{stage: {input name: timing}}, the normal question under "normal question"."""
    named = {"normal question": NORMAL, **inputs}
    results: dict[str, dict[str, Timing]] = {}
    for stage, run in stages(engine).items():
        run(NORMAL)  # first call: lazy models load here, not in the figures
        results[stage] = {
            name: _time(
                functools.partial(run, text), repeat * 3 if name == "normal question" else repeat
            )
            for name, text in named.items()
        }
    return results


def report(results: dict[str, dict[str, Timing]], out=sys.stdout) -> float:
    """Print the table; returns the whole engine's worst ratio (median) to the normal question."""
    worst_ratio = 0.0
    for stage, timings in results.items():
        normal = timings["normal question"]
        print(f"\n{stage}", file=out)
        print(f"  {'input':<26} {'median ms':>10} {'p95 ms':>9} {'x normal':>9}", file=out)
        for name, t in timings.items():
            ratio = t.median_ms / normal.median_ms if normal.median_ms > 0 else 0.0
            print(
                f"  {name:<26} {t.median_ms:>10.2f} {t.p95_ms:>9.2f} {ratio:>8.1f}x",
                file=out,
            )
            if stage == "whole engine" and name != "normal question":
                worst_ratio = max(worst_ratio, ratio)
    verdict = "within" if worst_ratio <= GOAL else "ABOVE"
    print(
        f"\nworst message through the whole engine: {worst_ratio:.1f}x a normal question "
        f"({verdict} the goal of {GOAL:.0f}x)",
        file=out,
    )
    return worst_ratio


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=7, help="calls per input and stage")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated inputs")


def main(args: argparse.Namespace, settings) -> int:
    from ..engine import Engine

    with contextlib.redirect_stdout(sys.stderr):
        engine = Engine.load(settings, in_memory=True)
    results = measure(engine, worst_inputs(args.seed), args.repeat)
    worst = report(results)
    return 0 if worst <= GOAL else 1
