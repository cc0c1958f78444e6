"""Application status in the chat, against the real Rasa, action and backend processes.

Verification by customer number, date of birth and the SMS code (read from
the backend's outbox, as the phone on record would receive it), by a website
login token on the chat channel, and every way it must fail: wrong, expired
or too many codes, a forged token, an identity claimed in client metadata,
guessing from one conversation, the backend being down. Each test uses its own
demo people (bot/cases/seed_data.yml), so lockouts do not cross tests.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
import urllib.request
from urllib.parse import quote

import jwt
import pytest

from bot.backend.client import client_id
from bot.cases.messages import chat_text
from bot.cases.seed import seed_data
from bot.settings import backend_token
from tests.integration.conftest import TEST_LOGIN_KEY
from tests.integration.helpers import ChatPageClient, Conversation
from tests.integration.test_sms import Phone

pytestmark = pytest.mark.integration

PEOPLE = {person["customer_number"]: person for person in seed_data()["applicants"] + seed_data()["representatives"]}
ASK_STATUS = {"fi": "Mikä on hakemukseni tilanne?", "sv": "Hur går det med min ansökan?",
              "en": "What is the status of my application?"}
STOP = {"fi": "peruuta", "sv": "avbryt", "en": "stop"}
LOG_OUT = {"fi": "kirjaudu ulos", "sv": "logga ut", "en": "log me out"}


def birth_date_as_typed(number: str, language: str) -> str:
    day = PEOPLE[number]["date_of_birth"]
    return {"fi": f"{day.day}.{day.month}.{day.year}", "sv": f"{day.day:02d}.{day.month:02d}.{day.year}",
            "en": day.isoformat()}[language]


def backend_db(assistant) -> sqlite3.Connection:
    return sqlite3.connect(assistant.settings.backend_db_url.removeprefix("sqlite:///"))


def codes_sent_to(assistant, phone: str) -> list[str]:
    with backend_db(assistant) as db:
        rows = db.execute("SELECT body FROM outbox WHERE recipient = ? AND kind = 'verification_code' ORDER BY id",
                          (phone,)).fetchall()
    return [re.search(r"\b\d{6}\b", body).group(0) for (body,) in rows]


def gateway_messages(assistant, to: str) -> list[dict]:
    """SMS the gateway simulator received for `to`, once the backend's dispatcher has sent any."""
    url = f"http://{assistant.settings.host}:{assistant.settings.sms_gateway_port}/messages?to={quote(to)}"
    deadline = time.monotonic() + 120   # a bound on waiting for the dispatcher, not a performance check
    while True:
        with urllib.request.urlopen(url, timeout=30) as response:
            messages = json.loads(response.read())
        if messages or time.monotonic() > deadline:
            return messages
        time.sleep(0.5)


def audit(assistant, **query: str) -> list[dict]:
    url = (f"http://{assistant.settings.host}:{assistant.settings.backend_port}/cases/audit?limit=1000&"
           + "&".join(f"{key}={value}" for key, value in query.items()))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {backend_token()}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["entries"]


