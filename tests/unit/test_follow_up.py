"""The NLU step that reads the conversation (bot/nlu/follow_up.py), with real Rasa trackers and messages."""

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.follow_up import FOLLOW_UP_OF, FollowUpResolver


def said(text, intent, topic=None):
    entities = [{"entity": "topic", "value": topic}] if topic else []
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities)


def conversation(*user_messages, active_loop=None):
    events = []
    for message in user_messages:
        events += [ActionExecuted("action_listen"), message, ActionExecuted("action_answer_faq")]
    if active_loop:
        events.append(ActiveLoop(active_loop))
    return DialogueStateTracker.from_events("test", events)


def message(text, ranking, topic=None):
    result = Message({TEXT: text})
    result.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    result.set(INTENT_RANKING_KEY, [{"name": name, "confidence": c} for name, c in ranking])
    result.set(ENTITIES, [{"entity": "topic", "value": topic}] if topic else [])
    return result


def resolve(msg, tracker):
    return FollowUpResolver({}).process([msg], tracker)[0]


def intent(msg):
    return msg.get(INTENT)["name"]


def topic(msg):
    return next((e["value"] for e in msg.get(ENTITIES) if e["entity"] == "topic"), None)


@pytest.mark.parametrize(("first", "follow_up", "new_topic"), [
    ("mikä numero perheasioissa?", "entä passi?", "travel_documents"),
    ("vilket nummer gäller familj?", "och för arbete?", "studies_work"),
    ("which number for family matters?", "and for a travel document?", "travel_documents"),
    ("mikä numero perheasioissa?", "och för arbete?", "studies_work"),  # across a language switch
])
def test_a_topic_alone_takes_the_previous_question(first, follow_up, new_topic):
    tracker = conversation(said(first, "ask_service_number", "family"))
    msg = resolve(message(follow_up, [("follow_up", 0.7), ("ask_booking_family", 0.2)], new_topic), tracker)
    assert intent(msg) == "ask_service_number"
    assert topic(msg) == new_topic
    assert msg.get(FOLLOW_UP_OF) == "ask_service_number"
    assert msg.get(INTENT_RANKING_KEY)[0]["name"] == "ask_service_number"


def test_any_question_is_followed_not_only_numbers():
    tracker = conversation(said("how long does a family permit take?", "ask_processing_time", "family"))
    msg = resolve(message("and for students?", [("follow_up", 0.6), ("ask_service_number", 0.3)], "studies_work"),
                  tracker)
    assert intent(msg) == "ask_processing_time"
    assert topic(msg) == "studies_work"


def test_a_changed_condition_keeps_the_question_and_its_topic():
    tracker = conversation(said("when are you open?", "ask_service_hours"))
    assert intent(resolve(message("what about Saturday?", [("follow_up", 0.8)]), tracker)) == "ask_service_hours"
    tracker = conversation(said("mikä numero perheasioissa?", "ask_service_number", "family"))
    msg = resolve(message("entä lauantaina?", [("follow_up", 0.8)]), tracker)
    assert (intent(msg), topic(msg)) == ("ask_service_number", "family")


def test_the_latest_question_counts_past_a_language_switch_and_thanks():
    tracker = conversation(said("mikä numero perheasioissa?", "ask_service_number", "family"),
                           said("på svenska tack", "switch_language"), said("tack", "thank"))
    assert intent(resolve(message("och för arbete?", [("follow_up", 0.7)], "studies_work"), tracker)) \
        == "ask_service_number"


def test_an_opening_and_a_topic_follow_an_unsure_classifier():
    tracker = conversation(said("how long does it take for family?", "ask_processing_time", "family"))
    msg = resolve(message("and for students?", [("ask_service_number", 0.5), ("ask_processing_time", 0.3)],
                          "studies_work"), tracker)
    assert intent(msg) == "ask_processing_time"


def test_a_clear_question_of_its_own_is_left_alone():
    tracker = conversation(said("how long does it take for family?", "ask_processing_time", "family"))
    msg = resolve(message("and what is the number for students?", [("ask_service_number", 0.95)], "studies_work"),
                  tracker)
    assert intent(msg) == "ask_service_number"
    assert msg.get(FOLLOW_UP_OF) is None


def test_without_a_question_before_a_topic_asks_for_its_number():
    msg = resolve(message("entä passi?", [("follow_up", 0.7), ("ask_booking_how", 0.2)], "travel_documents"),
                  conversation(said("moi", "greet")))
    assert intent(msg) == "ask_service_number"


def test_without_a_question_before_the_next_best_reading_is_taken():
    msg = resolve(message("entä jos myöhästyn?", [("follow_up", 0.5), ("ask_booking_late", 0.4)]), conversation())
    assert intent(msg) == "ask_booking_late"
    assert all(entry["name"] != "follow_up" for entry in msg.get(INTENT_RANKING_KEY))


