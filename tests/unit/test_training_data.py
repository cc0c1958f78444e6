"""Rasa's own checks of the training data against the full (generated) domain, as `rasa data
validate --domain var/generated/domain.yml --data data` runs them."""

from __future__ import annotations

import re
import warnings

import pytest

from bot.knowledge.domain_export import write_generated_domain
from bot.settings import REPO_ROOT


@pytest.fixture(scope="module")
def validator():
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(REPO_ROOT / "config.yml"), domain_path=str(write_generated_domain()),
        training_data_paths=[str(REPO_ROOT / "data")])
    return Validator.from_importer(importer)


def test_the_domain_intents_actions_forms_and_slot_mappings_are_consistent(validator):
    assert validator.verify_domain_validity()
    assert validator.verify_intents(ignore_warnings=False)
    assert validator.verify_intents_in_stories(ignore_warnings=False)
    assert validator.verify_actions_in_stories_rules()
    assert validator.verify_forms_in_stories_rules()
    assert validator.verify_form_slots()
    assert validator.verify_slot_mappings()


def test_every_response_named_in_rules_and_stories_exists_and_every_other_one_is_a_form_question(validator):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert validator.verify_utterances_in_stories(ignore_warnings=True)
    unused = {match.group(1) for warning in caught
              if (match := re.search(r"utterance '(\w+)' is not used", str(warning.message)))}
    # Rasa counts a response as unused unless a rule or story names it; forms ask with
    # utter_ask_<form>_<slot> or utter_ask_<slot> by themselves.
    form_questions = {question for name, form in validator.domain.forms.items()
                      for slot in form.get("required_slots", [])
                      for question in (f"utter_ask_{slot}", f"utter_ask_{name}_{slot}")}
    assert unused <= form_questions


def test_no_two_examples_share_a_text_and_no_stories_conflict(validator):
    assert validator.verify_example_repetition_in_intents(ignore_warnings=False)
    assert validator.verify_story_structure(ignore_warnings=False)
