"""FAQ, suggestion and language actions, run with the SDK's own tracker and dispatcher."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq, ActionSuggestTopics


def make_tracker(intent, language="fi", entities=(), ranking=()):
    latest = {
        "text": "...",
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "intent_ranking": [{"name": name, "confidence": c} for name, c in ranking],
    }
    return Tracker("test", {"language": language}, latest, [], False, None, {}, "action_listen")


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


@pytest.mark.parametrize(
    ("language", "expected"), [("fi", "0295 790 603"), ("sv", "0295 790 603"), ("en", "0295 790 603")]
)
async def test_number_for_a_topic(language, expected):
    tracker = make_tracker("ask_service_number", language, [{"entity": "topic", "value": "family"}])
    messages, events = await run(ActionAnswerFaq(), tracker)
    assert events == []
    assert expected in messages[0]["text"]
    assert messages[0]["buttons"] == []


async def test_number_without_topic_offers_topic_buttons():
    messages, _ = await run(ActionAnswerFaq(), make_tracker("ask_service_number", "sv"))
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert '/ask_service_number{"topic": "family"}' in payloads
    assert len(payloads) == 11


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_answer_is_in_the_conversation_language(language, renderer):
    messages, _ = await run(ActionAnswerFaq(), make_tracker("ask_booking_late", language))
    assert messages[0]["text"] == renderer.answer("ask_booking_late", language)


async def test_intent_without_answer_asks_to_rephrase(renderer):
    messages, _ = await run(ActionAnswerFaq(), make_tracker("greet", "sv"))
    assert messages[0]["text"] == renderer.part("ask_rephrase", "text", "sv")


async def test_suggestions_are_the_likeliest_faq_topics():
    tracker = make_tracker(
        "nlu_fallback", "en",
        ranking=[("nlu_fallback", 0.3), ("ask_call_cost", 0.25), ("greet", 0.2),
                 ("ask_booking_late", 0.1), ("ask_sms_sender", 0.05), ("ask_asylum", 0.01)],
    )
    messages, _ = await run(ActionSuggestTopics(), tracker)
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert messages[0]["text"] == "I'm not sure what you meant. Did you mean one of these?"
    assert payloads == ["/ask_call_cost", "/ask_booking_late", "/ask_sms_sender", "/help"]
    assert messages[0]["buttons"][0]["title"] == "Call costs"


async def test_no_suggestion_asks_to_rephrase(renderer):
    tracker = make_tracker("nlu_fallback", "fi", ranking=[("nlu_fallback", 0.3), ("greet", 0.2)])
    messages, _ = await run(ActionSuggestTopics(), tracker)
    assert messages[0]["text"] == renderer.part("ask_rephrase", "text", "fi")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_help_inside_a_form_answers_and_asks_again(language):
    from actions.forms import interruption_events

    latest = {"text": f'/help{{"language": "{language}"}}', "intent": {"name": "help", "confidence": 1.0},
              "entities": []}
    tracker = Tracker("test", {"language": language, "requested_slot": "booking_service_point"}, latest, [],
                      False, None, {"name": "booking_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = interruption_events(dispatcher, tracker)
    assert [message["response"] for message in dispatcher.messages] == ["utter_help"]
    assert events == [{"event": "slot", "timestamp": None, "name": "booking_service_point", "value": None}]


async def test_an_answer_in_a_form_is_no_interruption():
    from actions.forms import interruption_events

    latest = {"text": "Helsinki", "intent": {"name": "help", "confidence": 0.4}, "entities": []}
    tracker = Tracker("test", {"language": "en", "requested_slot": "booking_service_point"}, latest, [],
                      False, None, {"name": "booking_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert interruption_events(dispatcher, tracker) == []
    assert dispatcher.messages == []
