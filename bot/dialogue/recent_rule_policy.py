"""Rasa's RulePolicy, reading only as many of the conversation's states as its rules can match.

RulePolicy turns the whole session into states (slots, intent, previous
action, active form) at every prediction, several times a message, and then
compares each rule with the last states, never more of them than the rule is
long. Building a state costs far more than replaying the event it follows, so
here the events are replayed as before but states are built only for the last
turns: one more than the longest rule holds. The rules then see exactly what
they saw before, and a message costs about the same at the 50th turn of a
session as at the first (bench/longconv). tests/dialogue checks that every
prediction of the story and conversation tests is the same as RulePolicy's.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.base import FingerprintsOwnCode


def recent_states(tracker: DialogueStateTracker, domain: Domain, count: int) -> list[State]:
    """`tracker.past_states(domain)[-count:]`, building only those states."""
    events = tracker.applied_events()
    actions = sum(1 for event in events if isinstance(event, ActionExecuted))
    skip = actions + 1 - count  # states come before each action, and one for now
    replay = tracker.init_copy()
    states: list[State] = []
    for event in events:
        if isinstance(event, ActionExecuted):
            if skip > 0:
                skip -= 1
            else:
                states.append(domain._clean_state(domain.get_active_state(replay)))
        replay.update(event)
    states.append(domain._clean_state(domain.get_active_state(replay)))
    return states


class _RecentHistory:
    """Stands in for the tracker where the featurizer asks it for its past states."""

    def __init__(self, tracker: DialogueStateTracker, count: int) -> None:
        self.tracker, self.count = tracker, count

    def past_states(self, domain: Domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data: dict[str, Any] | None = None) -> list[State]:
        if omit_unset_slots or ignore_rule_only_turns:  # not what RulePolicy asks for
            return self.tracker.past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return recent_states(self.tracker, domain, self.count)


def longest_rule(lookup: dict[str, Any]) -> int:
    """The most states any learned rule (or unhappy-path condition) compares with the conversation."""
    keys = [*lookup.get(RULES, {}), *lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
    return max((len(json.loads(key)) for key in keys), default=0)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentRulePolicy(FingerprintsOwnCode, RulePolicy):
    """RulePolicy whose predictions build the states of the last turns only (trained as RulePolicy)."""

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: TrackerFeaturizer | None = None,
                 lookup: dict | None = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer, lookup)
        # Loaded rules: predictions read this many states. While training, RulePolicy checks
        # its rules with predictions of its own and reads them all.
        self.state_window: int | None = longest_rule(self.lookup) + 1 if lookup else None

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        self.state_window = None
        resource = super().train(training_trackers, domain, **kwargs)
        self.state_window = longest_rule(self.lookup) + 1
        return resource

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: dict[str, Any] | None = None) -> list[State]:
        if self.state_window is None:
            return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
        history: Any = _RecentHistory(tracker, self.state_window)
        return super()._prediction_states(history, domain, use_text_for_last_user_input, rule_only_data)
