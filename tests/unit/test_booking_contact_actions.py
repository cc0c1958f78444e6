"""Correcting a booking's contact in the chat: the key-and-PIN form's contact purpose, with a fake backend."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import booking_access, booking_contact
from actions.booking_access import (
    ActionAskBookingContactConfirmed,
    ActionFinishBookingAccess,
    ActionStartBookingAccess,
    ValidateBookingAccessForm,
)
from actions.booking_contact import parse_new_contact
from bot.backend.client import BackendUnavailable
from bot.booking.client import Outcome
from bot.knowledge.render import default_renderer
from bot.privacy.sealing import default_sealer, is_sealed

KEY, PIN = "ABCD-EFGH-JKMN", "246810"
BOOKING = {"category": "residence_permit", "service_point_names": {"fi": "Tampereen palvelupiste",
                                                                   "sv": "Tammerfors",
                                                                   "en": "Tampere service point"},
           "address": "Hatanpään valtatie 24", "start": "2030-03-12T09:30:00+02:00", "persons": 1,
           "status": "active", "phone_masked": "+358 40 *** **67", "email_masked": None}


def part(name: str, language: str = "en", **values: str) -> str:
    return default_renderer().part("booking_chat", name, language, **values)


class FakeBookingClient:
    def __init__(self, *, lookup: Outcome | None = None, change: Outcome | Exception | None = None) -> None:
        self.lookup_outcome = lookup or Outcome(200, {"booking": BOOKING})
        self.change_outcome = change or Outcome(200, {"booking": {**BOOKING, "phone_masked": "+358 50 *** **21"}})
        self.changes: list[tuple[str, str, dict[str, str]]] = []

    async def categories(self) -> list[dict[str, Any]]:
        return [{"id": "residence_permit", "names": {"fi": "Oleskelulupa", "sv": "Uppehållstillstånd",
                                                     "en": "Residence permit"}}]

    async def lookup(self, key: str, pin: str, conversation_id: str | None = None) -> Outcome:
        return self.lookup_outcome

    async def change_contact(self, key: str, pin: str, contact: dict[str, str],
                             conversation_id: str | None = None) -> Outcome:
        self.changes.append((key, pin, contact))
        if isinstance(self.change_outcome, Exception):
            raise self.change_outcome
        return self.change_outcome


@pytest.fixture()
def backend(monkeypatch):
    fake = FakeBookingClient()
    for module in (booking_access, booking_contact):
        monkeypatch.setattr(module, "booking_client", lambda: fake)
    return fake


def make_tracker(text: str = "...", intent: str = "affirm", language: str = "en", **slots: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    return Tracker("test-sender", {"language": language, **slots}, latest, [], False, None,
                   {"name": "booking_access_form"}, "action_listen")


def contact_slots(contact: dict[str, str] | None = None, confirmed: Any = True, **more: Any) -> dict[str, Any]:
    sealer = default_sealer()
    found = booking_access.booking_summary(BOOKING, "en")
    return {"booking_access": "contact", "booking_key": sealer.seal(KEY), "booking_pin": sealer.seal(PIN),
            "booking_found": found, "booking_contact": sealer.seal(contact or {"phone": "+358501234521"}),
            "booking_contact_confirmed": confirmed, **more}


def texts(dispatcher: CollectingDispatcher) -> str:
    return " ".join(message.get("text") or "" for message in dispatcher.messages)


@pytest.mark.parametrize(("text", "expected"), [
    ("040 123 4567", {"phone": "+358401234567"}),
    ("+44 20 7946 0958", {"phone": "+442079460958"}),
    ("Maria.Virtanen@Example.COM", {"email": "Maria.Virtanen@example.com"}),
    ("the right one is 050 765 4321.", {"phone": "+358507654321"}),
    ("oikea osoite on anna.k@esimerkki.fi, kiitos", {"email": "anna.k@esimerkki.fi"}),
    ("hello", None),
    ("12", None),
    ("name@", None),
])
def test_the_new_contact_is_read_with_the_backends_parsers(text, expected):
    assert parse_new_contact(text) == expected


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_starting_says_what_happens_and_sets_the_contact_purpose(language):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("I gave the wrong phone number", "change_booking_contact", language)
    events = await ActionStartBookingAccess().run(dispatcher, tracker, {})
    assert SlotSet("booking_access", "contact") in events
    assert SlotSet("booking_contact", None) in events and SlotSet("booking_contact_confirmed", None) in events
    assert texts(dispatcher) == part("start_contact", language)


@pytest.mark.parametrize(("purpose", "asked"), [
    ("lookup", ["booking_key", "booking_pin"]),
    ("cancel", ["booking_key", "booking_pin", "booking_cancel_confirmed"]),
    ("contact", ["booking_key", "booking_pin", "booking_contact", "booking_contact_confirmed"]),
])
async def test_each_purpose_asks_key_and_pin_then_its_own_questions(purpose, asked):
    tracker = make_tracker(booking_access=purpose)
    assert await ValidateBookingAccessForm().required_slots([], CollectingDispatcher(), tracker, {}) == asked


async def test_a_valid_contact_is_sealed_and_a_wrong_one_asked_again():
    form = ValidateBookingAccessForm()
    dispatcher = CollectingDispatcher()
    result = await form.validate_booking_contact("x", dispatcher, make_tracker("050 123 4521"), {})
    assert is_sealed(result["booking_contact"]) and "050" not in result["booking_contact"]
    assert default_sealer().unseal(result["booking_contact"]) == {"phone": "+358501234521"}
    result = await form.validate_booking_contact("x", dispatcher, make_tracker("my phone", intent="out_of_scope"), {})
    assert result == {"booking_contact": None} and texts(dispatcher) == part("contact_invalid")


async def test_the_question_shows_the_booking_the_old_contact_masked_and_the_new_one(backend):
    dispatcher = CollectingDispatcher()
    await ActionAskBookingContactConfirmed().run(dispatcher, make_tracker(**contact_slots()), {})
    text = texts(dispatcher)
    assert "Tampere service point" in text
    assert part("contact_change_phone", new="+358501234521", old="+358 40 *** **67") in text
    assert [button["title"] for button in dispatcher.messages[0]["buttons"]] == ["Yes", "No"]
    # A kind the booking has none of is added, not changed.
    dispatcher = CollectingDispatcher()
    await ActionAskBookingContactConfirmed().run(
        dispatcher, make_tracker(**contact_slots({"email": "anna@example.com"})), {})
    assert part("contact_add_email", new="anna@example.com") in texts(dispatcher)


async def test_neither_yes_nor_no_asks_the_question_again():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("hmm", intent="out_of_scope", **contact_slots(confirmed=None))
    result = await ValidateBookingAccessForm().validate_booking_contact_confirmed("hmm", dispatcher, tracker, {})
    assert result == {"booking_contact_confirmed": None}
    assert texts(dispatcher) == part("contact_change_phone", new="+358501234521", old="+358 40 *** **67")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_yes_changes_the_contact_and_says_where_the_confirmation_went(backend, language):
    dispatcher = CollectingDispatcher()
    events = await ActionFinishBookingAccess().run(dispatcher, make_tracker(language=language, **contact_slots()), {})
    assert backend.changes == [(KEY, PIN, {"phone": "+358501234521"})]
    assert texts(dispatcher) == part("contact_changed", language, new="+358 50 *** **21", old="+358 40 *** **67")
    assert SlotSet("booking_contact", None) in events and SlotSet("booking_key", None) in events


async def test_a_no_or_a_stop_changes_nothing(backend):
    dispatcher = CollectingDispatcher()
    await ActionFinishBookingAccess().run(dispatcher, make_tracker(**contact_slots(confirmed=False)), {})
    assert texts(dispatcher) == part("contact_not_changed")
    dispatcher = CollectingDispatcher()
    await ActionFinishBookingAccess().run(
        dispatcher, make_tracker(**contact_slots(confirmed=None, booking_outcome="stopped")), {})
    assert texts(dispatcher) == part("contact_stopped")
    assert backend.changes == []


@pytest.mark.parametrize(("outcome", "said"), [
    (Outcome(409, {"error": "booking_cap_reached"}), "contact_cap_reached"),
    (Outcome(409, {"error": "already_cancelled"}), "already_cancelled"),
    (Outcome(409, {"error": "appointment_past"}), "contact_appointment_past"),
    (Outcome(423, {"error": "locked"}), "locked"),
    (Outcome(500, {"error": "internal"}), "contact_unavailable"),
    (BackendUnavailable("down"), "contact_unavailable"),
])
async def test_a_refused_change_is_said_plainly(backend, outcome, said):
    backend.change_outcome = outcome
    dispatcher = CollectingDispatcher()
    await ActionFinishBookingAccess().run(dispatcher, make_tracker(**contact_slots()), {})
    assert texts(dispatcher) == part(said)


async def test_a_cancelled_booking_is_not_offered_a_change(backend):
    backend.lookup_outcome = Outcome(200, {"booking": {**BOOKING, "status": "cancelled"}})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(PIN, intent="give_verification_detail", booking_access="contact",
                           booking_key=default_sealer().seal(KEY))
    result = await ValidateBookingAccessForm().validate_booking_pin(PIN, dispatcher, tracker, {})
    assert result["booking_outcome"] == "already_cancelled" and texts(dispatcher) == part("already_cancelled")


async def test_a_wrong_pin_starts_again_from_the_key_and_changes_nothing(backend):
    backend.lookup_outcome = Outcome(404, {"error": "not_found"})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("000000", intent="give_verification_detail", booking_access="contact",
                           booking_key=default_sealer().seal(KEY))
    result = await ValidateBookingAccessForm().validate_booking_pin("000000", dispatcher, tracker, {})
    assert result == {"booking_key": None, "booking_pin": None, "requested_slot": "booking_key"}
    assert texts(dispatcher) == part("wrong_key_or_pin") and backend.changes == []
