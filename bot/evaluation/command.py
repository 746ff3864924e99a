"""`masar test`: run the conversation tests, print the summary, write the reports.

Files with mistakes are listed (`file:line: ...`) and the others still run, so one typo
does not hide the results of every other conversation. The exit code is 1 when anything
failed or could not be run, so CI systems and `make` stop on it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..content.catalogue import LANGUAGES
from ..settings import ROOT
from . import report
from .conversations import load_conversations, problem_line
from .runner import Result, run_all

DEFAULT_DIR = ROOT / "tests" / "conversations"


def main(
    load_engine: Callable[[], object],
    directory: Path | None = None,
    languages: list[str] | None = None,
    names: list[str] | None = None,
    html: Path | None = None,
    junit: Path | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run the tests; `load_engine` is called only once there is something to run."""
    directory = Path(directory or DEFAULT_DIR)
    wrong = sorted(set(languages or ()) - set(LANGUAGES))
    if wrong:
        print(
            f"masar test: {', '.join(wrong)} is not a launch language; use one of {', '.join(LANGUAGES)}",
            file=err,
        )
        return 1
    conversations, problems = load_conversations(directory)
    for p in problems:
        print(problem_line(p), file=err)
    if names:
        unknown = sorted(set(names) - {c.name for c in conversations})
        if unknown:
            known = ", ".join(c.name for c in conversations) or "none"
            print(
                f"masar test: no conversation named {', '.join(unknown)} in {directory} (there are: {known})",
                file=err,
            )
            return 1
        conversations = [c for c in conversations if c.name in names]
    if languages:
        conversations = [c for c in conversations if set(c.languages) & set(languages)]
    if not conversations:
        print(f"masar test: nothing to run in {directory}", file=err)
        return 1

    engine = load_engine()

    def progress(result: Result) -> None:
        err.write("." if result.passed else "F")
        err.flush()

    results = asyncio.run(run_all(engine, conversations, languages, progress))
    err.write("\n")
    print(report.summary(results, problems), file=out)
    model = getattr(getattr(engine, "model_path", None), "name", None)
    if html:
        Path(html).write_text(report.html_report(results, problems, model), encoding="utf-8")
        print(f"HTML report: {html}", file=out)
    if junit:
        Path(junit).write_text(report.junit(results, problems), encoding="utf-8")
        print(f"JUnit XML: {junit}", file=out)
    return 0 if results and all(r.passed for r in results) and not problems else 1
