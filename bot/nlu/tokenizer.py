"""Whitespace tokenizer that gives Finnish words their Voikko lemma.

"oleskelulupakorttini" and "oleskelulupakortin" both become
"oleskelulupakortti", so the word featurizer sees one feature for them. Only
messages guessed Finnish are lemmatised; others keep their words as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LANGUAGE_GUESS_PROPERTY

logger = logging.getLogger(__name__)


def voikko_lemmatizer(cache_size: int = 50_000) -> Callable[[str], str] | None:
    """A word -> lemma function backed by Voikko, or None if Voikko is not installed."""
    try:
        from libvoikko import Voikko

        voikko = Voikko("fi")
    except Exception as error:  # the library or the Finnish dictionary is missing
        logger.warning("Voikko is not available (%s); Finnish lemmas are off.", error)
        return None

    @lru_cache(maxsize=cache_size)
    def lemma(word: str) -> str:
        analyses = voikko.analyze(word)
        if not analyses:
            return word
        return analyses[0].get("BASEFORM", word).lower()

    return lemma


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class LemmatizingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer plus Voikko lemmas for Finnish messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "lemmatize_finnish": True}

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.lemma = voikko_lemmatizer() if config.get("lemmatize_finnish") else None


    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if (
            self.lemma is not None
            and attribute == TEXT
            and message.get(LANGUAGE_GUESS_PROPERTY) in ("fi", None)
        ):
            for token in tokens:
                token.lemma = self.lemma(token.text.lower())
        return tokens
