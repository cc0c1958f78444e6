"""Whitespace tokenizer that gives Finnish words their Voikko lemma.

"oleskelulupakorttini" and "oleskelulupakortin" both become
"oleskelulupakortti", so the word featurizer sees one feature for them. Only
messages guessed Finnish are lemmatised; others keep their words as they are.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language.lemmas import voikko_lemmatizer
from bot.nlu.base import FingerprintsOwnCode
from bot.nlu.language_detector import LANGUAGE_GUESS_PROPERTY

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class LemmatizingTokenizer(FingerprintsOwnCode, WhitespaceTokenizer):
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
