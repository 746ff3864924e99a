"""A whitespace tokenizer that also unifies spelling variants before featurizing.

Rasa's WhitespaceTokenizer splits well on every launch script (its `regex` \\w keeps Bengali
and Ge'ez vowel signs inside words); this subclass only normalises each token, so that
character n-grams see one spelling for the many ways people type the same word.

Romanised Arabic, Persian and Urdu ("3ayez aro7 italia", "mikham panahandegi") are written in
native script here too (bot/nlu/romanised.py): the message keeps its folded Latin tokens and
gains the native words as extra tokens, so its n-grams and word counts meet those of the
examples written in Arabic script, and the native text is left on the message for the
sentence embedding (`NATIVE_TEXT`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from .normalise import normalise
from .romanised import fold, romanised_language, to_native

# The message's text in native script, when it was written romanised (read by the embedding).
NATIVE_TEXT = "masar_native_text"


def message_language(message: Message) -> str | None:
    """The language the engine detected (served messages) or the content's language of a
    training example (bot/build.py writes it as example metadata); None when unknown."""
    meta = message.get(METADATA) or {}
    if not isinstance(meta, dict):
        return None
    example = meta.get("example")
    language = meta.get("language") or (
        example.get("language") if isinstance(example, dict) else None
    )
    return language if isinstance(language, str) else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChatTokenizer(WhitespaceTokenizer):
    """Whitespace tokens, case-folded and with Arabic-script spelling variants unified;
    romanised Arabic, Persian and Urdu also in native script."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "transliterate_romanised": True}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        text: str = (message.get(attribute) or "") if attribute == TEXT else ""
        language = (
            romanised_language(text, message_language(message))
            if text and self._config.get("transliterate_romanised", True)
            else None
        )
        for token in tokens:
            token.text = fold(token.text, language) if language else normalise(token.text)
            token.lemma = token.text
        if language:
            native = to_native(text, language)
            message.set(NATIVE_TEXT, native)
            tokens += self._native_tokens(native, len(text) + 1)
        return tokens

    def _native_tokens(self, native: str, offset: int) -> list[Token]:
        """Tokens of the native-script text, placed after the message's own tokens."""
        extra = super().tokenize(Message(data={TEXT: native}), TEXT)
        out = []
        for token in extra:
            if any(c.isascii() and c.isalpha() for c in token.text):
                continue  # a word left in Latin letters is already among the message's tokens
            word = normalise(token.text)
            out.append(Token(word, token.start + offset, token.end + offset, lemma=word))
        return out
