"""Checks of content/safety/ files for `masar content check`."""
from __future__ import annotations

import re
from pathlib import Path

from ..content.loader import Problem
from ..content.yamlio import LineDict, YamlError, read_yaml


def check_safety_files(content_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in sorted((content_dir / "safety").glob("*.y*ml")):
        try:
            data = read_yaml(path)
        except YamlError as exc:
            problems.append(Problem(path, exc.line, exc.message))
            continue
        if not isinstance(data, LineDict):
            problems.append(Problem(path, 1, "a safety file must be a mapping"))
            continue
        _check_patterns(path, data, problems)
    return problems


def _check_patterns(path: Path, node, problems: list[Problem]) -> None:
    """Every string under a `patterns`-like list must be a valid regular expression."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str) and key not in ("needs_verification",):
                        try:
                            re.compile(item)
                        except re.error as exc:
                            line = value.line_of(i) if hasattr(value, "line_of") else 1
                            problems.append(Problem(path, line, f"invalid pattern '{item}': {exc}; "
                                                                "escape special characters with a backslash"))
                    else:
                        _check_patterns(path, item, problems)
            else:
                _check_patterns(path, value, problems)
