"""RecentRulePolicy predicts what RulePolicy predicts, reading the last states only.

Every training story and conversation test (tests/conversations) is replayed
alone and, to reach far past the window, all of them back to back in one
conversation; before each action of the story both policies, with the same
learned rules, must make the same prediction.
"""

from functools import lru_cache
from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter

from bot.dialogue.recent_rule_policy import RecentRulePolicy, longest_rule, recent_states
from bot.knowledge.domain_export import GENERATED_DOMAIN, write_generated_domain
from bot.settings import REPO_ROOT
from bot.training import ensure_model

STORY_FILES = [*sorted((REPO_ROOT / "data" / "stories").glob("*.yml")),
               *sorted((REPO_ROOT / "tests" / "conversations").glob("*.yml"))]


@lru_cache(maxsize=1)
def policies(tmp_dir: str) -> tuple[RulePolicy, RecentRulePolicy, Domain]:
    """RulePolicy and RecentRulePolicy with the rules learned by the current model."""
    storage, metadata = LocalModelStorage.from_model_archive(Path(tmp_dir), ensure_model())
    node = next(node for node in metadata.predict_schema.nodes.values() if issubclass(node.uses, RulePolicy))
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**RulePolicy.get_default_config(), **node.config}
    loaded = node.uses.load(dict(config), storage, node.resource, context)
    plain = RulePolicy(dict(config), storage, node.resource, context, lookup=loaded.lookup)
    recent = RecentRulePolicy(dict(config), storage, node.resource, context, lookup=loaded.lookup)
    return plain, recent, metadata.domain


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return policies(str(tmp_path_factory.mktemp("model")))


def story_trackers(domain: Domain) -> list[DialogueStateTracker]:
    write_generated_domain()
    importer = TrainingDataImporter.load_from_dict(
        {}, str(REPO_ROOT / "config.yml"), str(GENERATED_DOMAIN), [str(path) for path in STORY_FILES])
    graph: StoryGraph = importer.get_stories()
    generator = TrainingDataGenerator(graph, domain, remove_duplicates=False, augmentation_factor=0,
                                      use_story_concatenation=False)
    return [tracker for tracker in generator.generate_story_trackers() if not tracker.is_rule_tracker]


def one_long_conversation(trackers: list[DialogueStateTracker], domain: Domain) -> DialogueStateTracker:
    events = []
    for tracker in trackers:
        events += [event for event in tracker.events if not isinstance(event, SessionStarted)]
    return DialogueStateTracker.from_events("long", events, slots=domain.slots)


def predictions_agree(plain: RulePolicy, recent: RecentRulePolicy, tracker: DialogueStateTracker,
                      domain: Domain) -> int:
    """Compares both policies' predictions before each action of `tracker`; returns how many."""
    events = list(tracker.events)
    compared = 0
    for index, event in enumerate(events):
        if not isinstance(event, ActionExecuted) or index == 0:
            continue
        prefix = DialogueStateTracker.from_events(tracker.sender_id, events[:index], slots=domain.slots)
        expected = plain.predict_action_probabilities(prefix, domain)
        actual = recent.predict_action_probabilities(prefix, domain)
        for field in ("probabilities", "events", "optional_events", "is_end_to_end_prediction",
                      "is_no_user_prediction", "hide_rule_turn", "action_metadata"):
            assert getattr(actual, field) == getattr(expected, field), (field, index, event)
        compared += 1
    return compared


def test_the_window_is_one_longer_than_the_longest_rule(trained):
    plain, recent, _ = trained
    assert recent.state_window == longest_rule(plain.lookup) + 1 > 2


def test_every_story_and_conversation_test_alone(trained):
    plain, recent, domain = trained
    trackers = story_trackers(domain)
    assert len(trackers) >= len(STORY_FILES)
    assert sum(predictions_agree(plain, recent, tracker, domain) for tracker in trackers) > 50


def test_all_stories_in_one_long_conversation(trained):
    plain, recent, domain = trained
    long = one_long_conversation(story_trackers(domain), domain)
    full = long.past_states(domain)
    assert len(full) > 10 * recent.state_window
    assert recent_states(long, domain, recent.state_window) == full[-recent.state_window:]
    assert predictions_agree(plain, recent, long, domain) > 100
