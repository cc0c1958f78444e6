"""Booking an appointment in the chat: the booking form's questions, checks and the booking itself.

The form collects category, service point, number of people, a day, one of
the free times offered, a name and a contact, then shows a summary; the
booking happens only after a "yes", in `action_finish_booking`. Name and
contact are sealed (bot/privacy/sealing.py) so the tracker never holds them in
clear; the PIN is shown once and never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_language
from actions.forms import answer_digression, interruption_events, latest_text, say, text_of, yes_no_buttons, yes_or_no
from bot.backend.client import BackendUnavailable
from bot.booking.client import Outcome, booking_client
from bot.booking.places import ServicePointMatcher
from bot.booking.rules import (
    MAX_PERSONS,
    MIN_PERSONS,
    horizon_days,
    normalise_email,
    normalise_phone,
    persons_in_text,
    search_days,
)
from bot.knowledge.store import default_knowledge
from bot.language.dates import parse_date
from bot.privacy.sealing import default_sealer
from bot.settings import get_settings

BOOKING_SLOTS = ("booking_category", "booking_service_point", "booking_persons", "booking_date", "booking_slot",
                 "booking_name", "booking_contact", "booking_confirmed")
STATE_SLOTS = ("booking_offered", "booking_outcome")
OFFERED_TIMES = 5

CATEGORY_WORDS = {
    "residence_permit": r"oleskelulu|oleskelulup|uppehållstillst|residence permit|\bpermit",
    "travel_document": r"passi|matkustusasiakirj|resedokument|\bpass\b|passport|travel document",
    "citizenship": r"kansalaisuu|medborgarskap|citizenship",
    "eu_registration": r"\beu\b|rekisteröin|registrering|registration",
    "identity": r"henkilöllisyy|tunnistautu|identitet|identity|identify",
}
NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,4}\.?$")


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def today() -> dt.date:
    return dt.datetime.now(local_zone()).date()


def time_label(start: str, language: str) -> str:
    """ "ti 1.12. klo 9.00", "tis 1.12 kl. 9.00" (Finland-Swedish: no dot after the month),
    "Tue 1 Dec at 9:00" in Helsinki time."""
    moment = dt.datetime.fromisoformat(start).astimezone(local_zone())
    calendar = default_knowledge().calendar
    weekday = calendar["weekday_abbreviations"][language][moment.weekday()]
    if language == "en":
        month = calendar["month_abbreviations"]["en"][moment.month - 1]
        return f"{weekday} {moment.day} {month} at {moment.hour}:{moment.minute:02d}"
    if language == "sv":
        return f"{weekday} {moment.day}.{moment.month} kl. {moment.hour}.{moment.minute:02d}"
    return f"{weekday} {moment.day}.{moment.month}. klo {moment.hour}.{moment.minute:02d}"


def localized(names: dict[str, str] | None, language: str, fallback: str = "") -> str:
    names = names or {}
    return names.get(language) or names.get("en") or fallback


def parse_contact(text: str) -> dict[str, str] | None:
    """{"email": ...} or {"phone": ...} (E.164), normalised as the backend stores them; None if neither."""
    text = text.strip().rstrip(".")
    email = normalise_email(text)
    if email is not None:
        return {"email": email}
    phone = normalise_phone(text)
    return {"phone": phone} if phone is not None else None


def masked_contact(contact: dict[str, str]) -> str:
    if "email" in contact:
        local, _, domain = contact["email"].partition("@")
        return f"{local[:1]}***@{domain}"
    return "*** " + re.sub(r"\D", "", contact.get("phone", ""))[-2:]


def reset_events() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in (*BOOKING_SLOTS, *STATE_SLOTS)]


async def matcher() -> ServicePointMatcher:
    return ServicePointMatcher.from_api(await booking_client().service_points())


class ActionStartBooking(Action):
    """Begins a booking: clears what an earlier one left and says what will happen."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        say(dispatcher, tracker, "start_booking")
        return reset_events()


class ActionAskBookingCategory(Action):
    def name(self) -> str:
        return "action_ask_booking_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        language = conversation_language(tracker)
        try:
            categories = await booking_client().categories()
        except BackendUnavailable:
            categories = []
        buttons = [{"title": localized(item["names"], language, item["id"]),
                    "payload": localized(item["names"], language, item["id"])} for item in categories]
        say(dispatcher, tracker, "ask_category", buttons=buttons)
        return []


class ActionAskBookingSlot(Action):
    """Offers the free times found for the chosen day as buttons."""

    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        offered = tracker.get_slot("booking_offered") or []
        point = tracker.get_slot("booking_service_point_name") or ""
        lines = [text_of(tracker, "slots_offer", point=point)]
        lines += [f"{number}. {slot['label']}" for number, slot in enumerate(offered, start=1)]
        lines.append(text_of(tracker, "slots_choose"))
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[{"title": slot["label"], "payload": slot["label"]} for slot in offered])
        return []