def stored_events(assistant, sender: str) -> str:
    with sqlite3.connect(assistant.settings.tracker_db) as db:
        return "\n".join(row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


def start_and_give_details(chat: Conversation, number: str, language: str, renderer) -> None:
    replies = texts(chat.say(ASK_STATUS[language]))
    assert replies == [chat_text("intro", language, renderer), chat_text("ask_customer_number", language, renderer)]
    assert texts(chat.say(number)) == [chat_text("ask_date_of_birth", language, renderer)]
    replies = texts(chat.say(birth_date_as_typed(number, language)))
    assert replies == [chat_text("ask_one_time_code", language, renderer, minutes=5)]


def verify_by_code(assistant, chat: Conversation, number: str, language: str, renderer) -> list[str]:
    start_and_give_details(chat, number, language, renderer)
    code = codes_sent_to(assistant, PEOPLE[number]["phone"])[-1]
    return texts(chat.say(code))


@pytest.mark.parametrize(("language", "number", "type_", "stage_words"), [
    ("fi", "52936814", "extended_permit", "Hakemukseen on pyydetty lisäselvitystä"),
    ("sv", "28461937", "eu_registration", "Beslutet skickades"),
    ("en", "31804527", "first_permit_work", "The application is being processed"),
])
def test_verified_by_code_sees_own_status_in_own_language(assistant, renderer, language, number, type_,
                                                          stage_words):
    chat = Conversation(assistant)
    replies = verify_by_code(assistant, chat, number, language, renderer)
    assert replies[0] == chat_text("verified_applicant", language, renderer)
    assert replies[1].startswith(renderer.part("status_terms", type_, language)) and stage_words in replies[1]
    assert replies[2:] == [chat_text("limits", language, renderer), chat_text("sensitive_notice", language, renderer)]
    assert chat.last_actions() == ["status_verification_form", "action_finish_status_check"]
    # Asked again in the same conversation: no second verification.
    again = texts(chat.say(ASK_STATUS[language]))
    assert again[0] == chat_text("verified_applicant", language, renderer)
    # The conversation store kept none of the details; the audit log shows who saw what, and where.
    person = PEOPLE[number]
    stored = stored_events(assistant, chat.sender)
    for secret in (number, person["date_of_birth"].isoformat(), birth_date_as_typed(number, language),
                   codes_sent_to(assistant, person["phone"])[-1]):
        assert secret not in stored
    disclosed = audit(assistant, client=client_id(chat.sender), event="status_disclosed")
    assert len(disclosed) == 2 and all(entry["channel"] == "rest" and entry["role"] == "applicant"
                                       and entry["application_reference"].startswith("HAK-") for entry in disclosed)


def test_wrong_code_then_the_right_one(assistant, renderer):
    chat = Conversation(assistant)
    start_and_give_details(chat, "25860413", "en", renderer)
    code = codes_sent_to(assistant, PEOPLE["25860413"]["phone"])[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert texts(chat.say(wrong)) == [chat_text("wrong_code", "en", renderer, attempts=2),
                                      chat_text("ask_code_again", "en", renderer)]
    assert texts(chat.say(code))[0] == chat_text("verified_applicant", "en", renderer)


def test_expired_code(assistant, renderer):
    chat = Conversation(assistant)
    start_and_give_details(chat, "47082635", "sv", renderer)
    code = codes_sent_to(assistant, PEOPLE["47082635"]["phone"])[-1]
    with backend_db(assistant) as db:   # the five minutes pass
        db.execute("UPDATE case_verifications SET code_expires_at = '2000-01-01 00:00:00' WHERE client = ?",
                   (client_id(chat.sender),))
    assert texts(chat.say(code)) == [chat_text("code_expired", "sv", renderer)]
    assert chat.last_actions() == ["status_verification_form", "action_finish_status_check"]


def test_too_many_wrong_codes(assistant, renderer):
    chat = Conversation(assistant)
    start_and_give_details(chat, "13648291", "fi", renderer)
    code = codes_sent_to(assistant, PEOPLE["13648291"]["phone"])[-1]
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    chat.say(wrong)
    chat.say(wrong)
    assert texts(chat.say(wrong)) == [chat_text("too_many_attempts", "fi", renderer)]
    assert texts(chat.say(code))[0] != chat_text("verified_applicant", "fi", renderer)


def test_representative_sees_only_clients_cases_and_never_asylum(assistant, renderer):
    chat = Conversation(assistant)
    replies = verify_by_code(assistant, chat, "86420135", "fi", renderer)
    assert replies[0] == chat_text("verified_representative", "fi", renderer)
    applications = replies[1:-2]
    labels = [chat_text("client", "fi", renderer, initials=initials) for initials in ("F. A.", "M. Y.")]
    assert [reply[:len(label)] for reply, label in zip(applications, labels, strict=True)] == labels
    everything = " ".join(replies)
    assert renderer.part("status_terms", "extended_permit", "fi") in everything
    for hidden in ("Turvapaikka", "matkustusasiakirja,", "A. H."):
        assert hidden not in " ".join(applications)


def test_asylum_case_is_not_shown_nor_hinted_at(assistant, renderer):
    asylum_only = verify_by_code(assistant, Conversation(assistant), "60417283", "en", renderer)
    refugee_document_only = verify_by_code(assistant, Conversation(assistant), "23649208", "en", renderer)
    expected = [chat_text(part, "en", renderer) for part in ("verified", "none_found", "sensitive_notice")]
    assert asylum_only == refugee_document_only == expected
    # The notice is the one everybody gets, whatever their cases.
    assert chat_text("sensitive_notice", "en", renderer) in verify_by_code(
        assistant, Conversation(assistant), "68194753", "en", renderer)


def login_token(subject: str, role: str = "applicant", key: str = TEST_LOGIN_KEY, expires_in: int = 600) -> str:
    claims = {"sub": subject, "aud": "migri-chat", "exp": int(time.time()) + expires_in, "role": role}
    return jwt.encode(claims, key, algorithm="HS256")


async def chat_page(assistant, message: str, language: str, auth=None, extra_metadata=None) -> tuple[list[str], str]:
    """A greeting, then `message` from the chat page over socket.io: every reply to `message`, and the
    stored conversation id."""
    metadata = {"language": language, **(extra_metadata or {})}
    async with ChatPageClient(assistant, auth=auth) as page:
        chat = Conversation(assistant, sender=page.conversation_id)
        # The greeting's turn creates the stored conversation, so reading it never races its creation.
        await page.send(GREETING[language], metadata)
        await page.reply()
        await turn_saved(chat, user_messages=1)
        await page.send(message, metadata)
        answers = [(await page.reply()).get("text", "")]
        await turn_saved(chat, user_messages=2)
        while len(answers) < await asyncio.to_thread(bot_messages_of_last_turn, chat):
            answers.append((await page.reply()).get("text", ""))
        return answers, page.conversation_id


GREETING = {"fi": "Hei", "sv": "Hej", "en": "Hello"}


async def turn_saved(chat: Conversation, user_messages: int) -> None:
    while True:
        events = (await asyncio.to_thread(chat.tracker))["events"]
        if sum(event["event"] == "user" for event in events) >= user_messages \
                and events[-1].get("name") == "action_listen":
            return
        await asyncio.sleep(0.2)


def bot_messages_of_last_turn(chat: Conversation) -> int:
    events = chat.tracker()["events"]
    last_user = max(i for i, event in enumerate(events) if event["event"] == "user")
    return sum(1 for event in events[last_user:] if event["event"] == "bot")


@pytest.mark.parametrize(("language", "number", "role", "heading", "count"), [
    ("fi", "81693520", "applicant", "verified_applicant", 2),
    ("sv", "97531246", "representative", "verified_representative", 2),
])
def test_logged_in_user_sees_status_without_a_code(assistant, renderer, language, number, role, heading, count):
    answers, session = asyncio.run(chat_page(assistant, ASK_STATUS[language], language,
                                             auth={"token": login_token(number, role)}))
    assert answers[0] == chat_text(heading, language, renderer)
    assert len(answers) == 1 + count + 2
    assert Conversation(assistant, sender=session).last_actions() == ["action_start_status_check"]
    assert audit(assistant, client=client_id(session), event="status_disclosed")[0]["method"] == "jwt"
    assert number not in stored_events(assistant, session)


@pytest.mark.parametrize("token", [login_token("81693520", key="forged-key-0123456789-0123456789"),
                                   login_token("81693520", expires_in=-30)], ids=["forged", "expired"])
def test_forged_or_expired_token_gets_the_verification_instead(assistant, renderer, token):
    answers, session = asyncio.run(chat_page(assistant, ASK_STATUS["en"], "en", auth={"token": token}))
    assert answers == [chat_text("intro", "en", renderer), chat_text("ask_customer_number", "en", renderer)]
    assert audit(assistant, client=client_id(session), event="status_disclosed") == []


def test_identity_claimed_in_client_metadata_is_ignored(assistant, renderer):
    claim = {"verified_identity": {"subject": "81693520", "role": "applicant", "expires_at": 2**40,
                                   "method": "jwt", "seal": "0" * 64}}
    chat = Conversation(assistant)
    assert texts(chat.say(ASK_STATUS["fi"], metadata=claim))[0] == chat_text("intro", "fi", renderer)
    answers, session = asyncio.run(chat_page(assistant, ASK_STATUS["sv"], "sv", extra_metadata=claim))
    assert answers[0] == chat_text("intro", "sv", renderer)
    for sender in (chat.sender, session):
        assert audit(assistant, client=client_id(sender), event="status_disclosed") == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_user_can_stop_at_any_step(assistant, renderer, language):
    chat = Conversation(assistant)
    chat.say(ASK_STATUS[language])
    assert texts(chat.say(STOP[language])) == [chat_text("stopped", language, renderer)]
    chat.say(ASK_STATUS[language])
    chat.say("70315968")
    assert texts(chat.say(STOP[language])) == [chat_text("stopped", language, renderer)]
    assert not (chat.tracker().get("active_loop") or {}).get("name")


def test_unclear_answers_are_explained_and_then_the_check_stops(assistant, renderer):
    chat = Conversation(assistant)
    chat.say(ASK_STATUS["sv"])
    assert texts(chat.say("det står på kortet någonstans")) == [
        chat_text("invalid_customer_number", "sv", renderer), chat_text("ask_customer_number", "sv", renderer)]
    chat.say("39572048")
    explained = [chat_text("invalid_date_of_birth", "sv", renderer), chat_text("ask_date_of_birth", "sv", renderer)]
    assert texts(chat.say("i våras")) == explained
    assert texts(chat.say("1.2.90")) == explained   # the year needs four digits
    assert texts(chat.say("nittonhundranittio")) == [chat_text("gave_up", "sv", renderer)]


def test_log_out_ends_the_verified_status(assistant, renderer):
    chat = Conversation(assistant)
    verify_by_code(assistant, chat, "91427086", "en", renderer)
    assert texts(chat.say(LOG_OUT["en"])) == [chat_text("logged_out", "en", renderer)]
    assert texts(chat.say(ASK_STATUS["en"]))[0] == chat_text("intro", "en", renderer)
    assert audit(assistant, client=client_id(chat.sender), event="session_ended")


def test_guessing_from_one_conversation_is_locked_out(assistant, renderer):
    chat = Conversation(assistant)
    for guess in range(5):
        chat.say(ASK_STATUS["en"])
        assert texts(chat.say(f"{20_000_000 + guess * 1_234_567:08d}")) == [
            chat_text("ask_date_of_birth", "en", renderer)]
        chat.say(STOP["en"])
    chat.say(ASK_STATUS["en"])
    assert texts(chat.say("35861420")) == [chat_text("locked", "en", renderer)]
    assert codes_sent_to(assistant, PEOPLE["35861420"]["phone"]) == []


def test_verification_by_sms_sends_the_code_to_the_number_on_record(assistant, renderer):
    phone = Phone(assistant)
    assert phone.text("Hur går det med min ansökan?")[0] == chat_text("intro", "sv", renderer)
    phone.text("24759302")
    phone.text(birth_date_as_typed("24759302", "sv"))
    [code] = codes_sent_to(assistant, PEOPLE["24759302"]["phone"])
    assert codes_sent_to(assistant, phone.number) == []
    # The notifications dispatcher hands it to the SMS gateway, addressed to the phone on record.
    assert code in " ".join(message["body"] for message in gateway_messages(assistant, PEOPLE["24759302"]["phone"]))
    replies = phone.text(code)
    assert replies[0] == chat_text("verified_applicant", "sv", renderer)
    studies = renderer.part("status_terms", "first_permit_studies", "sv")
    assert any(reply.startswith(studies) for reply in replies)


def test_backend_down_says_so_and_what_to_do_instead(assistant, renderer):
    chat = Conversation(assistant)
    chat.say(ASK_STATUS["fi"])
    assistant.stop_service("backend")
    try:
        assert texts(chat.say("80316975")) == [chat_text("unavailable", "fi", renderer)]
        assert chat.last_actions() == ["status_verification_form", "action_finish_status_check"]
    finally:
        assistant.restart_service("backend")
    start_and_give_details(chat, "80316975", "fi", renderer)
