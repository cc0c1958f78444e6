"""Redaction of personal data, in Finnish, Swedish and English phrasings."""

import pytest
from rasa.shared.core.events import SlotSet, UserUttered

from bot.privacy.redaction import Redactor, default_redactor, hetu_is_valid
from bot.privacy.tracker_store import REDACTED, redact_event


@pytest.fixture(scope="module")
def redactor():
    return default_redactor()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("henkilötunnukseni on 131052-308T", "henkilötunnukseni on [ID_CODE]"),
        ("hetu 020190-123A:n mukaan", "hetu [ID_CODE]:n mukaan"),
        ("mitt personnummer är 010101A123B", "mitt personnummer är [ID_CODE]"),
        ("my identity code is 131052 - 308T", "my identity code is [ID_CODE]"),
        ("asiakasnumeroni on 1234 5678", "asiakasnumeroni on [CUSTOMER_NUMBER]"),
        ("mitt kundnummer är 12345678", "mitt kundnummer är [CUSTOMER_NUMBER]"),
        ("my customer number: 8765 4321.", "my customer number: [CUSTOMER_NUMBER]."),
        ("syntymäaikani on 1.2.1990", "syntymäaikani on [DATE]"),
        ("född 24.12.1985", "född [DATE]"),
        ("date of birth 1990-02-01", "date of birth [DATE]"),
        ("sähköpostini on matti.meikalainen@example.com", "sähköpostini on [EMAIL]"),
        ("min e-post: anna+migri@exempel.se", "min e-post: [EMAIL]"),
        ("soita minulle 040 123 4567", "soita minulle [PHONE]"),
        ("ring mig på +358 40 123 4567", "ring mig på [PHONE]"),
        ("call me 0401234567", "call me [PHONE]"),
        ("PIN-koodi on 4821", "PIN-koodi on [CODE]"),
        ("min kod är 482190", "min kod är [CODE]"),
        ("the code: 1234", "the code: [CODE]"),
        ("vahvistuskoodi 987654", "vahvistuskoodi [CODE]"),
    ],
)
def test_personal_data_is_redacted(redactor, text, expected):
    assert redactor.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Soita numeroon 0295 790 600 tai +358 295 790 600",
        "Viesti tuli numerosta 18135",
        "Lähetä sähköpostia osoitteeseen migri@migri.fi",
        "I have 3 months left and 2 children",
        "Aikoja on noin 3 kuukautta eteenpäin, vuonna 2026",
        "ajanvaraus 15.12. klo 9.30",
    ],
)
def test_public_agency_contacts_and_ordinary_numbers_are_kept(redactor, text):
    assert redactor.redact(text) == text


def test_identity_code_checksum():
    assert hetu_is_valid("131052-308T")
    assert hetu_is_valid("131052A308T")
    assert not hetu_is_valid("131052-308A")
    assert not hetu_is_valid("321352-308T")


def test_extra_patterns_extend_redaction():
    redactor = Redactor(extra_patterns={"RESERVATION_KEY": r"\bRK-[A-Z0-9]{8}\b"})
    assert redactor.redact("varaustunnus RK-AB12CD34") == "varaustunnus [RESERVATION_KEY]"


def test_events_are_redacted_everywhere(redactor):
    user = UserUttered(
        "asiakasnumeroni on 1234 5678",
        intent={"name": "ask_application_status", "confidence": 0.9},
        parse_data={"text": "asiakasnumeroni on 1234 5678", "entities": [{"entity": "x", "value": "1234 5678"}]},
        metadata={"contact": "matti@example.com"},
    )
    redacted = redact_event(user, redactor, set()).as_dict()
    assert "1234 5678" not in str(redacted) and "matti@example.com" not in str(redacted)
    assert redacted["text"] == "asiakasnumeroni on [CUSTOMER_NUMBER]"
    assert redacted["parse_data"]["intent"]["name"] == "ask_application_status"


def test_sensitive_slots_are_replaced_whole(redactor):
    event = redact_event(SlotSet("pin", "4821"), redactor, {"pin"})
    assert event.value == REDACTED
    assert redact_event(SlotSet("language", "fi"), redactor, {"pin"}).value == "fi"