class ActionAskBookingConfirmed(Action):
    """Shows the summary of the booking and asks for a yes before anything is booked."""

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        sealer = default_sealer()
        contact = sealer.unseal(tracker.get_slot("booking_contact")) or {}
        chosen = tracker.get_slot("booking_slot") or {}
        say(dispatcher, tracker, "summary", buttons=yes_no_buttons(tracker),
            category=tracker.get_slot("booking_category_name") or "",
            point=tracker.get_slot("booking_service_point_name") or "",
            time=chosen.get("label", "") if isinstance(chosen, dict) else "",
            persons=int(tracker.get_slot("booking_persons") or 1),
            contact=next(iter(contact.values()), ""))
        return []


class ValidateBookingForm(FormValidationAction):
    """Checks each answer; a wrong one is explained and asked again, "stop" ends the form."""

    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        return [] if tracker.get_slot("booking_outcome") else list(BOOKING_SLOTS)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return interruption_events(dispatcher, tracker) or await super().run(dispatcher, tracker, domain)

    def _rejected(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, part: str,
                  **values: Any) -> dict[str, Any]:
        if not answer_digression(dispatcher, tracker):
            say(dispatcher, tracker, part, **values)
        return {slot: None}

    async def validate_booking_category(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        text = latest_text(tracker).lower()
        language = conversation_language(tracker)
        try:
            categories = await booking_client().categories()
        except BackendUnavailable:
            return self._unavailable(dispatcher, tracker)
        for item in categories:
            names = [name.lower() for name in (item.get("names") or {}).values()]
            pattern = CATEGORY_WORDS.get(item["id"])
            if text in names or item["id"] == text or (pattern and re.search(pattern, text)):
                return {"booking_category": item["id"],
                        "booking_category_name": localized(item["names"], language, item["id"]),
                        "booking_urgency_possible": bool(item.get("urgency_possible"))}
        return self._rejected(dispatcher, tracker, "booking_category", "category_unknown")

    def _unavailable(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        say(dispatcher, tracker, "unavailable")
        return {"booking_outcome": "unavailable", "requested_slot": None}

    async def validate_booking_service_point(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                             domain: DomainDict) -> dict[str, Any]:
        language = conversation_language(tracker)
        try:
            points = await booking_client().service_points()
        except BackendUnavailable:
            return self._unavailable(dispatcher, tracker)
        category = tracker.get_slot("booking_category")
        points = [point for point in points if not point.get("categories") or category in point["categories"]]
        found = ServicePointMatcher.from_api(points).find(latest_text(tracker))
        if len(found) == 1:
            return {"booking_service_point": found[0].id, "booking_service_point_name": found[0].name(language)}
        if len(found) > 1:
            names = [point.name(language) for point in found]
            say(dispatcher, tracker, "point_ambiguous", buttons=[{"title": name, "payload": name} for name in names])
            return {"booking_service_point": None}
        cities = sorted({localized(point.get("city"), language, point["id"]) for point in points})
        return self._rejected(dispatcher, tracker, "booking_service_point", "point_unknown", cities=", ".join(cities))

    async def validate_booking_persons(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        persons = persons_in_text(latest_text(tracker))
        if persons is not None and persons > MAX_PERSONS:
            say(dispatcher, tracker, "persons_too_many")
            return {"booking_persons": None}
        if persons is None or persons < MIN_PERSONS:
            return self._rejected(dispatcher, tracker, "booking_persons", "persons_invalid")
        return {"booking_persons": float(persons)}

    async def _offer(self, dispatcher: CollectingDispatcher, tracker: Tracker, day: dt.date) -> dict[str, Any]:
        """Finds free times from `day`; with none, says so and asks for another day."""
        language = conversation_language(tracker)
        try:
            found: Outcome = await booking_client().slots(
                service_point=tracker.get_slot("booking_service_point"),
                category=tracker.get_slot("booking_category"),
                date_from=day.isoformat(), date_to=(day + dt.timedelta(days=search_days())).isoformat(),
                persons=int(tracker.get_slot("booking_persons") or 1), limit=OFFERED_TIMES,
                conversation_id=tracker.sender_id)
        except BackendUnavailable:
            return self._unavailable(dispatcher, tracker)
        items = found.body.get("items", []) if found.ok else []
        if not items:
            point = tracker.get_slot("booking_service_point_name") or ""
            say(dispatcher, tracker, "no_slots", point=point)
            if tracker.get_slot("booking_urgency_possible"):
                say(dispatcher, tracker, "urgent_advice",
                    months=default_knowledge().facts["booking"]["urgent_within_months"])
            return {"booking_date": None, "booking_slot": None, "booking_offered": None}
        offered = [{"id": item["id"], "start": item["start"], "label": time_label(item["start"], language)}
                   for item in items]
        return {"booking_date": day.isoformat(), "booking_offered": offered, "booking_slot": None}

    async def validate_booking_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        day = parse_date(latest_text(tracker), today())
        if day is None:
            return self._rejected(dispatcher, tracker, "booking_date", "date_invalid")
        if day > today() + dt.timedelta(days=horizon_days()):
            say(dispatcher, tracker, "date_too_far")
            return {"booking_date": None}
        return await self._offer(dispatcher, tracker, max(day, today()))

    async def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        text = latest_text(tracker)
        offered = tracker.get_slot("booking_offered") or []
        chosen = None
        if text.isdigit() and 1 <= int(text) <= len(offered):
            chosen = offered[int(text) - 1]
        else:
            chosen = next((slot for slot in offered if slot["label"].lower() == text.lower()), None)
        if chosen is not None:
            return {"booking_slot": chosen}
        day = parse_date(text, today())
        if day is not None and day <= today() + dt.timedelta(days=horizon_days()):
            result = await self._offer(dispatcher, tracker, max(day, today()))
            if not result.get("booking_offered") and "booking_outcome" not in result:
                # Nothing on that day either: keep offering the earlier times.
                return {"booking_slot": None}
            return result
        return self._rejected(dispatcher, tracker, "booking_slot", "slot_invalid")

    async def validate_booking_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        text = " ".join(latest_text(tracker).split())
        if 2 <= len(text) <= 80 and NAME.match(text):
            return {"booking_name": default_sealer().seal(text)}
        return self._rejected(dispatcher, tracker, "booking_name", "name_invalid")

    async def validate_booking_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        contact = parse_contact(latest_text(tracker))
        if contact is None:
            return self._rejected(dispatcher, tracker, "booking_contact", "contact_invalid")
        return {"booking_contact": default_sealer().seal(contact)}

    async def validate_booking_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            if not answer_digression(dispatcher, tracker):
                dispatcher.utter_message(text=text_of(tracker, "answer_yes") + " / " + text_of(tracker, "answer_no"),
                                         buttons=yes_no_buttons(tracker))
            return {"booking_confirmed": None}
        return {"booking_confirmed": answer}


class ActionFinishBooking(Action):
    """After the form: books on "yes", and says plainly what happened in every other case."""

    def name(self) -> str:
        return "action_finish_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        outcome = tracker.get_slot("booking_outcome")
        if outcome == "stopped":
            say(dispatcher, tracker, "stopped")
            return reset_events()
        if outcome or tracker.get_slot("booking_confirmed") is not True:
            if not outcome:
                say(dispatcher, tracker, "not_booked")
            return reset_events()
        return await self._book(dispatcher, tracker)

    async def _book(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
        sealer = default_sealer()
        contact = sealer.unseal(tracker.get_slot("booking_contact"))
        name = sealer.unseal(tracker.get_slot("booking_name"))
        chosen = tracker.get_slot("booking_slot") or {}
        language = conversation_language(tracker)
        if not contact or not name or not chosen:  # sealed values expired: start again rather than guess
            say(dispatcher, tracker, "not_booked")
            return reset_events()
        request = {"category": tracker.get_slot("booking_category"),
                   "service_point": tracker.get_slot("booking_service_point"),
                   "slot_id": chosen["id"], "persons": int(tracker.get_slot("booking_persons") or 1),
                   "name": name, "language": language, **contact}
        try:
            result = await booking_client().book(request, conversation_id=tracker.sender_id)
        except BackendUnavailable:
            say(dispatcher, tracker, "unavailable")
            return reset_events()
        if result.ok:
            booking = result.body.get("booking") or {}
            say(dispatcher, tracker, "booked",
                point=localized(booking.get("service_point_names"), language,
                                tracker.get_slot("booking_service_point_name") or ""),
                address=booking.get("address", ""), time=chosen["label"],
                reservation_key=result.body["reservation_key"], pin=result.body["pin"],
                contact=next(iter(contact.values())))
            return reset_events()
        if result.error in ("slot_full", "past_slot", "unknown_slot"):
            say(dispatcher, tracker, "slot_taken")
            # Back to choosing a time, keeping everything else the user already gave.
            return [SlotSet("booking_slot", None), SlotSet("booking_confirmed", None),
                    SlotSet("booking_offered", None), SlotSet("booking_date", None),
                    FollowupAction("booking_form")]
        if result.error == "booking_cap_reached":
            say(dispatcher, tracker, "cap_reached")
        elif result.error == "contact_daily_limit":
            say(dispatcher, tracker, "contact_daily_limit")
        elif result.error == "rate_limited":
            say(dispatcher, tracker, "rate_limited")
        else:
            say(dispatcher, tracker, "unavailable")
        return reset_events()