def test_nothing_changes_inside_a_form_or_for_payloads():
    tracker = conversation(said("mikä numero perheasioissa?", "ask_service_number", "family"),
                           active_loop="booking_form")
    msg = resolve(message("entä passi?", [("follow_up", 0.7), ("ask_booking_how", 0.2)], "travel_documents"),
                  tracker)
    assert intent(msg) == "ask_service_number"  # no previous question in a form: the topic's number
    assert msg.get(FOLLOW_UP_OF) is None
    payload = message('/follow_up', [("follow_up", 1.0)])
    assert intent(resolve(payload, conversation(said("x", "ask_service_hours")))) == "follow_up"


@pytest.mark.parametrize(("first", "place"), [
    ("mihin palvelupisteeseen mun kannattaa mennä?", "Vantaa"),
    ("vilket serviceställe ska jag välja?", "Vanda?"),
    ("which service point should I choose?", "Espoo"),
])
def test_a_place_alone_is_the_previous_questions_new_condition(first, place):
    tracker = conversation(said(first, "ask_service_point_choice"))
    msg = resolve(message(place, [("ask_booking_how", 0.3), ("ask_service_point_choice", 0.25)]), tracker)
    assert intent(msg) == "ask_service_point_choice"
    assert msg.get(FOLLOW_UP_OF) == "ask_service_point_choice"


def test_a_place_alone_inside_a_form_is_its_answer():
    tracker = conversation(said("haluan varata ajan", "ask_booking_how"), active_loop="booking_form")
    msg = resolve(message("Tampere", [("inform", 0.4)]), tracker)
    assert intent(msg) == "inform" and msg.get(FOLLOW_UP_OF) is None


ALSO_ANSWERS = {"ask_additional_documents": {"ask_booking_how", "ask_service_point_choice"},
                "ask_apply_from_abroad": {"ask_booking_how"}, "ask_asylum": {"ask_service_point_choice"}}


def resolve_with_answers(msg, tracker):
    return FollowUpResolver({}, also_answers=ALSO_ANSWERS).process([msg], tracker)[0]


@pytest.mark.parametrize(("first", "previous", "question", "own"), [
    ("miten toimitan lisäselvityksen?", "ask_additional_documents", "pitääkö siihen varata aika?", "ask_booking_how"),
    ("hur lämnar jag in tilläggshandlingar?", "ask_additional_documents", "måste jag boka tid för det?",
     "ask_booking_how"),
    ("I am abroad, how do I apply?", "ask_apply_from_abroad", "so I cannot book a time at a service point?",
     "ask_booking_how"),
    ("how do I apply for asylum?", "ask_asylum", "is it done at a service point?", "ask_service_point_choice"),
    ("miten toimitan lisäselvityksen?", "ask_additional_documents", "entä jos palvelupiste on kaukana, miten muuten "
     "voin toimittaa ne?", "ask_service_point_choice"),
])
def test_a_question_about_the_answer_just_given_takes_that_answer(first, previous, question, own):
    tracker = conversation(said(first, previous))
    msg = resolve_with_answers(message(question, [(own, 0.7), ("ask_booking_channel", 0.2)]), tracker)
    assert intent(msg) == previous
    assert msg.get(FOLLOW_UP_OF) == previous
    ranking = [entry["name"] for entry in msg.get(INTENT_RANKING_KEY)]
    assert ranking[0] == previous and own not in ranking  # nothing as sure beside it for the fallback


@pytest.mark.parametrize(("first", "previous", "question", "own"), [
    # No word points back: a new question.
    ("miten toimitan lisäselvityksen?", "ask_additional_documents", "haluan varata ajan", "ask_booking_how"),
    ("how do I apply for asylum?", "ask_asylum", "which service point should I choose?", "ask_service_point_choice"),
    # The answer does not say it: the message's own question.
    ("hur lämnar jag in tilläggshandlingar?", "ask_additional_documents", "hur avbokar jag det?",
     "ask_booking_cancel"),
])
def test_a_new_question_after_an_answer_stays_itself(first, previous, question, own):
    tracker = conversation(said(first, previous))
    assert intent(resolve_with_answers(message(question, [(own, 0.7)]), tracker)) == own


def test_a_question_about_an_answer_from_further_back_or_inside_a_form_stays_itself():
    tracker = conversation(said("how do I apply for asylum?", "ask_asylum"), said("thanks", "thank"))
    assert intent(resolve_with_answers(message("is it at a service point?", [("ask_service_point_choice", 0.7)]),
                                       tracker)) == "ask_service_point_choice"
    tracker = conversation(said("how do I apply for asylum?", "ask_asylum"), active_loop="booking_form")
    assert intent(resolve_with_answers(message("is it at a service point?", [("ask_service_point_choice", 0.7)]),
                                       tracker)) == "ask_service_point_choice"


def test_the_answers_say_which_questions_they_also_answer():
    also = FollowUpResolver({}).also_answers
    assert "ask_booking_how" in also["ask_additional_documents"]
    assert "ask_booking_how" in also["ask_apply_from_abroad"]
