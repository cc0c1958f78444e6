"""Sessions end by length (SESSION_MAX_TURNS user messages) as they do by time, slots carried over;
the tracker store and its cache then hold the current session only."""

import dataclasses

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime import session_length
from bot.settings import load_settings


@pytest.fixture
def max_turns(monkeypatch):
    def set_limit(limit):
        settings = dataclasses.replace(load_settings(), session_max_turns=limit)
        monkeypatch.setattr("bot.settings.get_settings", lambda: settings)
    return set_limit


def tracker_with_turns(count, start_with_session=True):
    events = [ActionExecuted("action_session_start"), SessionStarted()] if start_with_session else []
    events.append(ActionExecuted("action_listen"))
    for number in range(count):
        events += [UserUttered(f"message {number}"), ActionExecuted("utter_x"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("t", events)


class Processor:
    """Stands in for Rasa's MessageProcessor: its own expiry check says "not expired"."""


@pytest.mark.parametrize("turns, ended", [(0, False), (2, False), (3, True), (7, True)])
def test_a_session_ends_once_it_holds_the_most_turns(max_turns, monkeypatch, turns, ended):
    max_turns(3)
    monkeypatch.setattr(session_length, "upstream_has_session_expired", lambda self, tracker: False)
    assert session_length.has_session_ended(Processor(), tracker_with_turns(turns)) is ended


def test_only_the_current_session_counts(max_turns, monkeypatch):
    max_turns(3)
    monkeypatch.setattr(session_length, "upstream_has_session_expired", lambda self, tracker: False)
    tracker = tracker_with_turns(5)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("again"))
    assert session_length.turns_in_session(tracker, 3) == 1
    assert not session_length.has_session_ended(Processor(), tracker)


def test_expiry_by_time_still_ends_a_session(max_turns, monkeypatch):
    max_turns(50)
    monkeypatch.setattr(session_length, "upstream_has_session_expired", lambda self, tracker: True)
    assert session_length.has_session_ended(Processor(), tracker_with_turns(1))


def test_a_form_in_progress_is_let_finish_up_to_twice_the_limit(max_turns, monkeypatch):
    max_turns(3)
    monkeypatch.setattr(session_length, "upstream_has_session_expired", lambda self, tracker: False)
    in_form = tracker_with_turns(3)
    in_form.update(ActiveLoop("booking_form"))
    assert not session_length.has_session_ended(Processor(), in_form)
    in_form.update(UserUttered("still booking"))
    in_form.update(UserUttered("and still"))
    assert not session_length.has_session_ended(Processor(), in_form)
    in_form.update(UserUttered("six messages"))
    assert session_length.has_session_ended(Processor(), in_form)
    in_form.update(ActiveLoop(None))
    assert session_length.has_session_ended(Processor(), in_form)


# A long conversation on the real stack: tests/integration/test_session_length.py (action_session_start
# is the action server's).
