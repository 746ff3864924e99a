"""A whitespace tokenizer that also unifies spelling variants before featurizing.

Rasa's WhitespaceTokenizer splits well on every launch script (its `regex` \\w keeps Bengali
and Ge'ez vowel signs inside words); this subclass only normalises each token, so that
character n-grams see one spelling for the many ways people type the same word.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from .normalise import normalise


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChatTokenizer(WhitespaceTokenizer):
    """Whitespace tokens, case-folded and with Arabic-script spelling variants unified."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.text = normalise(token.text)
            token.lemma = token.text
        return tokens
