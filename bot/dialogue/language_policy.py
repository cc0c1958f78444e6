"""Gives the conversation a language when the user's message could not.

A confident or explicitly requested language reaches the `language` slot
through its slot mappings. This policy covers the rest: while the slot is
empty, it sets it from the channel's hint (the chat page's language in the
message metadata), else from the detector's best guess, else the default
language. It never predicts an action (all probabilities are zero); Rasa
applies the events of every policy's prediction, whichever policy wins.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.base import FingerprintsOwnCode
from bot.settings import SUPPORTED_LANGUAGES, get_settings

LANGUAGE_SLOT = "language"


def _supported(value: Any) -> str | None:
    return value if isinstance(value, str) and value in SUPPORTED_LANGUAGES else None


def channel_hint(tracker: DialogueStateTracker) -> str | None:
    """The language the channel says the user chose (metadata key "language")."""
    latest = tracker.latest_message
    for metadata in (
        getattr(latest, "metadata", None),
        tracker.get_slot(SESSION_START_METADATA_SLOT),
    ):
        if isinstance(metadata, dict) and _supported(metadata.get("language")):
            return metadata["language"]
    return None


def detector_guess(tracker: DialogueStateTracker) -> str | None:
    latest = tracker.latest_message
    for entity in (latest.entities if latest else []) or []:
        if entity.get("entity") == "language_guess":
            return _supported(entity.get("value"))
    return None


def initial_language(tracker: DialogueStateTracker, default: str) -> str:
    return channel_hint(tracker) or detector_guess(tracker) or default


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ConversationLanguagePolicy(FingerprintsOwnCode, Policy):
    """Fills an empty `language` slot; never competes for the next action."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 0}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        events: list[Event] = []
        if _supported(tracker.get_slot(LANGUAGE_SLOT)) is None:
            language = initial_language(tracker, get_settings().default_language)
            events.append(SlotSet(LANGUAGE_SLOT, language))
        return self._prediction(self._default_predictions(domain), events=events)
