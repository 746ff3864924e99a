"""When Masar says "I am not sure": Rasa's FallbackClassifier, aware of sibling topics.

Rasa's fallback fires when the best topic is below `threshold`, or when the two best topics are
closer than `ambiguity_threshold`. Between two topics of one family that split is not doubt
about what the person asks: "what is asylum" is surely about asylum, only which of two asylum
answers fits best (asylum_basics or asylum_how_to_apply) is close. The generic fallback ("I did
not understand, choose a topic") is the worst answer there. A help desk would answer the nearer
question and point at the neighbouring one, and so does Masar: when the two best topics are
siblings (the same group of the catalogue, bot/content/catalogue.py, never the conversation
group) and together reach `together`, the better one is answered and the other is offered as
the first button of the answer (`sibling` in the parse data, rendered by bot/answers.py).
Between topics of different families the fallback stands; it offers the closest topics as
buttons to choose from.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from ..content.catalogue import GROUP_OF

SIBLING = "sibling"


def sibling_of_best(ranking: list[dict], together: float) -> str | None:
    """The second-best topic when it is of the best one's family and the two together reach
    `together`; else None."""
    if len(ranking) < 2:
        return None
    first, second = ranking[0], ranking[1]
    group = GROUP_OF.get(str(first.get("name")))
    if group in (None, "conversation") or GROUP_OF.get(str(second.get("name"))) != group:
        return None
    if float(first.get("confidence") or 0.0) + float(second.get("confidence") or 0.0) < together:
        return None
    return str(second["name"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TopicFallback(FallbackClassifier):
    """The fallback, except when the doubt is only between two sibling topics."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            # the two sibling topics' joint confidence above which the better one is answered
            "together": 0.4,
        }

    def _should_fallback(self, message: Message) -> bool:
        if not super()._should_fallback(message):
            return False
        together = float(self.component_config.get("together", 0.4))
        sibling = sibling_of_best(message.get(INTENT_RANKING_KEY) or [], together)
        if sibling is None:
            return True
        message.set(SIBLING, sibling, add_to_output=True)
        return False
