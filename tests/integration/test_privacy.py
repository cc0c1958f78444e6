"""Conversations through the real servers: the SQL tracker store holds no personal data in clear."""


import pytest

from bot.sms.gateway import conversation_id
from bot.supervisor import sms_hash_key
from tests.integration.helpers import Conversation, stored_strings
from tests.integration.test_sms import Phone

pytestmark = pytest.mark.integration

PERSONAL_DATA = {
    "fi": ["Henkilötunnukseni on 131052-308T ja asiakasnumeroni 1234 5678",
           "Syntymäaikani on 1.2.1990, sähköposti matti.meikalainen@example.com",
           "Soita minulle numeroon 040 123 4567, PIN-koodi on 4821"],
    "sv": ["Mitt personnummer är 010101A123B och kundnummer 87654321",
           "Jag är född 24.12.1985, e-post anna.svensson@exempel.se"],
    "en": ["My customer number is 2468 1357 and my phone +358 50 765 4321",
           "date of birth 1990-02-01, the code: 112233"],
}
SECRETS = ["131052-308T", "1234 5678", "1.2.1990", "matti.meikalainen@example.com", "040 123 4567", "4821",
           "010101A123B", "87654321", "24.12.1985", "anna.svensson@exempel.se", "2468 1357", "+358 50 765 4321",
           "765 4321", "1990-02-01", "112233"]


def test_no_personal_data_reaches_the_tracker_store(assistant):
    senders = []
    for language, messages in PERSONAL_DATA.items():
        chat = Conversation(assistant)
        senders.append(chat.sender)
        chat.say({"fi": "Hei", "sv": "Hej", "en": "Hello"}[language])
        for message in messages:
            assert chat.say(message) is not None
    phone = Phone(assistant)
    phone.text("Hei, asiakasnumeroni on 1234 5678")
    senders.append(conversation_id(sms_hash_key(), phone.number))
    stored = "\n".join(stored_strings(assistant, senders))
    assert "[CUSTOMER_NUMBER]" in stored and "[ID_CODE]" in stored
    leaked = [secret for secret in SECRETS + [phone.number, phone.number[1:]] if secret in stored]
    assert leaked == []


def test_conversation_continues_from_the_redacted_store(assistant):
    chat = Conversation(assistant)
    chat.say("Hej! När är telefontjänsten öppen?")
    chat.say("mitt kundnummer är 12345678")
    assert chat.slot("language") == "sv"
    user_texts = [e["text"] for e in chat.tracker()["events"] if e["event"] == "user"]
    assert "mitt kundnummer är [CUSTOMER_NUMBER]" in user_texts
