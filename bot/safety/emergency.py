"""The emergency net: keyword and pattern matching that does not depend on the model.

A classifier can miss a panicked, misspelled message; a missed emergency is the worst
failure this bot can have. So every message is first matched against reviewed patterns
from content/safety/emergency.yml (per language, including dialects and Arabizi). A match
answers at once with the numbers to call, before menus, questions or the model.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..content.yamlio import YamlError, read_yaml
from ..nlu.normalise import normalise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alarm:
    topic: str          # emergency_at_sea | emergency_general
    pattern: str        # which reviewed pattern matched (for evaluation, never logged with text)


class EmergencyNet:
    """Compiled patterns per emergency topic; `check(text)` returns an Alarm or None."""

    def __init__(self, patterns: dict[str, list[str]], exclusions: list[str] | None = None) -> None:
        self.patterns = {topic: [(p, re.compile(p, re.IGNORECASE)) for p in items]
                         for topic, items in patterns.items()}
        self.exclusions = [re.compile(p, re.IGNORECASE) for p in exclusions or []]

    @classmethod
    def from_file(cls, path: Path) -> "EmergencyNet":
        """Load content/safety/emergency.yml; a broken file is logged and an empty net is never used silently."""
        data = read_yaml(path)
        patterns: dict[str, list[str]] = {}
        for topic, by_language in (data.get("topics") or {}).items():
            for language, items in (by_language or {}).items():
                patterns.setdefault(topic, []).extend(normalise(str(p)) for p in items or [])
        exclusions = [normalise(str(p)) for p in data.get("not_emergency") or []]
        return cls(patterns, exclusions)

    def check(self, text: str) -> Alarm | None:
        norm = normalise(text)
        if any(x.search(norm) for x in self.exclusions):
            return None
        # at sea first: "help, water in the boat" is a sea emergency, not a general one
        for topic in ("emergency_at_sea", "emergency_general"):
            for source, rx in self.patterns.get(topic, []):
                if rx.search(norm):
                    return Alarm(topic, source)
        return None


def load_net(content_dir: Path) -> EmergencyNet:
    path = content_dir / "safety" / "emergency.yml"
    try:
        return EmergencyNet.from_file(path)
    except (YamlError, OSError, AttributeError) as exc:
        # The bot must still run; the content check reports the file as broken.
        logger.error("emergency patterns not loaded (%s); fix content/safety/emergency.yml", type(exc).__name__)
        return EmergencyNet({})
