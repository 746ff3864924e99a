"""YAML reading that remembers line numbers, so every problem can say `file:line`.

NGO staff fix problems in a text editor; a message that points at the exact line is the
difference between a two-minute fix and a support request.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping from a YAML file that knows the line of each key (1-based)."""

    line: int = 0
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence from a YAML file that knows the line of each item (1-based)."""

    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: D102 - yaml hook
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                mapping.lines[key] = value_node.start_mark.line + 1
            except TypeError:  # unhashable key: the checker reports it
                pass
        return mapping

    def construct_sequence(self, node, deep=False):  # noqa: D102 - yaml hook
        items = LineList(super().construct_sequence(node, deep=True))
        items.line = node.start_mark.line + 1
        items.lines = [child.start_mark.line + 1 for child in node.value]
        return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


class YamlError(Exception):
    """A file that is not valid YAML; `line` points at the place the parser gave up."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, raising YamlError with the line of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(path, 1, f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or str(exc)
        raise YamlError(path, line, f"broken YAML: {what}; check indentation, colons and quotes") from exc
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"broken YAML: {exc}") from exc
