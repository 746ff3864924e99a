"""`masar content check`: every problem as `file:line: what is wrong, and how to fix it`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .loader import DATED_FACT_WARNING_DAYS, load


def main(
    content_dir: Path,
    strict: bool = False,
    out=None,
    warn_days: int = DATED_FACT_WARNING_DAYS,
    today: dt.date | None = None,
) -> int:
    """Print problems; exit code 1 on errors (or on warnings with --strict), else 0.

    `warn_days`: how long before a dated fact's day (a protection that ends, a rule that
    starts) the check warns; after that day it is an error.
    """
    out = out or sys.stdout
    content, problems = load(content_dir, today, warn_days)
    from ..safety.checks import check_safety_files

    problems += check_safety_files(content_dir, today)
    cwd = Path.cwd()
    for p in sorted(
        problems, key=lambda p: ({"error": 0, "warning": 1}.get(p.severity, 2), str(p.path), p.line)
    ):
        try:
            shown = p.path.resolve().relative_to(cwd)
        except ValueError:
            shown = p.path
        print(f"{shown}:{p.line}: {p.severity}: {p.message}", file=out)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    unverified = sum(p.severity == "unverified" for p in problems)
    print(
        f"{len(content.topics)} topics, {len(content.countries)} countries: {errors} errors, "
        f"{warnings} warnings, {unverified} entries need verification",
        file=out,
    )
    return 1 if errors or (strict and warnings) else 0
