"""The emergency net: reviewed patterns, then a recall-tuned model, before the topic classifier.

A classifier can miss a panicked, misspelled message; a missed emergency is the worst
failure this bot can have. So every message is first matched against reviewed patterns
from content/safety/emergency.yml (per language, including dialects and Arabizi). A match
answers at once with the numbers to call, before menus, questions or the topic model.

Patterns know the usual words; people in danger often describe what they see instead ("her
waters broke", "he fell and cannot get air"). When no pattern matches, the second layer, a
small model trained from content/safety/emergency_examples.yml (bot/safety/emergency_model.py),
scores the message with its own recall-tuned threshold. Neither layer depends on the topic
classifier or its fallback threshold.

All languages' patterns are tried on every message: the language of a three-word cry for
help is often unclear, and a pattern from the wrong language costs at most a false alarm.
`not_emergency` patterns blank out the words they cover ("my phone is dying", "what happens
if the boat sinks") instead of vetoing the whole message, so "what happens if the boat
sinks? we are sinking now" still raises the alarm.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..content.yamlio import YamlError, read_yaml
from .emergency_model import EmergencyModel, load_or_train
from .text import compile_pattern, fold

logger = logging.getLogger(__name__)

TOPICS = (
    "emergency_at_sea",
    "emergency_general",
)  # at sea first: "water in the boat" is a sea emergency
MODEL = "model"  # the Alarm's `pattern` when the model layer raised it
# Below this many words the model has too little to go on ("ok bye for now" scored as danger);
# short cries for help ("help", "boat sinking") are what the reviewed patterns are for.
MODEL_MIN_WORDS = 5


@dataclass(frozen=True)
class Alarm:
    topic: str  # emergency_at_sea | emergency_general
    pattern: str  # which reviewed pattern matched (for evaluation, never logged with text)
    language: str = ""  # the language the pattern is listed under
    score: float = 1.0  # the model layer's probability of danger now; 1.0 for a reviewed pattern


class EmergencyNet:
    """Compiled patterns per emergency topic; `check(text)` returns an Alarm or None."""

    def __init__(
        self,
        patterns: dict[str, dict[str, list[str]]] | dict[str, list[str]],
        exclusions: dict[str, list[str]] | list[str] | None = None,
        model: EmergencyModel | None = None,
    ) -> None:
        self.model = model
        self.patterns: dict[str, list[tuple[str, str, re.Pattern]]] = {}
        for topic, items in patterns.items():
            by_language = items if isinstance(items, dict) else {"": items}
            self.patterns[topic] = [
                (language, p, rx)
                for language, ps in by_language.items()
                for p in ps or []
                if (rx := _compile(p)) is not None
            ]
        if isinstance(exclusions, dict):
            exclusions = [p for ps in exclusions.values() for p in ps or []]
        self.exclusions = [rx for p in exclusions or [] if (rx := _compile(p)) is not None]

    @classmethod
    def from_file(cls, path: Path) -> EmergencyNet:
        """Load content/safety/emergency.yml (the content check reports a broken file)."""
        data = read_yaml(path)
        patterns = {
            topic: {
                str(lang): [str(p) for p in items or []] for lang, items in (by_lang or {}).items()
            }
            for topic, by_lang in (data.get("topics") or {}).items()
        }
        exclusions = data.get("not_emergency") or {}
        if isinstance(exclusions, dict):
            exclusions = {
                str(lang): [str(p) for p in items or []] for lang, items in exclusions.items()
            }
        else:
            exclusions = [str(p) for p in exclusions]
        return cls(patterns, exclusions)

    def blank_out(self, text: str) -> str:
        """The folded message with every `not_emergency` phrase replaced by spaces."""
        norm = fold(text)
        for rx in self.exclusions:
            norm = rx.sub(lambda m: " " * len(m.group(0)), norm)
        return norm

    def check(self, text: str) -> Alarm | None:
        norm = self.blank_out(text)
        for topic in TOPICS:
            for language, source, rx in self.patterns.get(topic, []):
                if rx.search(norm):
                    return Alarm(topic, source, language)
        if self.model is None or len(norm.split()) < MODEL_MIN_WORDS:
            return None
        # The model reads the message as sent (its embedding is then reused by the NLU), or,
        # when a `not_emergency` phrase was blanked out, what is left of it.
        words = text if norm == fold(text) else " ".join(norm.split())
        score, kind = self.model.score(words)
        return Alarm(kind, MODEL, score=score) if score >= self.model.threshold else None


def _compile(pattern: str) -> re.Pattern | None:
    """One broken pattern must not take the others down; the content check names it."""
    try:
        return compile_pattern(pattern)
    except re.error:
        logger.error(
            "an emergency pattern is not a valid regular expression; run `masar content check`"
        )
        return None


def load_net(
    content_dir: Path, build_dir: Path | None = None, content=None, model: bool = True
) -> EmergencyNet:
    """Both layers: the reviewed patterns, and the model (trained into `build_dir`/safety/ when
    the examples changed; `model=False` for the patterns alone)."""
    path = content_dir / "safety" / "emergency.yml"
    try:
        net = EmergencyNet.from_file(path)
    except (YamlError, OSError, AttributeError) as exc:
        # The bot must still run (the model layers still know emergencies); the content
        # check reports the file as broken.
        logger.error(
            "emergency patterns not loaded (%s); fix content/safety/emergency.yml",
            type(exc).__name__,
        )
        net = EmergencyNet({})
    if model:
        if build_dir is None:
            from ..settings import load

            build_dir = load().build_dir
        net.model = load_or_train(content_dir, build_dir, content)
    return net
