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


def test_nlu_runs_off_the_event_loop_thread():
    import asyncio
    import threading
    from types import SimpleNamespace

    from rasa.core.processor import MessageProcessor

    install()
    seen = {}

    def parse_with_graph(message, tracker, only_output_properties):
        seen["thread"] = threading.current_thread().name
        return {"text": message.text, "intent": {"name": "greet"}, "entities": []}

    processor = SimpleNamespace(http_interpreter=None, _parse_message_with_graph=parse_with_graph,
                                _update_full_retrieval_intent=lambda data: None,
                                _check_for_unseen_features=lambda data: None)
    message = SimpleNamespace(text="moi", sender_id="x")
    parsed = asyncio.run(MessageProcessor.parse_message(processor, message, tracker=object()))
    assert parsed["intent"]["name"] == "greet"
    assert seen["thread"].startswith("nlu")
