"""`masar ask`: JSON lines in, JSON lines out; the engine's plainest face, for evaluators.

Input, one object per line: {"user": "u1", "text": "...", "lang": "fa"} ("lang" optional).
Output, one line per valid input, in order. A bad line gets a clear error on stderr and is
skipped; the lines after it are still answered.
"""

from __future__ import annotations

import json
import sys
from typing import IO

from ..engine import Engine
from ..messages import Incoming


def parse_line(line: str) -> tuple[Incoming | None, str | None]:
    """An Incoming message from one input line, or the reason it cannot be one."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, 'expected a JSON object like {"user": "u1", "text": "hello"}'
    text = data.get("text")
    if not isinstance(text, str):
        return None, 'missing "text" (a string)'
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        return None, '"lang" must be a language code such as "fa"'
    return Incoming(
        user=str(data.get("user", "anonymous")), text=text, channel="jsonl", language=lang
    ), None


async def run(
    engine: Engine,
    stdin: IO[str] = sys.stdin,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] = sys.stderr,
) -> int:
    """Answer every line of stdin; return the number of bad lines."""
    bad = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        message, error = parse_line(line)
        if error or message is None:
            bad += 1
            print(f"masar ask: line {number}: {error}; line skipped", file=stderr, flush=True)
            continue
        answer = await engine.handle(message)
        stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        stdout.flush()
    return bad
