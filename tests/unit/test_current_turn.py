"""Actions read the current turn's events only (actions/current_turn.py): what the Rasa server sends."""

import ast
from pathlib import Path

from rasa_sdk import Tracker

from actions.current_turn import current_turn_events
from bot.settings import REPO_ROOT

# Tracker members that reach into the conversation's history.
HISTORY = {"events", "events_after_latest_restart", "get_last_event_for", "applied_events",
           "idx_after_latest_restart", "get_intent_of_latest_message"}


def test_the_current_turn_starts_at_the_users_latest_message():
    events = [{"event": "user", "text": "hei"}, {"event": "action", "name": "action_listen"},
              {"event": "user", "text": "varaus"}, {"event": "slot", "name": "x", "value": 1}]
    tracker = Tracker("t", {}, {}, events, False, None, {}, "action_listen")
    assert current_turn_events(tracker) == events[2:]
    assert current_turn_events(Tracker("t", {}, {}, events[1:2], False, None, {}, "x")) == events[1:2]


def test_no_action_reads_the_event_history_except_through_the_helper():
    readers = []
    for path in sorted((REPO_ROOT / "actions").glob("*.py")):
        if path.name == "current_turn.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in HISTORY:
                readers.append(f"{Path(path).name}:{node.lineno} .{node.attr}")
    assert readers == [], ("actions get the current turn's events only: use actions/current_turn.py "
                           f"({readers})")


def test_the_rasa_side_sends_what_the_helper_expects():
    """The patch's trimmed call, read by the SDK, gives the helper the same turn."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime.patches import BY_NAME, install_patches, uninstall_all

    tracker = DialogueStateTracker.from_events("someone", [
        UserUttered("hei"), ActionExecuted("action_listen"), UserUttered("varaus"), SlotSet("language", "fi")])
    install_patches("rasa", frozenset(BY_NAME) - {"action_call_current_turn"}, version_problems=[])
    try:
        body = RemoteAction("action_x", None)._action_call_format(tracker, Domain.empty())
    finally:
        uninstall_all()
    sdk_tracker = Tracker.from_dict(body["tracker"])
    assert [e["event"] for e in current_turn_events(sdk_tracker)] == ["user", "slot"]
    assert [e["event"] for e in sdk_tracker.events] == ["user", "slot"]
    assert sdk_tracker.get_slot("language") == "fi"
