"""Conversation sessions end by length as well as by time.

Rasa starts a new session (its `action_session_start`, which carries the slots
over when the domain's session_config says so) when the last user message is
older than `session_expiration_time`. A conversation that never pauses stayed
in one session for ever, and much of a turn's work grows with the session
(the rule policy's states, copies of the tracker, the tracker store's reads).
Here a session also ends once it holds SESSION_MAX_TURNS user messages: the
next message starts a new session through the same mechanism, as if the
session had expired (the patch `session_length` replaces
`MessageProcessor._has_session_expired` with `has_session_ended`). A form in
progress is let finish first (up to twice the limit): ending the session would
end the form, and a booking half-way through would start over.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

upstream_has_session_expired: Any = None  # MessageProcessor._has_session_expired, set when patched


def turns_in_session(tracker: DialogueStateTracker, limit: int) -> int:
    """User messages since the session started (or the conversation restarted), counted up to `limit`."""
    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted | Restarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
            if turns >= limit:
                break
    return turns


# A form in progress (a booking half-way) is not cut off at the limit: the session ends once the form has
# ended, or at this many times the limit, so a form that never ends still cannot grow a session for ever.
FORM_GRACE_FACTOR = 2


def has_session_ended(self: Any, tracker: DialogueStateTracker) -> bool:
    """Rasa's expiry by time, or the session holds the most user messages a session may hold
    (outside a form; with a form active, twice as many)."""
    from bot.settings import get_settings

    limit = get_settings().session_max_turns
    if limit:
        hard_limit = limit * FORM_GRACE_FACTOR
        turns = turns_in_session(tracker, hard_limit)
        if turns >= hard_limit or (turns >= limit and not tracker.active_loop_name):
            return True
    return upstream_has_session_expired(self, tracker)
