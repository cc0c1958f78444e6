"""Rasa NLU component that adds a `topic` entity naming the service-number topic.

The topics and their stems are in knowledge/topics.yml (one source for the
matcher, the answer texts and the topic buttons).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge.store import load_knowledge
from bot.knowledge.topics import TopicMatcher
from bot.nlu.base import CreatedFromConfig, FingerprintsOwnCode


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class TopicExtractor(FingerprintsOwnCode, CreatedFromConfig, GraphComponent, EntityExtractorMixin):
    """Marks the service-number topic a message names, if any."""

    def __init__(self, config: dict[str, Any], matcher: TopicMatcher | None = None) -> None:
        self.matcher = matcher or TopicMatcher(load_knowledge().topics)


    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            topic = self.matcher.match(text)
            if topic:
                entity = {
                    "entity": "topic",
                    "value": topic,
                    "start": 0,
                    "end": len(text),
                    "confidence": 1.0,
                    "extractor": self.name,
                }
                message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
