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
    # (key, line, line of the first occurrence) of every key written twice: YAML keeps only
    # the last value without a word, so an editor's first text would silently disappear.
    duplicates: tuple = ()

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence from a YAML file that knows the line of each item (1-based)."""

    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.lines = {}
        first_seen: dict = {}
        duplicates = []
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                mapping.lines[key] = value_node.start_mark.line + 1
                if key in first_seen and key_node.tag != "tag:yaml.org,2002:merge":
                    duplicates.append((key, key_node.start_mark.line + 1, first_seen[key]))
                first_seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # unhashable key: the checker reports it
                pass
        if duplicates:
            mapping.duplicates = tuple(duplicates)
        return mapping

    def construct_sequence(self, node, deep=False):
        items = LineList(super().construct_sequence(node, deep=True))
        items.line = node.start_mark.line + 1
        items.lines = [child.start_mark.line + 1 for child in node.value]
        return items

    def construct_yaml_timestamp(self, node):
        # "2026-02-30" looks like a date but is none: keep the text, so the checker can say
        # which line holds an impossible date instead of the whole load failing.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node):
        # YAML 1.1 reads an unquoted 0112 as the octal number 74. Nobody writes octal in
        # content; a leading zero is part of a phone number, so keep what the editor typed.
        text = self.construct_scalar(node)
        if len(text) > 1 and text.startswith("0") and text.isdigit():
            return text
        return super().construct_yaml_int(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


class YamlError(Exception):
    """A file that is not valid YAML; `line` points at the place the parser gave up."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, raising YamlError with the line of a syntax error."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise YamlError(
                path,
                1,
                "the file is saved as UTF-16 ('Unicode'); save it as UTF-8 "
                "(in most editors: Save as, Encoding: UTF-8)",
            ) from exc
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(
            path,
            line,
            "this line has a character that is not UTF-8 (the file was saved in another "
            "encoding, such as Windows-1252 or Windows-1256); save the file as UTF-8 "
            "(in most editors: Save as, Encoding: UTF-8) and check the line",
        ) from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlError(
            path,
            line,
            f"this line has an invisible control character (#x{exc.character:04x}); "
            "delete it (retype the line if you cannot see it)",
        ) from exc
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(text, exc)
        raise YamlError(path, line, message) from exc
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"broken YAML: {exc}") from exc


def _explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line and a plain-language message for a YAML syntax error."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    what = exc.problem or str(exc)
    lines = text.splitlines()
    if "\t" in what or (0 < line <= len(lines) and "\t" in lines[line - 1].split("#")[0]):
        return line, (
            "broken YAML: this line contains a tab; YAML allows only spaces for indentation and "
            "after ':'; replace the tab with spaces"
        )
    if exc.context == "while scanning a quoted scalar" and exc.context_mark:
        return exc.context_mark.line + 1, (
            "broken YAML: a quote opened on this line is never closed; "
            "add the closing quote at the end of the text"
        )
    if exc.context == "while scanning a simple key" and exc.context_mark:
        return exc.context_mark.line + 1, (
            "broken YAML: this line has no ':' after its key; write "
            "'key: value', or '- text' for an item of a list"
        )
    if what == "mapping values are not allowed here":
        return line, (
            "broken YAML: a ':' where YAML does not expect one; if the text on this line contains "
            "': ', put the whole text in double quotes; otherwise check the indentation of this line"
        )
    return line, f"broken YAML: {what}; check indentation, colons and quotes"


def duplicate_keys(node: Any) -> list[tuple[int, str]]:
    """(line, message) for every key written twice in the same block, anywhere in the file."""
    found: list[tuple[int, str]] = []
    if isinstance(node, LineDict):
        for key, line, first in node.duplicates:
            found.append(
                (
                    line,
                    f"'{key}' is written twice in the same block (first on line {first}); "
                    "only this one is used and the first is lost: merge the two or delete one",
                )
            )
    if isinstance(node, dict):
        for value in node.values():
            found += duplicate_keys(value)
    elif isinstance(node, list):
        for item in node:
            found += duplicate_keys(item)
    return sorted(found)
