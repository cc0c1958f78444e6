"""What every form of ours does with a message that is not an answer to its question.

A user may stop ("lopeta", "avbryt", "stop"), ask for help ("apua", HJÄLP,
"what can you do": the help text, then the form asks again), ask an FAQ
question in the middle (answered, then the form asks again), or answer yes or
no to a confirmation.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language
from bot.knowledge.render import default_renderer

STOP_WORDS = re.compile(
    r"^\W*(stop|stop it|quit|exit|abort|cancel|lopeta|lopetetaan|keskeytä|keskeytetään|peru|peruuta|"
    r"en halua jatkaa|avbryt|sluta|stopp|avsluta|jag vill avbryta|i want to stop)\W*$",
    re.IGNORECASE,
)
YES = re.compile(
    r"^\W*(yes|yeah|yep|sure|ok|okay|correct|kyllä|joo|juu|kyl|ok|selvä|oikein|ja|japp|visst|"
    r"absolut|stämmer|gärna)\b",
    re.IGNORECASE,
)
NO = re.compile(r"^\W*(no|nope|not|ei|en|älä|nej|nä|inte)\b", re.IGNORECASE)
DIGRESSION_CONFIDENCE = 0.6
STOP_CONFIDENCE = 0.7
HELP_CONFIDENCE = 0.7  # the SMS keywords APU/HJÄLP/HELP arrive as the intent itself (confidence 1)


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "").strip()


def _intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def wants_to_stop(tracker: Tracker) -> bool:
    name, confidence = _intent(tracker)
    text = latest_text(tracker)
    # By SMS the keywords STOP, LOPETA and SLUTA arrive as the payload "/goodbye" (channels/sms.py).
    keyword = name == "goodbye" and text.startswith("/")
    return bool(STOP_WORDS.match(text)) or keyword or (name == "stop" and confidence >= STOP_CONFIDENCE)


def stop_events(tracker: Tracker, outcome_slot: str = "booking_outcome") -> list[Any]:
    """Events that end the active form when the user asked to stop; [] otherwise."""
    requested = tracker.get_slot("requested_slot")
    if not requested or not wants_to_stop(tracker):
        return []
    return [SlotSet(requested, None), SlotSet(outcome_slot, "stopped"), SlotSet("requested_slot", None)]


def help_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[Any]:
    """Shows the help text when the user asked for help in a form, and asks the form's question again."""
    name, confidence = _intent(tracker)
    requested = tracker.get_slot("requested_slot")
    if not requested or name != "help" or confidence < HELP_CONFIDENCE:
        return []
    dispatcher.utter_message(response="utter_help")
    return [SlotSet(requested, None)]


def interruption_events(dispatcher: CollectingDispatcher, tracker: Tracker,
                        outcome_slot: str = "booking_outcome") -> list[Any]:
    """A stop ends the form, a request for help is answered in it; [] for any other message."""
    return stop_events(tracker, outcome_slot) or help_events(dispatcher, tracker)


def yes_or_no(tracker: Tracker) -> bool | None:
    """True for yes, False for no, None when the message is neither."""
    name, confidence = _intent(tracker)
    text = latest_text(tracker)
    if YES.match(text) or (name == "affirm" and confidence >= DIGRESSION_CONFIDENCE):
        return True
    if NO.match(text) or (name == "deny" and confidence >= DIGRESSION_CONFIDENCE):
        return False
    return None


def answer_digression(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answers an FAQ question or a language switch in the middle of a form; False if the message is neither."""
    name, confidence = _intent(tracker)
    answers = default_renderer()
    if name == "switch_language" and confidence >= DIGRESSION_CONFIDENCE:
        # The language slot has already changed; the form asks again in the new language.
        dispatcher.utter_message(response="utter_language_switched")
        return True
    if not name or not name.startswith("ask_") or confidence < DIGRESSION_CONFIDENCE:
        return False
    if not answers.has_answer(name):
        return False
    dispatcher.utter_message(text=answers.answer(name, conversation_language(tracker)))
    return True


def say(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    part: str,
    buttons: list[dict[str, Any]] | None = None,
    **values: Any,
) -> None:
    """Utters one of the booking conversation's texts in the conversation's language."""
    text = default_renderer().part(
        "booking_chat", part, conversation_language(tracker), **{key: str(value) for key, value in values.items()}
    )
    dispatcher.utter_message(text=text, buttons=buttons or [])


def text_of(tracker: Tracker, part: str, **values: Any) -> str:
    return default_renderer().part(
        "booking_chat", part, conversation_language(tracker), **{key: str(value) for key, value in values.items()}
    )


def yes_no_buttons(tracker: Tracker) -> list[dict[str, str]]:
    return [
        {"title": text_of(tracker, answer), "payload": text_of(tracker, answer)}
        for answer in ("answer_yes", "answer_no")
    ]
