"""Application status in the chat: shown at once to a verified person, else after verification.

`action_start_status_check` shows the status straight away when the message
carries a login identity that the chat channel verified and sealed, or when
this conversation holds a ticket (sealed in the tracker, and left behind when a
new session starts: actions/session.py); otherwise it explains the steps and
the `status_verification_form` asks for the customer number, the date of
birth and the one-time code, each checked by the case register
(bot/cases/client.py) as soon as it is given. `action_finish_status_check`
shows the status or says how the check ended. The tracker keeps only the
opaque verification id and ticket; the form's personal values are redacted
before storage (bot/privacy/tracker_store.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_language
from actions.forms import answer_digression, interruption_events, latest_text
from bot.cases.client import BackendUnavailable, CaseClient, channel_name
from bot.cases.messages import chat_text, status_messages
from bot.cases.parsing import parse_birth_date, parse_code, parse_customer_number
from bot.identity.tokens import IDENTITY_METADATA_KEY
from bot.privacy.sealing import default_sealer
from bot.privacy.spans import STATUS_ANSWER_KEY
from bot.settings import get_settings

FORM_SLOTS = ("customer_number", "date_of_birth", "one_time_code")
MAX_INVALID_ANSWERS = 3
LEAVING_INTENTS = ("goodbye", "log_out")   # the SMS keyword STOP arrives as goodbye
LEAVING_CONFIDENCE = 0.7
# How a check that stopped early ends (status_outcome -> text part of knowledge/answers/status.yml).
ENDINGS = {"stopped": "stopped", "gave_up": "gave_up", "locked": "locked", "expired": "code_expired",
           "timed_out": "timed_out", "too_many": "too_many_attempts", "unavailable": "unavailable"}


@lru_cache(maxsize=1)
def cases() -> CaseClient:
    return CaseClient()


def say(dispatcher: CollectingDispatcher, tracker: Tracker, part: str, **values: Any) -> None:
    dispatcher.utter_message(text=chat_text(part, conversation_language(tracker), **values))


def channel(tracker: Tracker) -> str:
    return channel_name(tracker.get_latest_input_channel())


def login_identity(tracker: Tracker) -> dict[str, Any] | None:
    """The identity the chat channel verified and sealed for this message, if any."""
    metadata = tracker.latest_message.get("metadata") or {}
    identity = metadata.get(IDENTITY_METADATA_KEY) if isinstance(metadata, dict) else None
    return identity if isinstance(identity, dict) and identity.get("seal") else None


def held_ticket(tracker: Tracker) -> str | None:
    """This conversation's status ticket, if it holds one (sealed in the tracker)."""
    ticket = default_sealer().unseal(tracker.get_slot("status_ticket"), ttl=get_settings().cases.ticket_max_seconds)
    return ticket if isinstance(ticket, str) and ticket else None


def reset_events() -> list[dict[str, Any]]:
    names = (*FORM_SLOTS, "status_verification_id", "status_invalid_answers", "status_code_asked", "status_outcome")
    return [SlotSet(name, None) for name in names]


async def show_status(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: str | None = None,
                      identity: dict[str, Any] | None = None) -> str:
    """Shows the status; "shown", "not_verified", "locked" or "unavailable"."""
    try:
        answer = await cases().status(tracker.sender_id, channel(tracker), ticket=ticket, identity=identity)
    except BackendUnavailable:
        say(dispatcher, tracker, "unavailable")
        return "unavailable"
    if answer.ok:
        for text in status_messages(answer.body, conversation_language(tracker)):
            # Marked, so that the conversation store keeps "[STATUS]" instead (bot/privacy/tracker_store.py).
            dispatcher.utter_message(text=text, **{STATUS_ANSWER_KEY: True})
        return "shown"
    if answer.status == 429:
        say(dispatcher, tracker, "locked")
        return "locked"
    return "not_verified"


class ActionStartStatusCheck(Action):
    def name(self) -> str:
        return "action_start_status_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        identity = login_identity(tracker)
        if identity and await show_status(dispatcher, tracker, identity=identity) != "not_verified":
            return [SlotSet("status_needs_verification", False)]
        ticket = held_ticket(tracker)
        if ticket and await show_status(dispatcher, tracker, ticket=ticket) != "not_verified":
            return [SlotSet("status_needs_verification", False)]
        say(dispatcher, tracker, "intro")
        return [*reset_events(), SlotSet("status_ticket", None), SlotSet("status_needs_verification", True)]


class ActionAskCustomerNumber(Action):
    def name(self) -> str:
        return "action_ask_customer_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        say(dispatcher, tracker, "ask_customer_number")
        return []


class ActionAskDateOfBirth(Action):
    def name(self) -> str:
        return "action_ask_date_of_birth"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        say(dispatcher, tracker, "ask_date_of_birth")
        return []


