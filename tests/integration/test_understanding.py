"""Understanding in context, on the real servers: place names keep the language, help works inside forms
(chat and SMS), the booking page's cases are answered before any form starts, follow-ups keep their context."""

import pytest

from bot.knowledge.render import default_renderer
from bot.sms.gateway import conversation_id
from bot.sms.text import format_sms
from bot.supervisor import sms_hash_key
from tests.integration.helpers import Conversation, response_text
from tests.integration.test_sms import Phone

pytestmark = pytest.mark.integration

START = {"fi": ("haluan varata ajan", "Oleskelulupa"), "sv": ("jag vill boka en tid", "Uppehållstillstånd"),
         "en": ("I want to book an appointment", "Residence permit")}
HELP = {"fi": "apua", "sv": "hjälp", "en": "help"}
SMS_HELP = {"fi": "APU", "sv": "HJÄLP", "en": "HELP"}


def at_service_point_question(assistant, language):
    chat = Conversation(assistant)
    for text in START[language]:
        chat.say(text)
    assert chat.slot("requested_slot") == "booking_service_point"
    return chat


@pytest.mark.parametrize(("language", "place"), [("en", "Helsinki"), ("sv", "Malmi"), ("en", "Tampere"),
                                                 ("sv", "Espoo"), ("fi", "Åbo"), ("en", "Malmi")])
def test_a_place_name_in_a_form_keeps_the_language(assistant, language, place):
    chat = at_service_point_question(assistant, language)
    chat.say(place)
    assert chat.slot("language") == language
    # The place was taken as the answer (Helsinki has two points: the form asks which), not as a switch.
    assert chat.tracker()["active_loop"].get("name") == "booking_form"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_help_inside_the_booking_form_by_chat(assistant, language):
    chat = at_service_point_question(assistant, language)
    text = chat.texts(HELP[language])
    assert response_text("utter_help", language)[:40] in " ".join(text.split())
    assert chat.slot("requested_slot") == "booking_service_point"  # asked again, nothing lost
    chat.say("Tampere")
    assert chat.slot("booking_service_point")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_help_keyword_inside_the_booking_form_by_sms(assistant, language):
    phone = Phone(assistant)
    for text in START[language]:
        phone.text(text)
    replies = phone.text(SMS_HELP[language])
    assert replies[0].startswith(format_sms(response_text("utter_help", language)).split("\n")[0][:40]), replies
    assert any("Tampere" in reply or "Tammerfors" in reply for reply in replies[1:]), replies  # the question again


@pytest.mark.parametrize(("language", "keyword"), [("fi", "LOPETA"), ("sv", "SLUTA"), ("en", "STOP")])
def test_stop_keyword_inside_the_booking_form_by_sms_ends_the_form(assistant, language, keyword):
    # By SMS the keyword arrives as the goodbye intent (channels/sms.py), not as the typed word.
    phone = Phone(assistant)
    for text in START[language]:
        phone.text(text)
    phone.text(keyword)
    chat = Conversation(assistant, sender=conversation_id(sms_hash_key(), phone.number))
    assert not (chat.tracker()["active_loop"] or {}).get("name"), chat.tracker()["active_loop"]
    assert chat.slot("requested_slot") is None
    assert "action_finish_booking" in chat.last_actions(), chat.last_actions()


@pytest.mark.parametrize(("language", "question"), [
    ("fi", "voinko varata ajan puhelimitse?"),
    ("sv", "kan jag boka tid per telefon?"),
    ("en", "can I book an appointment by phone?"),
])
def test_booking_by_phone_is_answered_with_the_rule_before_any_form(assistant, language, question):
    chat = Conversation(assistant)
    text = chat.texts(question)
    assert default_renderer().answer("ask_booking_channel", language) in text
    assert chat.last_actions() == ["utter_ask_booking_channel"]
    assert chat.tracker()["active_loop"] in ({}, None) or not chat.tracker()["active_loop"].get("name")
    chat.say("/affirm")
    assert chat.last_actions()[:2] == ["action_start_booking", "booking_form"]


@pytest.mark.parametrize(("language", "text"), [
    ("fi", "en saanut vahvistusta ja haluan perua ajan"),
    ("sv", "jag fick aldrig någon bekräftelse och vill avboka tiden"),
    ("en", "I never got a confirmation and want to cancel my appointment"),
])
def test_no_confirmation_and_cancelling_gets_the_email_route_not_the_key_form(assistant, language, text):
    chat = Conversation(assistant)
    reply = chat.say(text)
    assert chat.last_actions() == ["utter_ask_no_confirmation"]
    assert "migri@migri.fi" in reply[0]["text"]
    payloads = [b["payload"] for b in reply[0]["buttons"]]
    assert payloads[0] == "/lost_reservation_key" and "/change_booking_contact" in payloads
    chat.say("/lost_reservation_key")  # contact details were right: the key is sent again
    assert chat.last_actions()[:2] == ["action_start_booking_resend", "booking_resend_form"]


@pytest.mark.parametrize(("first", "follow_up", "number"), [
    ("mikä on perheasioiden palvelunumero?", "entä opiskelijat?", "0295 790 602"),
    ("vilket nummer gäller familjeärenden?", "och för arbete?", "0295 790 602"),
    ("which number for family matters?", "and for citizenship?", "0295 790 604"),
    ("mikä on perheasioiden palvelunumero?", "and for students?", "0295 790 602"),
])
def test_a_follow_up_gets_the_previous_questions_answer_for_the_new_topic(assistant, first, follow_up, number):
    chat = Conversation(assistant)
    chat.say(first)
    assert number in chat.texts(follow_up)
