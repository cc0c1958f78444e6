"""Rasa NLU component that tells each message's language to the dialogue.

It adds up to three entities, which domain.yml maps to the `language` slot:
- `language`: the message's language when it is long and clear enough;
- `requested_language`: a language the user asks for ("in English please");
- `language_guess`: the detector's best guess, used only while the
  conversation has no language yet (bot/dialogue/language_policy.py).
It also stores the guess on the message for the tokenizer's Finnish lemmas.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detection import Detector, decide, make_detector
from bot.language.requests import requested_language
from bot.nlu.base import CreatedFromConfig, FingerprintsOwnCode
from bot.settings import get_settings

LANGUAGE_GUESS_PROPERTY = "language_guess"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(FingerprintsOwnCode, CreatedFromConfig, GraphComponent, EntityExtractorMixin):
    """Detects fi/sv/en per message (detector chosen by LANGUAGE_DETECTOR)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # None means: take the value from the environment (bot/settings.py).
        return {"detector": None, "min_confidence": None, "min_letters": None}

    def __init__(self, config: dict[str, Any], detector: Detector | None = None) -> None:
        settings = get_settings()
        self.detector_name = config.get("detector") or settings.language_detector
        self.min_confidence = config.get("min_confidence") or settings.language_min_confidence
        self.min_letters = config.get("min_letters") or settings.language_min_letters
        self.detector = detector or make_detector(self.detector_name)


    def _entity(self, name: str, value: str, start: int, end: int, confidence: float) -> dict[str, Any]:
        return {
            "entity": name,
            "value": value,
            "start": start,
            "end": end,
            "confidence": round(confidence, 3),
            "extractor": self.name,
        }

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            decision = decide(self.detector, text, self.min_letters, self.min_confidence)
            message.set(LANGUAGE_GUESS_PROPERTY, decision.guess)
            entities = list(message.get(ENTITIES, []))
            if decision.guess:
                entities.append(
                    self._entity("language_guess", decision.guess, 0, len(text), decision.confidence)
                )
            if decision.confident:
                entities.append(
                    self._entity("language", decision.confident, 0, len(text), decision.confidence)
                )
            requested = requested_language(text)
            if requested:
                language, start, end = requested
                entities.append(self._entity("requested_language", language, start, end, 1.0))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples need only the guess (for lemmas), never extra entities.
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if text:
                decision = decide(self.detector, text, self.min_letters, self.min_confidence)
                message.set(LANGUAGE_GUESS_PROPERTY, decision.guess)
        return training_data
