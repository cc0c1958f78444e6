"""The independent evaluation sets (tests/nlu/independent/, tests/conversations/independent/, each
with a second blind round in round3/): bench/replies.py reads every round with the same dev/held-out
split, and Rasa's own loaders skip them, so `rasa test` over tests/conversations/ and the old NLU sets
never read them as stories or examples."""

import pytest
import rasa.shared.data
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from bench.replies import CONVERSATIONS_DIR, MESSAGES_DIR, PARTS, ROUNDS, eval_sets, is_dev
from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("prefix", ROUNDS)
def test_each_language_and_round_has_both_sets_split_a_quarter_for_dev(language, prefix):
    sets = eval_sets(language)
    messages_dir, conversations_dir = ROUNDS[prefix]
    messages = len(sets[f"{prefix}dev"]) + len(sets[f"{prefix}held-out"])
    assert (messages_dir / f"{language}.yml").exists() and (conversations_dir / f"{language}.yml").exists()
    assert round(messages * 0.25) == len(sets[f"{prefix}dev"]) > 0
    assert sets[f"{prefix}dev conversations"] and sets[f"{prefix}held-out conversations"]


def test_the_rounds_are_separate_parts_and_only_dev_parts_are_read():
    assert ROUNDS[""] == (MESSAGES_DIR, CONVERSATIONS_DIR)
    assert [part for part in PARTS if is_dev(part)] == [
        "dev", "dev conversations", "round 3 dev", "round 3 dev conversations"]


def test_rasa_loaders_skip_the_independent_sets():
    stories = rasa.shared.data.get_data_files([str(REPO_ROOT / "tests" / "conversations")],
                                              YAMLStoryReader.is_stories_file)
    nlu = rasa.shared.data.get_data_files([str(REPO_ROOT / "tests" / "nlu")], rasa.shared.data.is_nlu_file)
    assert stories and nlu
    assert not [path for path in [*stories, *nlu] if "independent" in path]
