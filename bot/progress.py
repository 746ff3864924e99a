"""Training progress: one line that updates in place on a terminal, a few log lines otherwise.

Rasa builds our NLU components itself, so there is no argument through which `masar train`
could hand them a callback; `reporting()` sets the reporter for the duration of one training
run and the components call `report()`, which does nothing outside such a run.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

# In a log, a long stage is reported at these shares of its work, not at every step.
LOG_MARKS = (0.25, 0.5, 0.75)


class Reporter:
    """Writes `stage done/total (pct%)` for one training run."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.stage = ""
        self.marks: list[float] = []
        self.started = time.perf_counter()
        self.width = 0

    def report(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        elapsed = time.perf_counter() - self.started
        share = done / total if done is not None and total else None
        count = f" {done:,}/{total:,} ({share:.0%})" if share is not None else ""
        text = f"training: {stage}{count} [{elapsed:.0f} s]"
        if self.live:
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
            self.width = len(text)
            return
        if stage != self.stage:
            self.stage, self.marks = stage, list(LOG_MARKS)
        elif share is None or not self.marks or share < self.marks[0]:
            return
        while share is not None and self.marks and share >= self.marks[0]:
            self.marks.pop(0)
        self.stream.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


_current: Reporter | None = None


def report(stage: str, done: int | None = None, total: int | None = None) -> None:
    """Tell the running training's reporter how far a stage has come (no-op outside training)."""
    if _current is not None:
        _current.report(stage, done, total)


@contextlib.contextmanager
def reporting(stream: TextIO | None = None) -> Iterator[Reporter]:
    global _current
    reporter = Reporter(stream or sys.stderr)
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        reporter.close()
        _current = previous
