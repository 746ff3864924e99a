"""Follow-ups: a message is read with the topic the conversation was on.

After the sea-crossing answer, "and in Germany?", "what about my children?" or "و بالنسبة
لأولادي؟" ask more about the same topic; on their own they look like other topics or like
nothing. The engine passes the previous turn's topic as message metadata (from the Rasa
tracker: the last answer the bot gave), and this component, placed after the topic classifier
in config.yml, adds it to the classifier's ranking:

* a message that opens like a follow-up ("and ...", "what about ...", "et ...", "و ...",
  "aur ...") or that names a country and little else ("Jarmalkana?", "Almanya'da?"), and
  that the classifier is not sure about, keeps the previous topic;
* a message the classifier would send to the fallback leans on the previous topic a little,
  so "how long does it take?" after the asylum answer is read as an asylum question, while a
  message that clearly asks something else ("I know a man who takes 2000 dollars") goes
  where its own words point.

Without metadata (training, `masar bench nlu`, a first message) it changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

# How a follow-up opens, in the launch languages and in romanised Arabic, Persian and Urdu.
FOLLOW_UP_OPENINGS = (
    # en
    "and", "what about", "how about", "what if", "also", "same for", "same in", "but what",
    "and for", "and if", "and in", "and my", "and what", "ok and", "ok what about",
    # ar, Arabizi
    "و", "وماذا", "وشو", "وبالنسبة", "طيب و", "طب و", "وإذا", "واذا", "وفي", "وبـ", "ولو",
    "w", "wa", "we", "w shu", "w eza", "tayeb w", "w b", "w fi", "wel", "w ila", "w lau",
    # fa, Finglish; ps
    "در مورد", "درباره", "پس", "اگه", "va", "va dar", "dar morede", "dar mored",
    "او",
    # ur, Roman Urdu
    "اور", "aur", "or phir", "aur agar", "to phir", "agar",
    # fr, es, tr, so, uk, bn, ti
    "et", "et pour", "et si", "et en", "et au", "mais", "y", "y en", "y si", "y para",
    "¿y", "pero", "ve", "peki", "ya", "bir de", "iyo", "oo", "haddii", "а", "і", "й", "а якщо",
    "а що", "а в", "আর", "এবং", "আর যদি", "ar", "ar jodi", "እሞ", "እንተ",
)  # fmt: skip
_OPENING = re.compile(
    r"^\s*(?:"
    + "|".join(sorted((re.escape(o) for o in set(FOLLOW_UP_OPENINGS)), key=len, reverse=True))
    + r")(?:\s|$|[?,.!:؟،])",
    re.IGNORECASE,
)
# Arabic-script "و" ("and") is written joined to the next word ("والاولاد", "وفي المانيا"),
# which must not be confused with words that begin with و ("وين", "وصلت").
_JOINED_WAW = re.compile(r"^\s*و(?:ال|بال|لل|في|فى|لو|اذا|إذا|شو|ماذا|عن|كمان|بالنسبة|انا|أنا)")


# Topics a follow-up never continues: the conversation itself and emergencies.
NEVER_CARRIED = (
    "greet", "goodbye", "thanks", "about_bot", "privacy", "human_help",
    "change_language", "fallback", "emergency_at_sea", "emergency_general",
)  # fmt: skip


def carried_over(topic: str | None) -> bool:
    """True when a follow-up after an answer on `topic` can continue it."""
    return bool(topic) and topic not in NEVER_CARRIED


def looks_like_follow_up(text: str) -> bool:
    """True for short messages that open the way people continue a conversation."""
    words = text.split()
    if not words or len(words) > 8:
        return False
    return bool(_OPENING.match(text) or (len(words) <= 5 and _JOINED_WAW.match(text)))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ConversationContext(GraphComponent):
    """Re-ranks the topics of a message with the topic of the previous answer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # weight of the previous topic for a message that opens like a follow-up
            "follow_up_weight": 1.0,
            # ... unless the classifier is at least this sure of another topic
            "confident": 0.7,
            # weight of the previous topic for a message the classifier is unsure of
            "unsure_weight": 0.35,
            # "unsure": the classifier's best topic is below this confidence
            "unsure_below": 0.3,
            # ... in a message this short ("how long does it take?"); a longer message has
            # words of its own to go by ("I know a man who takes 2000 dollars for it")
            "unsure_max_words": 6,
            # topics that are never carried over (conversation, emergencies)
            "never": list(NEVER_CARRIED),
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConversationContext:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rerank(message)
        return messages

    def process_training_data(self, training_data):
        return training_data

    def _rerank(self, message: Message) -> None:
        meta = message.get(METADATA) or {}
        previous = meta.get("previous_topic") if isinstance(meta, dict) else None
        ranking = message.get("intent_ranking") or []
        text = message.get(TEXT) or ""
        if not previous or previous in self.config["never"] or not ranking or text.startswith("/"):
            return
        top = ranking[0]
        # "Jarmalkana?", "تو آلمان چی؟": a country and little else (the engine tells, it knows
        # the country names of every language)
        follow_up = looks_like_follow_up(text) or bool(meta.get("names_little_but_a_country"))
        if follow_up and (top["name"] == previous or top["confidence"] < self.config["confident"]):
            weight = self.config["follow_up_weight"]
        elif (
            top["confidence"] < self.config["unsure_below"]
            and len(text.split()) <= self.config["unsure_max_words"]
        ):
            weight = self.config["unsure_weight"]
        else:
            return
        scores = {r["name"]: r["confidence"] for r in ranking}
        scores[previous] = scores.get(previous, 0.0) + weight
        total = sum(scores.values()) or 1.0
        new = sorted(
            ({"name": n, "confidence": c / total} for n, c in scores.items()),
            key=lambda r: -r["confidence"],
        )
        message.set(INTENT, new[0], add_to_output=True)
        message.set("intent_ranking", new, add_to_output=True)
        message.set("follow_up", bool(follow_up and new[0]["name"] == previous), add_to_output=True)
