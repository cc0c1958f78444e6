"""Doing something with a booking in the chat with its reservation key and PIN: looking it up,
cancelling it, or correcting its phone number or e-mail address (actions/booking_contact.py).

One form serves every purpose (`PURPOSES`): it asks for the key and the PIN,
checks them against the backend as soon as both are given (with the backend's
lockout after wrong PINs), then asks what the purpose needs. Key, PIN and a
new contact are kept sealed (bot/privacy/sealing.py) until the change is
confirmed, and the PIN is never repeated back to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import localized, parse_contact, time_label
from actions.booking_contact import CONTACT_SLOTS, ContactCorrection, change_contact, confirmation_question
from actions.common import conversation_language
from actions.forms import answer_digression, interruption_events, latest_text, say, text_of, yes_no_buttons, yes_or_no
from bot.backend.client import BackendUnavailable
from bot.booking.client import booking_client
from bot.privacy.sealing import default_sealer

KEY_SLOTS = ("booking_key", "booking_pin")
STATE_SLOTS = ("booking_access", "booking_found", "booking_outcome")
KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
KEY_LENGTH = 12
CANCEL = "cancel"
LOOKUP = "lookup"
CONTACT = "contact"


@dataclass(frozen=True)
class Purpose:
    """What is done with a booking after its key and PIN: the text that begins it, the slots asked
    after the PIN, and the texts said when the booking cannot be changed or the user stops."""

    start_part: str
    then_ask: tuple[str, ...] = ()
    changes_booking: bool = False
    stopped_part: str = "stopped"


PURPOSES = {
    LOOKUP: Purpose("start_lookup"),
    CANCEL: Purpose("start_cancel", ("booking_cancel_confirmed",), changes_booking=True),
    CONTACT: Purpose("start_contact", CONTACT_SLOTS, changes_booking=True, stopped_part="contact_stopped"),
}
PURPOSE_OF_INTENT = {"ask_booking_cancel": CANCEL, "change_booking_contact": CONTACT}  # any other: a lookup
ACCESS_SLOTS = tuple(dict.fromkeys(KEY_SLOTS + tuple(slot for purpose in PURPOSES.values()
                                                     for slot in purpose.then_ask)))


def purpose_of(tracker: Tracker) -> str:
    purpose = tracker.get_slot("booking_access")
    return purpose if purpose in PURPOSES else LOOKUP


def normalise_key(text: str) -> str | None:
    compact = re.sub(r"[\s-]", "", text).upper()
    if len(compact) != KEY_LENGTH or any(char not in KEY_ALPHABET for char in compact):
        return None
    return "-".join(compact[index:index + 4] for index in range(0, KEY_LENGTH, 4))


def normalise_pin(text: str) -> str | None:
    digits = re.sub(r"\s", "", text)
    return digits if re.fullmatch(r"\d{6}", digits) else None


def reset_events() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in (*ACCESS_SLOTS, *STATE_SLOTS)]


def booking_summary(booking: dict[str, Any], language: str) -> dict[str, Any]:
    """What the conversation may keep of a booking: no names or keys, contacts only masked."""
    return {"category": booking.get("category"), "names": booking.get("service_point_names") or {},
            "address": booking.get("address", ""), "start": booking.get("start"),
            "persons": booking.get("persons"), "status": booking.get("status"),
            "phone_masked": booking.get("phone_masked"), "email_masked": booking.get("email_masked")}


async def category_name(category: str | None, language: str) -> str:
    try:
        categories = await booking_client().categories()
    except BackendUnavailable:
        categories = []
    item = next((item for item in categories if item["id"] == category), None)
    return localized(item["names"], language, category or "") if item else (category or "")


async def describe(tracker: Tracker, found: dict[str, Any]) -> str:
    language = conversation_language(tracker)
    return text_of(tracker, "booking_details", category=await category_name(found.get("category"), language),
                   point=localized(found.get("names"), language), address=found.get("address", ""),
                   time=time_label(found["start"], language) if found.get("start") else "",
                   persons=found.get("persons") or 1,
                   status=text_of(tracker, "status_cancelled" if found.get("status") == "cancelled"
                                  else "status_active"))


class ActionStartBookingAccess(Action):
    """Begins a lookup, a cancellation or a contact correction, depending on what the user asked for."""

    def name(self) -> str:
        return "action_start_booking_access"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        purpose = PURPOSE_OF_INTENT.get(intent, LOOKUP)
        say(dispatcher, tracker, PURPOSES[purpose].start_part)
        return [*reset_events(), SlotSet("booking_access", purpose)]


async def ask_with_details(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> None:
    """The booking found, then a yes-or-no question about it."""
    details = await describe(tracker, tracker.get_slot("booking_found") or {})
    dispatcher.utter_message(text=details + "\n" + question, buttons=yes_no_buttons(tracker))


class ActionAskBookingCancelConfirmed(Action):
    def name(self) -> str:
        return "action_ask_booking_cancel_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        await ask_with_details(dispatcher, tracker, text_of(tracker, "cancel_confirm"))
        return []


class ActionAskBookingContactConfirmed(Action):
    """Shows the booking and the change of contact, and asks for a yes before anything changes."""

    def name(self) -> str:
        return "action_ask_booking_contact_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        await ask_with_details(dispatcher, tracker, confirmation_question(tracker))
        return []


class ValidateBookingAccessForm(ContactCorrection, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_access_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        if tracker.get_slot("booking_outcome"):
            return []
        return [*KEY_SLOTS, *PURPOSES[purpose_of(tracker)].then_ask]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return interruption_events(dispatcher, tracker) or await super().run(dispatcher, tracker, domain)

    def _rejected(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, part: str) -> dict[str, Any]:
        if not answer_digression(dispatcher, tracker):
            say(dispatcher, tracker, part)
        return {slot: None}

    async def validate_booking_key(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        key = normalise_key(latest_text(tracker))
        if key is None:
            return self._rejected(dispatcher, tracker, "booking_key", "key_invalid")
        return {"booking_key": default_sealer().seal(key)}

    async def validate_booking_pin(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        pin = normalise_pin(latest_text(tracker))
        if pin is None:
            return self._rejected(dispatcher, tracker, "booking_pin", "pin_invalid")
        key = default_sealer().unseal(tracker.get_slot("booking_key"))
        if key is None:
            return {"booking_key": None, "booking_pin": None}
        try:
            result = await booking_client().lookup(key, pin, conversation_id=tracker.sender_id)
        except BackendUnavailable:
            say(dispatcher, tracker, "unavailable")
            return {"booking_pin": None, "booking_outcome": "unavailable"}
        if result.ok:
            found = booking_summary(result.body.get("booking") or {}, conversation_language(tracker))
            events: dict[str, Any] = {"booking_pin": default_sealer().seal(pin), "booking_found": found}
            if PURPOSES[purpose_of(tracker)].changes_booking and found.get("status") == "cancelled":
                say(dispatcher, tracker, "already_cancelled")
                events["booking_outcome"] = "already_cancelled"
            return events
        if result.error == "locked":
            say(dispatcher, tracker, "locked")
            return {"booking_pin": None, "booking_outcome": "locked"}
        if result.error == "rate_limited":
            say(dispatcher, tracker, "rate_limited")
            return {"booking_pin": None, "booking_outcome": "rate_limited"}
        # Unknown key and wrong PIN get the same answer: start again from the key.
        say(dispatcher, tracker, "wrong_key_or_pin")
        return {"booking_key": None, "booking_pin": None, "requested_slot": "booking_key"}

    async def validate_booking_cancel_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            if not answer_digression(dispatcher, tracker):
                dispatcher.utter_message(text=text_of(tracker, "cancel_confirm"), buttons=yes_no_buttons(tracker))
            return {"booking_cancel_confirmed": None}
        return {"booking_cancel_confirmed": answer}


class ActionFinishBookingAccess(Action):
    """After the form: shows the booking, cancels it or changes its contact after a "yes"."""

    def name(self) -> str:
        return "action_finish_booking_access"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        outcome = tracker.get_slot("booking_outcome")
        found = tracker.get_slot("booking_found")
        purpose = purpose_of(tracker)
        if outcome == "stopped":
            say(dispatcher, tracker, PURPOSES[purpose].stopped_part)
        elif outcome or not found:
            pass  # locked, rate limited, unavailable or already cancelled: already said
        elif purpose == CONTACT:
            await change_contact(dispatcher, tracker)
        elif purpose == LOOKUP:
            dispatcher.utter_message(text=await describe(tracker, found))
        elif tracker.get_slot("booking_cancel_confirmed") is not True:
            say(dispatcher, tracker, "not_cancelled")
        else:
            await self._cancel(dispatcher, tracker)
        return reset_events()

    async def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        sealer = default_sealer()
        key, pin = sealer.unseal(tracker.get_slot("booking_key")), sealer.unseal(tracker.get_slot("booking_pin"))
        if key is None or pin is None:
            say(dispatcher, tracker, "not_cancelled")
            return
        try:
            result = await booking_client().cancel(key, pin, conversation_id=tracker.sender_id)
        except BackendUnavailable:
            say(dispatcher, tracker, "unavailable")
            return
        if result.ok:
            say(dispatcher, tracker, "cancelled")
        elif result.error == "already_cancelled":
            say(dispatcher, tracker, "already_cancelled")
        elif result.error == "locked":
            say(dispatcher, tracker, "locked")
        else:
            say(dispatcher, tracker, "unavailable")


class ActionStartBookingResend(Action):
    """Begins sending lost reservation keys to the contact details they were booked with."""

    def name(self) -> str:
        return "action_start_booking_resend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        say(dispatcher, tracker, "start_resend")
        return [SlotSet("booking_resend_contact", None), SlotSet("booking_outcome", None)]


class ValidateBookingResendForm(FormValidationAction):
    """Sends the keys as soon as a phone number or e-mail address is given; the answer is the same
    whether or not anything was booked with it, and the contact itself is not kept."""

    def name(self) -> str:
        return "validate_booking_resend_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        return [] if tracker.get_slot("booking_outcome") else ["booking_resend_contact"]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return interruption_events(dispatcher, tracker) or await super().run(dispatcher, tracker, domain)

    async def validate_booking_resend_contact(self, value: Any, dispatcher: CollectingDispatcher,
                                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        contact = parse_contact(latest_text(tracker))
        if contact is None:
            if not answer_digression(dispatcher, tracker):
                say(dispatcher, tracker, "contact_invalid")
            return {"booking_resend_contact": None}
        try:
            result = await booking_client().resend_keys(contact, conversation_id=tracker.sender_id)
        except BackendUnavailable:
            say(dispatcher, tracker, "unavailable")
            return {"booking_resend_contact": None, "booking_outcome": "unavailable"}
        if result.error == "rate_limited":
            say(dispatcher, tracker, "rate_limited")
            return {"booking_resend_contact": None, "booking_outcome": "rate_limited"}
        if not result.ok:
            say(dispatcher, tracker, "contact_invalid")
            return {"booking_resend_contact": None}
        return {"booking_resend_contact": "sent", "booking_outcome": "sent"}


class ActionFinishBookingResend(Action):
    def name(self) -> str:
        return "action_finish_booking_resend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        outcome = tracker.get_slot("booking_outcome")
        if outcome == "sent":
            say(dispatcher, tracker, "resend_sent")
        elif outcome == "stopped":
            say(dispatcher, tracker, "stopped")
        return [SlotSet("booking_resend_contact", None), SlotSet("booking_outcome", None)]
