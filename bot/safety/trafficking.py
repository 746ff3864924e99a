"""Signs of trafficking and kidnapping in the user's own story.

Someone whose passport was taken, whose debt keeps growing, who is locked in, or whose family
is asked for ransom may not use the words "trafficking" or "kidnapping" at all. These reviewed
patterns (content/safety/trafficking.yml) make sure such a story gets the protection answer,
the organisations to contact and the offer of a person, whatever the model thinks of it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..content.yamlio import YamlError, read_yaml
from .text import compile_pattern, fold

logger = logging.getLogger(__name__)

TOPICS = ("trafficking_signs", "kidnapping_extortion")


@dataclass(frozen=True)
class Sign:
    id: str  # e.g. passport_taken, ransom
    topic: str  # trafficking_signs | kidnapping_extortion


class TraffickingSigns:
    """Signs in the order of the file; `check(text)` returns the first that matches, or None."""

    def __init__(self, signs: list[tuple[Sign, list[re.Pattern], list[re.Pattern]]]) -> None:
        self.signs = signs

    @classmethod
    def from_file(cls, path: Path) -> TraffickingSigns:
        data = read_yaml(path)
        signs = []
        for entry in data.get("signs") or []:
            sign = Sign(str(entry.get("id")), str(entry.get("topic")))
            if sign.topic not in TOPICS:
                continue  # the content check reports it
            patterns = [
                rx
                for items in (entry.get("patterns") or {}).values()
                for p in items or []
                if (rx := _compile(str(p))) is not None
            ]
            unless = [rx for p in entry.get("unless") or [] if (rx := _compile(str(p))) is not None]
            signs.append((sign, patterns, unless))
        return cls(signs)

    def check(self, text: str) -> Sign | None:
        norm = fold(text or "")
        for sign, patterns, unless in self.signs:
            if any(rx.search(norm) for rx in patterns) and not any(
                rx.search(norm) for rx in unless
            ):
                return sign
        return None


def _compile(pattern: str) -> re.Pattern | None:
    try:
        return compile_pattern(pattern)
    except re.error:
        logger.error(
            "a trafficking pattern is not a valid regular expression; run `masar content check`"
        )
        return None


def load_signs(content_dir: Path) -> TraffickingSigns:
    path = content_dir / "safety" / "trafficking.yml"
    try:
        return TraffickingSigns.from_file(path)
    except (YamlError, OSError, AttributeError, TypeError) as exc:
        logger.error(
            "trafficking signs not loaded (%s); fix content/safety/trafficking.yml",
            type(exc).__name__,
        )
        return TraffickingSigns([])
