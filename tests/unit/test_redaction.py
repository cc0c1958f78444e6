"""Redaction of personal data, in Finnish, Swedish and English phrasings."""

import asyncio
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.redaction import Redactor, default_redactor, hetu_is_valid, value_pattern
from bot.privacy.tracker_store import REDACTED, RedactingSQLTrackerStore, redact_event


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
        ("syntymäaikani on 1.2.1990", "syntymäaikani on [DATE_OF_BIRTH]"),
        ("född 24.12.1985", "född [DATE_OF_BIRTH]"),
        ("date of birth 1990-02-01", "date of birth [DATE_OF_BIRTH]"),
        ("sähköpostini on matti.meikalainen@example.com", "sähköpostini on [EMAIL]"),
        ("min e-post: anna+migri@exempel.se", "min e-post: [EMAIL]"),
        ("soita minulle 040 123 4567", "soita minulle [PHONE]"),
        ("ring mig på +358 40 123 4567", "ring mig på [PHONE]"),
        ("call me 0401234567", "call me [PHONE]"),
        ("PIN-koodi on 4821", "PIN-koodi on [PIN]"),
        ("min kod är 482190", "min kod är [PIN]"),
        ("the code: 1234", "the code: [PIN]"),
        ("vahvistuskoodi 987654", "vahvistuskoodi [PIN]"),
        # Identity codes without context, and the century signs of the 2023 reform.
        ("020190-123A", "[ID_CODE]"),
        ("010199Y123B kiitos", "[ID_CODE] kiitos"),
        # Customer numbers: inflected and spaced forms.
        ("asiakasnumerollani 12345678 ei löydy mitään", "asiakasnumerollani [CUSTOMER_NUMBER] ei löydy mitään"),
        ("asiakasnumero: 0401-2345", "asiakasnumero: [CUSTOMER_NUMBER]"),
        ("kundnumret är 1234-5678", "kundnumret är [CUSTOMER_NUMBER]"),
        ("customer no. 1234 5678", "customer no. [CUSTOMER_NUMBER]"),
        # PINs and one-time codes (six digits), named in each language or typed alone.
        ("PIN-koodini on 123456", "PIN-koodini on [PIN]"),
        ("koodi: 123 456", "koodi: [PIN]"),
        ("kertakäyttökoodini oli 654 321", "kertakäyttökoodini oli [PIN]"),
        ("tekstiviestillä tullut koodi on 112233", "tekstiviestillä tullut koodi on [PIN]"),
        ("min pinkod är 123456", "min pinkod är [PIN]"),
        ("engångskoden är 654 321", "engångskoden är [PIN]"),
        ("my PIN is 482190", "my PIN is [PIN]"),
        ("My PIN code is 123 456", "My PIN code is [PIN]"),
        ("the one-time code was 908172", "the one-time code was [PIN]"),
        ("482190", "[PIN]"),
        ("se on 482190.", "se on [PIN]."),
        # Reservation keys: 12 Crockford base32 characters, any case, hyphens or spaces optional.
        ("varaustunnukseni on ABCD-EFGH-2JKM", "varaustunnukseni on [KEY]"),
        ("varaustunnus: abcd efgh jkmn", "varaustunnus: [KEY]"),
        ("mitt bokningsnummer är 7K3M 9PQR T2VW", "mitt bokningsnummer är [KEY]"),
        ("my reservation key is 7k3m9pqrt2vw", "my reservation key is [KEY]"),
        ("AB12-CD34-EF56 on varaukseni", "[KEY] on varaukseni"),
        ("peru varaus 7K3M9PQRT2VW", "peru varaus [KEY]"),
        # Dates of birth in words or with a two-digit year, after a keyword.
        ("syntynyt 1.2.90", "syntynyt [DATE_OF_BIRTH]"),
        ("syntymäaikani on 1. helmikuuta 1990", "syntymäaikani on [DATE_OF_BIRTH]"),
        ("jag är född 1 februari 1990", "jag är född [DATE_OF_BIRTH]"),
        ("born on February 1, 1990", "born on [DATE_OF_BIRTH]"),
        ("My date of birth is 1 February 1990", "My date of birth is [DATE_OF_BIRTH]"),
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
        "tuloraja on 100 000 euroa",
        "palvelu on auki klo 9.00-16.00",
        "that they were there",
        "extravagance",
        "hakemus jätettiin 2023 ja käsittely kestää 12 kk",
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
    assert redactor.redact("varaustunnus RK-AB12CD34") == "varaustunnus [KEY]"


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


def test_a_sensitive_slot_value_is_found_however_it_was_typed(redactor):
    values = value_pattern(["12345678", "Matti Meikäläinen"])
    user = UserUttered("numero 1234-5678, nimi matti meikäläinen", parse_data={"text": "nimi Matti Meikäläinen"})
    redacted = redact_event(user, redactor, {"customer_number"}, values).as_dict()
    assert redacted["text"] == "numero [REDACTED], nimi [REDACTED]"
    assert redacted["parse_data"]["text"] == "nimi [REDACTED]"
    assert value_pattern(["", "ab"]) is None


def test_tracker_store_hides_slot_values_in_the_same_turn(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("s1", [
        ActionExecuted("action_listen"), UserUttered("nimeni on Matti Meikäläinen"),
        SlotSet("name", "Matti Meikäläinen"), ActionExecuted("action_listen"), UserUttered("48 21"),
        SlotSet("pin", "4821"), SlotSet("language", "fi"),
    ])
    asyncio.run(store.save(tracker))
    with sqlite3.connect(tmp_path / "t.db") as database:
        stored = " ".join(data for (data,) in database.execute("SELECT data FROM events"))
    assert "Meikäläinen" not in stored and "48 21" not in stored and "4821" not in stored
    assert "nimeni on [REDACTED]" in stored and '"value": "fi"' in stored


def test_extra_patterns_may_keep_their_keyword():
    redactor = Redactor(extra_patterns={"PASSPORT": r"(?i)(?P<lead>\bpassi(?:numero)?\w*\s+)[A-Z]{2}\d{7}\b"})
    assert redactor.redact("passinumeroni XP1234567 kiitos") == "passinumeroni [PASSPORT] kiitos"


def test_repeated_strings_are_redacted_alike_and_the_memory_stays_bounded(monkeypatch):
    import bot.privacy.redaction as redaction

    monkeypatch.setattr(redaction, "MEMO_SIZE", 3)
    redactor = redaction.Redactor()
    text = "soita numeroon 040 1234567"
    assert redactor.redact(text) == redactor.redact(text) == "soita numeroon [PHONE]"
    for number in range(10):
        assert redactor.redact(f"koodi {number}23456") == "koodi [PIN]"
    assert len(redactor._recent) <= 3


def test_a_gateway_message_id_is_stored_as_sent_and_anything_else_in_its_place_is_redacted():
    sid = "SM" + "123456789" + "a" * 23  # nine digits in a row: redacted as [NUMBER] anywhere else
    kept = redact_event(UserUttered("hei", metadata={"message_sid": sid}), Redactor(), frozenset())
    assert kept.metadata["message_sid"] == sid
    other = redact_event(UserUttered("hei", metadata={"message_sid": "call 040 1234567"}), Redactor(), frozenset())
    assert other.metadata["message_sid"] == "call [PHONE]"
