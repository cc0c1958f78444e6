"""Personal data typed into the chat, through the real servers: a name, a street address, a passport
number and an IBAN in each language reach none of the tracker database, the review transcript, the
CSV and JSON exports or the servers' logs; a status answer is stored as a placeholder."""

import json
import sqlite3

import pytest

from bot.cases.messages import chat_text
from bot.privacy.spans import STATUS
from tests.integration.helpers import Conversation, exported_sender, shown_on_page, staff_reading, stored_strings
from tests.integration.test_status import verify_by_code
from tests.personal_data import PRIVACY_LIVE

pytestmark = pytest.mark.integration

TYPED = {
    "fi": "Hei, nimeni on Aino Korhonen, asun Mannerheimintie 12 B 34, 00100 Helsinki. "
          "Passini numero on XP1234567 ja tilinumero FI21 1234 5600 0007 85.",
    "sv": "Hej, jag heter Sven Lindqvist och bor på Storgatan 7 lgh 1102, 652 24 Karlstad. "
          "Mitt pass har nummer PA7654321 och kontot SE45 5000 0000 0583 9825 7466.",
    "en": "Hello, my name is John Smith and I live at 14 Baker Street, Flat 2, London. "
          "My passport number is 123456789 and my IBAN is GB82 WEST 1234 5698 7654 32.",
}
# Each value, and each piece of it that would give it away.
SECRETS = PRIVACY_LIVE
EXPECTED_PLACEHOLDERS = ["[NAME]", "[ADDRESS]", "[PASSPORT]", "[IBAN]"]


def leaks(text: str) -> list[str]:
    return [secret for secrets in SECRETS.values() for secret in secrets if secret.lower() in text.lower()]


@pytest.fixture(scope="module")
def typed(assistant):
    senders = {}
    for language, message in TYPED.items():
        chat = Conversation(assistant)
        chat.say({"fi": "Hei", "sv": "Hej", "en": "Hello"}[language])
        assert chat.say(message) is not None
        senders[language] = chat.sender
    return senders


@pytest.fixture(scope="module")
def staff(assistant, typed):
    return staff_reading(assistant, "privacy-live", typed.values())


def test_the_tracker_database_holds_placeholders_only(assistant, typed):
    for language, sender in typed.items():
        stored = "\n".join(stored_strings(assistant, [sender]))
        assert all(placeholder in stored for placeholder in EXPECTED_PLACEHOLDERS), (language, stored)
        assert leaks(stored) == [], language


def test_the_transcripts_and_exports_hold_placeholders_only(staff, typed):
    exported_json = staff.get("/review/export.json").text
    exported_csv = staff.get("/review/export.csv").text
    assert leaks(exported_json) == [] and leaks(exported_csv) == []
    conversations = {c["sender"]: c for c in json.loads(exported_json)}
    for language, sender in typed.items():
        conversation = conversations[exported_sender(sender)]
        texts = " ".join(message["text"] for message in conversation["messages"])
        assert all(placeholder in texts for placeholder in EXPECTED_PLACEHOLDERS), (language, texts)
        page = staff.get(f"/review/conversations/{conversation['id']}")
        assert page.status_code == 200 and leaks(page.text) == [], language
        shown = shown_on_page(page.text)
        assert all(placeholder in shown for placeholder in EXPECTED_PLACEHOLDERS), language


def test_no_log_holds_what_was_typed(assistant, staff):
    logs = {path.name: path.read_text(errors="replace") for path in assistant.log_dir.glob("*.log")}
    assert {"rasa.log", "actions.log", "web.log"} <= set(logs), sorted(logs)
    assert {name: leaks(text) for name, text in logs.items() if leaks(text)} == {}


def test_a_status_answer_is_stored_as_a_placeholder(assistant, renderer):
    chat = Conversation(assistant)
    replies = verify_by_code(assistant, chat, "31804527", "en", renderer)
    assert replies[0] == chat_text("verified_applicant", "en", renderer) and "being processed" in replies[1]
    with sqlite3.connect(assistant.settings.tracker_db) as database:
        bot_texts = [text for (text,) in database.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE sender_id = ? AND type_name = 'bot' ORDER BY id",
            (chat.sender,))]
    assert bot_texts[-len(replies):] == [STATUS] * len(replies)
    assert not any("being processed" in (text or "") for text in bot_texts)
