"""Sessions end by length (SESSION_MAX_TURNS user messages) as they do by time, slots carried over;
the tracker store and its cache then hold the current session only."""

import asyncio
import dataclasses

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.tracker_store import RedactingSQLTrackerStore
from bot.runtime import session_length
from bot.runtime.patches import BY_NAME, install_patches, uninstall_all
from bot.settings import load_settings
from bot.training import ensure_model


@pytest.fixture
def max_turns(monkeypatch):
    def set_limit(limit):
        settings = dataclasses.replace(load_settings(), session_max_turns=limit)
        monkeypatch.setattr("bot.settings.get_settings", lambda: settings)
    return set_limit


@pytest.fixture
def session_patch():
    install_patches("rasa", frozenset(BY_NAME) - {"session_length"}, version_problems=[])
    yield
    uninstall_all()


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


def test_a_long_conversation_gets_new_sessions_with_slots_carried_over(tmp_path, max_turns, session_patch,
                                                                      monkeypatch):
    max_turns(3)
    # No action server here: Rasa's own session start (which carries every slot over) stands in for
    # actions/session.py's (tested in tests/unit/test_session_action.py and over real HTTP).
    monkeypatch.setattr(Domain, "user_actions_and_forms", property(
        lambda domain: [name for name in domain.user_actions + domain.form_names if name != "action_session_start"]))

    async def conversation():
        store = RedactingSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
        agent = Agent.load(str(ensure_model()), tracker_store=store)
        store.domain = agent.domain
        for text in ["hei", "kiitos", "hei", "kiitos", "hei", "kiitos", "hei"]:
            await agent.handle_text(text, sender_id="long")
        return await store.retrieve_full_tracker("long"), await store.retrieve("long")

    full, current = asyncio.run(conversation())
    events = list(full.events)
    starts = [index for index, event in enumerate(events) if isinstance(event, SessionStarted)]
    assert len(starts) == 3  # messages 1-3, 4-6 and 7
    for start, end in zip(starts, [*starts[1:], len(events)], strict=True):
        session = events[start:end]
        assert 1 <= sum(isinstance(event, UserUttered) for event in session) <= 3
    for start in starts[1:]:
        carried = {}
        for event in events[start:]:
            if isinstance(event, UserUttered):
                break
            if isinstance(event, SlotSet):
                carried[event.key] = event.value
        assert carried.get("language") == "fi"
    current_events = list(current.events)
    assert isinstance(current_events[0], SessionStarted)
    assert sum(isinstance(event, UserUttered) for event in current_events) == 1
    assert current.get_slot("language") == "fi"
