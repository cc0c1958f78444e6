"""A session ends after SESSION_MAX_TURNS user messages and the next one starts a new session, with
the slots carried over as on expiry, on the real stack (Rasa, the action server's action_session_start,
the SQLite store); what the policies then read is the new session only."""

import pytest

from tests.integration.helpers import Conversation
from tests.integration.test_rest_conversations import CASES

pytestmark = pytest.mark.integration


def session_starts(events):
    return [index for index, event in enumerate(events) if event["event"] == "session_started"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_session_ends_after_the_most_turns_with_slots_carried_over(assistant, language):
    limit = assistant.settings.session_max_turns
    questions = [CASES[language][name] for name in ("hours", "family_number", "citizenship_number")]
    conversation = Conversation(assistant)
    for number in range(limit):
        conversation.say(questions[number % len(questions)])
    assert len(session_starts(conversation.tracker()["events"])) == 1
    assert conversation.slot("language") == language

    conversation.say(questions[0])
    events = conversation.tracker()["events"]
    starts = session_starts(events)
    assert len(starts) == 2
    first_session, second_session = events[:starts[1]], events[starts[1]:]
    assert sum(event["event"] == "user" for event in first_session) == limit
    assert sum(event["event"] == "user" for event in second_session) == 1
    first_message = next(index for index, event in enumerate(second_session) if event["event"] == "user")
    carried = {event["name"]: event["value"] for event in second_session[:first_message] if event["event"] == "slot"}
    assert carried.get("language") == language
    assert conversation.slot("language") == language
    assert "action_default_fallback" not in conversation.last_actions()
