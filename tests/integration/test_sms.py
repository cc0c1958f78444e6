"""SMS through the local gateway simulator: conversations, numbered buttons,
keywords, segments, signatures, duplicates, malformed requests and privacy."""

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.sms.gateway import SIGNATURE_HEADER, conversation_id, signature
from bot.sms.text import format_sms
from bot.supervisor import sms_hash_key
from tests.integration.helpers import Conversation, post_json, response_text

pytestmark = pytest.mark.integration


def new_number() -> str:
    return "+35840" + str(uuid.uuid4().int)[:7]


class Phone:
    """A phone texting the assistant through the simulator."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.number = new_number()
        self.gateway = f"http://{assistant.settings.host}:{assistant.settings.sms_gateway_port}"

    def text(self, body: str, message_sid: str | None = None) -> list[str]:
        result = post_json(f"{self.gateway}/inbound",
                           {"from": self.number, "body": body, "message_sid": message_sid})
        assert result["webhook_status"] == 200, result
        assert all(reply["segments"] <= 3 for reply in result["replies"])
        return [reply["body"] for reply in result["replies"]]


def post_webhook(assistant, params, signature_value, content_type="application/x-www-form-urlencoded"):
    url = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}/webhooks/sms/webhook"
    data = urllib.parse.urlencode(params).encode() if isinstance(params, dict) else params
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": content_type, SIGNATURE_HEADER: signature_value})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


CONVERSATIONS = {
    "fi": ("Hei! Mihin numeroon soitan kansalaisuusasioissa?", "0295 790 604",
           "Onko puhelinneuvonta auki jouluna?", "kiitos"),
    "sv": ("Hej! Vilket nummer ringer jag om medborgarskap?", "0295 790 604",
           "Är ni öppna på julafton?", "tack"),
    "en": ("Hi! Which number do I call about citizenship?", "0295 790 604",
           "Are you open on Christmas Eve?", "thanks"),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_faq_conversation_by_sms(assistant, renderer, language):
    question, number, holiday_question, thanks = CONVERSATIONS[language]
    phone = Phone(assistant)
    [reply] = phone.text(question)
    assert number in reply
    [reply] = phone.text(holiday_question)
    assert reply == format_sms(renderer.answer("ask_exceptional_hours", language))
    [reply] = phone.text(thanks)
    assert reply == format_sms(response_text("utter_thank", language))


def test_buttons_are_numbered_and_a_number_picks_one(assistant):
    phone = Phone(assistant)
    [menu] = phone.text("What is your phone number?")
    assert "\n1 Residence permit card renewal\n2 Citizenship, permanent permit" in menu
    [reply] = phone.text("2")
    assert "0295 790 604" in reply


@pytest.mark.parametrize(
    ("keyword", "response", "language"),
    [("APU", "utter_help", "fi"), ("HJÄLP", "utter_help", "sv"), ("help", "utter_help", "en"),
     ("LOPETA", "utter_goodbye", "fi"), ("STOP", "utter_goodbye", "en")],
)
def test_keywords_answer_in_their_language(assistant, keyword, response, language):
    phone = Phone(assistant)
    [reply] = phone.text(keyword)
    assert reply.startswith(format_sms(response_text(response, language)).split("\n")[0][:40])


def test_duplicate_delivery_is_answered_once(assistant):
    phone = Phone(assistant)
    sid = "SM" + uuid.uuid4().hex
    assert len(phone.text("When are you open?", message_sid=sid)) == 1
    assert phone.text("When are you open?", message_sid=sid) == []


def test_redelivery_to_either_worker_is_answered_once_even_when_the_id_looks_like_a_number(assistant):
    # Nine digits in a row would be redacted as [NUMBER] in any other text; a redelivery
    # reaching the other Rasa worker finds the first delivery by its id in the store.
    phone = Phone(assistant)
    sid = "SM123456789" + uuid.uuid4().hex[:23]
    assert len(phone.text("When are you open?", message_sid=sid)) == 1
    for _ in range(4):
        assert phone.text("When are you open?", message_sid=sid) == []


def test_simultaneous_deliveries_of_one_message_are_answered_once(assistant):
    # A gateway that retries before the first answer came may reach both Rasa workers at once.
    from concurrent.futures import ThreadPoolExecutor

    phone = Phone(assistant)
    sid = "SM" + uuid.uuid4().hex
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: phone.text("When are you open?", message_sid=sid), range(6)))
    with urllib.request.urlopen(f"{phone.gateway}/messages?to={urllib.parse.quote(phone.number)}") as response:
        assert len(json.loads(response.read())) == 1
    chat = Conversation(assistant, sender=conversation_id(sms_hash_key(), phone.number))
    assert len([e for e in chat.tracker()["events"] if e["event"] == "user"]) == 1


def test_bad_signature_is_refused_and_nothing_is_processed(assistant):
    number = new_number()
    params = {"From": number, "To": "18135", "Body": "Hello", "MessageSid": "SM" + uuid.uuid4().hex}
    status, body = post_webhook(assistant, params, "forged-signature")
    assert status == 403 and "signature" in body
    chat = Conversation(assistant, sender=conversation_id(sms_hash_key(), number))
    assert [e for e in chat.tracker()["events"] if e["event"] == "user"] == []


def test_malformed_requests_get_400(assistant):
    url = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}/webhooks/sms/webhook"
    good = assistant.sms_auth_token
    status, body = post_webhook(assistant, json.dumps({"From": "x"}).encode(), "x", "application/json")
    assert status == 400 and "form" in body
    params = {"From": new_number(), "To": "18135"}
    status, body = post_webhook(assistant, params, signature(good, url, params))
    assert status == 400 and "Body" in body


def test_phone_number_is_not_in_the_conversation(assistant):
    phone = Phone(assistant)
    phone.text("Hei, mikä on vaihteen numero?")
    sender = conversation_id(sms_hash_key(), phone.number)
    tracker = Conversation(assistant, sender=sender).tracker()
    assert tracker["events"], "the conversation should exist under the hashed id"
    assert phone.number not in json.dumps(tracker) and phone.number[1:] not in json.dumps(tracker)