class ActionAskOneTimeCode(Action):
    """Asks for the code: the first time with what happened and how long it is valid."""

    def name(self) -> str:
        return "action_ask_one_time_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        if tracker.get_slot("status_code_asked"):
            say(dispatcher, tracker, "ask_code_again")
            return []
        say(dispatcher, tracker, "ask_one_time_code", minutes=max(1, get_settings().cases.code_ttl_seconds // 60))
        return [SlotSet("status_code_asked", True)]


def end_with(outcome: str, slot: str) -> dict[str, Any]:
    return {slot: None, "status_outcome": outcome, "requested_slot": None}


class ValidateStatusVerificationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_verification_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        stopping = interruption_events(dispatcher, tracker, "status_outcome")
        intent = tracker.latest_message.get("intent") or {}
        requested = tracker.get_slot("requested_slot")
        if not stopping and requested and intent.get("name") in LEAVING_INTENTS \
                and float(intent.get("confidence") or 0) >= LEAVING_CONFIDENCE:
            stopping = [SlotSet(requested, None), SlotSet("status_outcome", "stopped"), SlotSet("requested_slot", None)]
        return stopping or await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _not_understood(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, part: str) -> dict[str, Any]:
        """An FAQ question is answered; anything else is explained, and after three tries we stop."""
        if answer_digression(dispatcher, tracker):
            return {slot: None}
        tries = int(tracker.get_slot("status_invalid_answers") or 0) + 1
        if tries >= MAX_INVALID_ANSWERS:
            return end_with("gave_up", slot)
        say(dispatcher, tracker, part)
        return {slot: None, "status_invalid_answers": tries}

    async def validate_customer_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        number = parse_customer_number(latest_text(tracker))
        if number is None:
            return self._not_understood(dispatcher, tracker, "customer_number", "invalid_customer_number")
        try:
            answer = await cases().start(tracker.sender_id, number, conversation_language(tracker), channel(tracker))
        except BackendUnavailable:
            return end_with("unavailable", "customer_number")
        if not answer.ok:
            return end_with("locked" if answer.status == 429 else "unavailable", "customer_number")
        return {"customer_number": number, "status_verification_id": answer.body["verification_id"],
                "status_invalid_answers": None}

    async def validate_date_of_birth(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        birth_date = parse_birth_date(latest_text(tracker))
        if birth_date is None:
            return self._not_understood(dispatcher, tracker, "date_of_birth", "invalid_date_of_birth")
        verification_id = tracker.get_slot("status_verification_id")
        if not verification_id:
            return end_with("timed_out", "date_of_birth")
        try:
            answer = await cases().give_birth_date(tracker.sender_id, verification_id, birth_date, channel(tracker))
        except BackendUnavailable:
            return end_with("unavailable", "date_of_birth")
        if not answer.ok:
            outcome = {429: "locked", 404: "timed_out"}.get(answer.status, "unavailable")
            return end_with(outcome, "date_of_birth")
        return {"date_of_birth": birth_date.isoformat(), "status_invalid_answers": None}

    async def validate_one_time_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        code = parse_code(latest_text(tracker))
        if code is None:
            return self._not_understood(dispatcher, tracker, "one_time_code", "invalid_code")
        try:
            answer = await cases().confirm(tracker.sender_id, tracker.get_slot("status_verification_id") or "x", code,
                                           channel(tracker))
        except BackendUnavailable:
            return end_with("unavailable", "one_time_code")
        if answer.ok:
            return {"one_time_code": code, "status_ticket": default_sealer().seal(answer.body["ticket"]),
                    "status_outcome": "verified"}
        if answer.error == "wrong_code":
            say(dispatcher, tracker, "wrong_code", attempts=answer.body.get("attempts_left", 0))
            return {"one_time_code": None}
        outcome = {"too_many_attempts": "too_many", "code_expired": "expired", "verification_not_found": "timed_out",
                   "locked": "locked"}.get(answer.error or "", "unavailable")
        return end_with(outcome, "one_time_code")


class ActionFinishStatusCheck(Action):
    def name(self) -> str:
        return "action_finish_status_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        outcome = tracker.get_slot("status_outcome")
        ticket = held_ticket(tracker)
        if outcome == "verified" and ticket:
            if await show_status(dispatcher, tracker, ticket=ticket) == "not_verified":
                say(dispatcher, tracker, "unavailable")
        else:
            say(dispatcher, tracker, ENDINGS.get(outcome or "", "stopped"))
        return [*reset_events(), SlotSet("status_needs_verification", None)]


class ActionStatusLogOut(Action):
    """Ends this conversation's verified status (a website login ends on the website)."""

    def name(self) -> str:
        return "action_status_log_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        ticket = held_ticket(tracker)
        if ticket:
            try:
                await cases().end(tracker.sender_id, ticket, channel(tracker))
            except BackendUnavailable:
                pass   # the ticket is forgotten here and dies unused within the session length
        say(dispatcher, tracker, "logged_out")
        return [*reset_events(), SlotSet("status_ticket", None)]
