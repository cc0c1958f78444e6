"""The independent evaluation sets (tests/nlu/independent/, tests/conversations/independent/):
bench/replies.py reads them with the same dev/held-out split, and Rasa's own loaders skip them, so
`rasa test` over tests/conversations/ and the old NLU sets never read them as stories or examples."""

import pytest
import rasa.shared.data
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from bench.replies import CONVERSATIONS_DIR, MESSAGES_DIR, eval_sets
from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_each_language_has_both_sets_split_a_quarter_for_dev(language):
    sets = eval_sets(language)
    messages = len(sets["dev"]) + len(sets["held-out"])
    assert (MESSAGES_DIR / f"{language}.yml").exists() and (CONVERSATIONS_DIR / f"{language}.yml").exists()
    assert round(messages * 0.25) == len(sets["dev"]) > 0
    assert sets["dev conversations"] and sets["held-out conversations"]


def test_rasa_loaders_skip_the_independent_sets():
    stories = rasa.shared.data.get_data_files([str(REPO_ROOT / "tests" / "conversations")],
                                              YAMLStoryReader.is_stories_file)
    nlu = rasa.shared.data.get_data_files([str(REPO_ROOT / "tests" / "nlu")], rasa.shared.data.is_nlu_file)
    assert stories and nlu
    assert not [path for path in [*stories, *nlu] if "independent" in path]
