"""Correcting a booking's phone number or e-mail address in the chat, with its reservation key and PIN.

The third purpose of the key-and-PIN access form (actions/booking_access.py):
after the key and PIN, the form asks for the right phone number or e-mail
address (checked by the booking rules the backend uses too), shows the booking and
the change and asks for a yes; then the backend replaces the contact of the
same kind, sends the confirmation to the new contact and a notice to the old
one. The new contact is kept sealed (bot/privacy/sealing.py) until then.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import parse_contact
from actions.forms import answer_digression, latest_text, say, text_of, yes_no_buttons, yes_or_no
from bot.backend.client import BackendUnavailable
from bot.booking.client import booking_client
from bot.booking.validation import mask_email, mask_phone
from bot.privacy.sealing import default_sealer

CONTACT_SLOTS = ("booking_contact", "booking_contact_confirmed")
# Parts of a longer answer that may be the contact ("the right one is 040 123 4567"); the booking
# rules (bot/booking/rules.py, through actions/booking.py parse_contact) decide.
CANDIDATES = re.compile(r"\S+@\S+|\+?\d[\d\s().-]{5,}\d")
MASKS = {"phone": mask_phone, "email": mask_email}


def parse_new_contact(text: str) -> dict[str, str] | None:
    """{"phone": "+358401234567"} or {"email": "name@example.com"} from the user's answer; None if neither."""
    for candidate in (text, *CANDIDATES.findall(text)):
        contact = parse_contact(candidate.strip().rstrip(".,;:!?"))
        if contact is not None:
            return contact
    return None


def new_contact(tracker: Tracker) -> dict[str, str]:
    return default_sealer().unseal(tracker.get_slot("booking_contact")) or {}


def old_masked(tracker: Tracker, kind: str) -> str | None:
    """The booking's current contact of this kind, masked as the backend showed it."""
    return (tracker.get_slot("booking_found") or {}).get(f"{kind}_masked")


def confirmation_question(tracker: Tracker) -> str:
    """"Shall I change the phone number to ...? Now it is +358 40 *** **67." (or add one the booking lacks)."""
    contact = new_contact(tracker)
    kind, value = next(iter(contact.items()), ("phone", ""))
    old = old_masked(tracker, kind)
    if old:
        return text_of(tracker, f"contact_change_{kind}", new=value, old=old)
    return text_of(tracker, f"contact_add_{kind}", new=value)


class ContactCorrection:
    """The contact form's answers, checked inside ValidateBookingAccessForm."""

    async def validate_booking_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        contact = parse_new_contact(latest_text(tracker))
        if contact is None:
            if not answer_digression(dispatcher, tracker):
                say(dispatcher, tracker, "contact_invalid")
            return {"booking_contact": None}
        return {"booking_contact": default_sealer().seal(contact)}

    async def validate_booking_contact_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            if not answer_digression(dispatcher, tracker):
                dispatcher.utter_message(text=confirmation_question(tracker), buttons=yes_no_buttons(tracker))
            return {"booking_contact_confirmed": None}
        return {"booking_contact_confirmed": answer}


async def change_contact(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After a "yes": asks the backend to change the contact and says where the confirmation went."""
    if tracker.get_slot("booking_contact_confirmed") is not True:
        say(dispatcher, tracker, "contact_not_changed")
        return
    sealer = default_sealer()
    key, pin = sealer.unseal(tracker.get_slot("booking_key")), sealer.unseal(tracker.get_slot("booking_pin"))
    contact = new_contact(tracker)
    if key is None or pin is None or not contact:  # sealed values expired: change nothing rather than guess
        say(dispatcher, tracker, "contact_not_changed")
        return
    try:
        result = await booking_client().change_contact(key, pin, contact, conversation_id=tracker.sender_id)
    except BackendUnavailable:
        say(dispatcher, tracker, "contact_unavailable")
        return
    if result.ok:
        kind, value = next(iter(contact.items()))
        booking = result.body.get("booking") or {}
        new = booking.get(f"{kind}_masked") or MASKS[kind](value)
        old = old_masked(tracker, kind)
        if old and old != new:
            say(dispatcher, tracker, "contact_changed", new=new, old=old)
        else:
            say(dispatcher, tracker, "contact_added", new=new)
        return
    parts = {"already_cancelled": "already_cancelled", "appointment_past": "contact_appointment_past",
             "booking_cap_reached": "contact_cap_reached", "locked": "locked", "rate_limited": "rate_limited"}
    say(dispatcher, tracker, parts.get(result.error or "", "contact_unavailable"))
