"""A new conversation session: slots carry over, except what proves who someone is.

Rasa starts a new session after `session_expiration_time` of silence and
would carry every slot over (domain.yml). A verified status (its ticket, a
verification in progress) and the access to a booking (reservation key, PIN,
a pending cancellation) belong to the session that earned them, so they stay
behind; the language and the rest carry over as before.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

NOT_CARRIED_OVER = frozenset({
    "status_ticket", "status_verification_id", "status_needs_verification", "status_invalid_answers",
    "status_code_asked", "status_outcome", "customer_number", "date_of_birth", "one_time_code",
    "booking_key", "booking_pin", "booking_access", "booking_found", "booking_cancel_confirmed",
    "session_started_metadata", "requested_slot",
})


def carried_over(slots: dict[str, Any]) -> list[SlotSet]:
    return [SlotSet(name, value) for name, value in slots.items()
            if value is not None and name not in NOT_CARRIED_OVER]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        metadata = tracker.get_slot("session_started_metadata")
        events: list[dict[str, Any]] = [SessionStarted()]
        if metadata:  # Rasa set it for this session before calling: keep it
            events.append(SlotSet("session_started_metadata", metadata))
        return [*events, *carried_over(tracker.slots), ActionExecuted("action_listen")]
