"""`masar ask`: JSON lines in, JSON lines out; the engine's plainest face, for evaluators.

Input, one object per line: {"user": "u1", "text": "...", "lang": "fa"} ("lang" optional).
Output, one line per valid input, in order. A bad line (not JSON, nested too deeply, wrong
types) gets a clear error on stderr and is skipped; the lines after it are still answered.
Text and ids may hold anything JSON can (lone surrogates too): they are echoed as JSON escapes.
"""

from __future__ import annotations

import json
import re
import sys
from typing import IO

from ..masar import Masar
from ..messages import Incoming

_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}  # NEL, LS, PS


def parse_line(line: str) -> tuple[Incoming | None, str | None]:
    """An Incoming message from one input line, or the reason it cannot be one."""
    if _NOT_UTF8.search(line):  # bytes that were not UTF-8, kept as surrogate escapes on stdin
        return None, "not valid UTF-8"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return None, "JSON nested too deeply"
    if not isinstance(data, dict):
        return None, 'expected a JSON object like {"user": "u1", "text": "hello"}'
    text = data.get("text")
    if not isinstance(text, str):
        return None, 'missing "text" (a string)'
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        return None, '"lang" must be a language code such as "fa"'
    user = data.get("user", "anonymous")
    if not isinstance(user, (str, int)) or isinstance(user, bool):
        return None, '"user" must be a string such as "u1"'
    return Incoming(user=str(user), text=text, channel="jsonl", language=lang), None


def answer_line(data: dict) -> str:
    """One output line: UTF-8 as written, or with \\u escapes where the text holds characters
    UTF-8 cannot carry (lone surrogates), so the line can always be written."""
    line = json.dumps(data, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(data)
    # characters many readers take for line breaks (str.splitlines, JavaScript) stay escaped,
    # so that one answer is always one line
    return line.translate(_LINE_BREAKS)


async def run(
    masar: Masar,
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
        try:
            answer = await masar.handle(message)
            line = answer_line(answer.to_json())
        except Exception as exc:  # the engine apologises for its own failures; this is a bug
            bad += 1
            print(
                f"masar ask: line {number}: could not be answered ({type(exc).__name__}); "
                "line skipped",
                file=stderr,
                flush=True,
            )
            continue
        stdout.write(line + "\n")
        stdout.flush()
    return bad
