"""Limits that count real clients, not ids a caller picks: a phone number is not flooded by booking
and cancelling from many conversations, and failing in a customer's name from many sessions, or
using up the codes of the applicant's phone, does not lock the real applicant out. Against the
real processes of tests/security/conftest.py."""

import asyncio
import json
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.booking.notices import CAPPED_KINDS
from bot.cases.messages import chat_text
from bot.settings import backend_token, get_settings, sms_hash_key
from bot.sms.gateway import conversation_id
from bot.sms.text import format_sms
from tests.integration.helpers import TEST_REST_TOKEN, ChatPageClient, Conversation
from tests.integration.test_booking_chat import BOOKINGS
from tests.integration.test_sms import Phone
from tests.integration.test_status import PEOPLE, birth_date_as_typed, codes_sent_to, texts, verify_by_code
from tests.security.conftest import FLOODER_TOKEN

pytestmark = pytest.mark.integration


def backend(assistant, method, path, body=None, client="x"):
    request = urllib.request.Request(
        f"http://127.0.0.1:{assistant.settings.backend_port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {backend_token()}", "X-Client-Id": client,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def outbox_to(assistant, recipient: str) -> list[str]:
    path = assistant.settings.backend_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return [kind for (kind,) in db.execute("SELECT kind FROM outbox WHERE recipient = ?", (recipient,))]


def test_fifty_bookings_and_cancellations_from_fifty_conversations_send_at_most_the_cap(assistant, renderer):
    phone, cap = "+358407654321", get_settings().booking_messages_per_contact_day
    query = urllib.parse.urlencode({"service_point": "tampere", "category": "residence_permit", "limit": 60})
    status, found = backend(assistant, "GET", f"/booking/slots?{query}")
    assert status == 200 and len(found["items"]) >= 50
    refused = 0
    for number, slot in enumerate(found["items"][:50]):
        client = f"conversation-{number}"
        status, made = backend(assistant, "POST", "/booking/bookings", {
            "category": "residence_permit", "service_point": "tampere", "slot_id": slot["id"], "persons": 1,
            "name": "Testi Henkilö", "phone": phone, "language": "fi"}, client)
        if status == 429:
            assert made["error"] == "contact_daily_limit"
            refused += 1
            continue
        assert status == 201, made
        status, _ = backend(assistant, "POST", "/booking/bookings/cancel",
                            {"reservation_key": made["reservation_key"], "pin": made["pin"]}, client)
        assert status == 200
    sent = [kind for kind in outbox_to(assistant, phone) if kind in CAPPED_KINDS]
    assert len(sent) <= cap and refused >= 50 - cap
    # The chat tells a person booking with that number why, in their language.
    chat = Conversation(assistant)
    replies = ""
    for message in BOOKINGS["fi"][:-2] + ["040 765 4321", "kyllä"]:
        replies = chat.texts(message)
    assert replies == renderer.part("booking_chat", "contact_daily_limit", "fi")
    assert len([kind for kind in outbox_to(assistant, phone) if kind in CAPPED_KINDS]) == len(sent)


def test_a_victim_hammered_from_a_hundred_sessions_still_verifies(assistant, renderer):
    number = "47120396"
    person = PEOPLE[number]
    for session in range(100):   # wrong dates of birth and wrong codes, each from its own conversation
        client = f"hammer-{session}"
        status, started = backend(assistant, "POST", "/cases/verification/start",
                                  {"customer_number": number, "language": "en", "channel": "rest",
                                   "date_of_birth": f"19{50 + session % 40}-0{1 + session % 9}-1{session % 10}"},
                                  client)
        assert status == 202, started
        backend(assistant, "POST", "/cases/verification/confirm",
                {"verification_id": started["verification_id"], "code": f"{session:06d}", "channel": "rest"}, client)
    assert codes_sent_to(assistant, person["phone"]) == []   # the phone was left alone
    chat = Conversation(assistant)
    replies = verify_by_code(assistant, chat, number, "en", renderer)
    assert replies[0] == chat_text("verified_applicant", "en", renderer)
    assert re.fullmatch(r"\d{6}", codes_sent_to(assistant, person["phone"])[-1])
    assert texts(chat.say("What is the status of my application?"))[0] == chat_text(
        "verified_applicant", "en", renderer)


def test_a_chat_client_over_its_message_limit_is_asked_to_wait_and_others_go_on(assistant, renderer):
    async def scenario():
        flooder = ChatPageClient(assistant, headers={"X-Forwarded-For": "198.51.100.23"})
        other = ChatPageClient(assistant, headers={"X-Forwarded-For": "198.51.100.24"})
        async with flooder, other:
            for _ in range(30):
                await flooder.send("ok", {"language": "sv"})
                await flooder.reply()
            await flooder.send("ok", {"language": "sv"})
            assert (await flooder.reply())["text"] == renderer.part("too_many_messages", "text", "sv")
            await other.send("ok", {"language": "sv"})
            assert (await other.reply())["text"] != renderer.part("too_many_messages", "text", "sv")
            return flooder.conversation_id

    flooded = asyncio.run(scenario())
    assert len(Conversation(assistant, sender=flooded).tracker()["events"]) > 0
    users = [e for e in Conversation(assistant, sender=flooded).tracker()["events"] if e["event"] == "user"]
    assert len(users) == 30   # the message over the limit did not reach Rasa


def test_codes_used_up_in_a_customers_name_from_a_hundred_sessions_never_keep_the_applicant_out(
        assistant, renderer):
    number = "60417283"
    person, cap = PEOPLE[number], get_settings().cases.sms_per_phone
    for session in range(100):   # the right date of birth this time: each session has a code sent, up to the cap
        client = f"hammer-with-birth-date-{session}"
        status, started = backend(assistant, "POST", "/cases/verification/start",
                                  {"customer_number": number, "language": "en", "channel": "rest"}, client)
        assert status == 202, started
        backend(assistant, "POST", "/cases/verification/birth-date",
                {"verification_id": started["verification_id"], "channel": "rest",
                 "date_of_birth": person["date_of_birth"].isoformat()}, client)
    assert len(codes_sent_to(assistant, person["phone"])) == cap   # the phone was not flooded
    # The applicant, texting from the phone on record, still gets a code and verifies.
    phone = Phone(assistant)
    phone.number = person["phone"]
    assert phone.text("What is the status of my application?")[0] == chat_text("intro", "en", renderer)
    phone.text(number)
    phone.text(birth_date_as_typed(number, "en"))
    codes = codes_sent_to(assistant, person["phone"])
    assert len(codes) == cap + 1
    assert phone.text(codes[-1])[0] == chat_text("verified", "en", renderer)   # asylum only: nothing to list


def rest_status(assistant, token: str, sender: str, message: str) -> tuple[int, list[dict]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{assistant.settings.rasa_port}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_integrator_over_its_message_limit_gets_429_in_the_users_language_and_others_go_on(
        assistant, renderer):
    limit = 100   # REST_MESSAGES_PER_MINUTE of tests/security/conftest.py
    senders = [f"flood-{n}" for n in range(limit)]   # rotating senders changes nothing: the token is counted
    rest_status(assistant, FLOODER_TOKEN, "flood-sv", "Hej, vilket nummer ringer jag om medborgarskap?")
    statuses = [rest_status(assistant, FLOODER_TOKEN, sender, "ok")[0] for sender in senders[1:]]
    assert statuses == [200] * (limit - 1)
    status, replies = rest_status(assistant, FLOODER_TOKEN, "flood-sv", "Hej igen")
    assert status == 429 and texts(replies) == [renderer.part("too_many_messages", "text", "sv")]
    assert rest_status(assistant, TEST_REST_TOKEN, "after-flood", "Hei")[0] == 200   # another integrator goes on


def test_a_phone_over_its_message_limit_is_told_once_and_other_phones_go_on(assistant, renderer):
    limit = 10   # SMS_MESSAGES_PER_MINUTE of tests/security/conftest.py
    flooder, other = Phone(assistant), Phone(assistant)
    assert flooder.text("Hej! Vilket nummer ringer jag om medborgarskap?")
    for _ in range(limit - 1):
        flooder.text("tack")
    wait = format_sms(renderer.part("too_many_messages", "text", "sv"), [])
    assert flooder.text("tack") == [wait]
    assert flooder.text("tack") == []   # told once a minute at most: each reply is an SMS we pay for
    stored = Conversation(assistant, sender=conversation_id(sms_hash_key(), flooder.number))
    users = [e for e in stored.tracker()["events"] if e["event"] == "user"]
    assert len(users) == limit   # the messages over the limit did not reach Rasa
    assert other.text("Hej! Vilket nummer ringer jag om medborgarskap?") != [wait]
