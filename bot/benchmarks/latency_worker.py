"""One side of `masar bench latency`: load a model and time `Agent.parse_message`.

Run by file path (not as `bot.benchmarks...`) with the checkout under test first on the Python
path, so that the model's components come from that checkout's `bot/` package, which may be an
older one without this file. For that reason it imports nothing from `bot`.

Protocol: the first line on stdout is "ready" once the model has answered a first message (lazy
models, graph tracing); then each line read on stdin is a JSON list of texts, answered by one
line with the JSON list of their parse times in milliseconds. Rasa's own output goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time


def main(model: str) -> int:
    # Rasa and its libraries write to stdout (structlog); keep fd 1 for the protocol only.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.parse_message("hello"))
    print("ready", file=replies, flush=True)
    for line in sys.stdin:
        times = []
        for text in json.loads(line):
            started = time.perf_counter()
            loop.run_until_complete(agent.parse_message(text))
            times.append((time.perf_counter() - started) * 1000)
        print(json.dumps(times), file=replies, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
