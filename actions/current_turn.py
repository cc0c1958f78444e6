"""What an action may read of the conversation: its state, and the current turn's events.

The Rasa server sends each action call the tracker's whole state (every slot,
the latest message, the active form, the latest input channel) but only the
events of the current turn, from the user's latest message on (the patch
`action_call_current_turn`, bot/runtime/patches.py; it saves about 1 ms a call
by the end of a booking). An action that looked further back would see a
conversation that seems to start at this turn. So:

- read slots (`tracker.get_slot`), `tracker.latest_message` and
  `tracker.active_loop`; these are always whole;
- read events only through `current_turn_events` below;
- keep anything an action must remember across turns in a slot.

tests/unit/test_current_turn.py checks that no action reads `tracker.events`
or the SDK's event-history helpers directly. If an action ever needs older
events, switch the patch off for good (RASA_PATCHES_DISABLED) or drop it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def current_turn_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The events of the current turn: from the user's latest message on (all, if none is there)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index:]
    return events
