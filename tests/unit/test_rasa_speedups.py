"""The faster check of action-server responses accepts and refuses what Rasa's own check does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa_speedups import install


@pytest.fixture(scope="module")
def action():
    install()
    return RemoteAction("action_anything", None)


def test_a_valid_response_passes(action):
    response = {"events": [{"event": "slot", "name": "language", "value": "fi"}],
                "responses": [{"text": "Hei", "buttons": [], "template": None}]}
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "nope"},
])
def test_an_invalid_response_raises_validation_error(action, response):
    with pytest.raises(ValidationError):
        action._validate_action_result(response)
