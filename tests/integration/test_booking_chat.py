"""Booking, looking up and cancelling an appointment in the chat, in Finnish, Swedish and English.

Runs against the real Rasa server, action server and booking backend; checks
the replies, the actions run, the backend's outbox, and that the tracker
store never holds the name, contact, key or PIN in clear.
"""

import sqlite3

import pytest

from bot.knowledge.render import default_renderer
from tests.integration.helpers import (
    BOOKED,
    BOOKINGS,
    KEY_AND_PIN,
    Conversation,
    assert_refused_with_a_wrong_pin,
    book,
    open_booking,
    stored_text,
)

CANCELLED = {"fi": "Aika on peruttu", "sv": "Tiden är avbokad", "en": "The appointment is cancelled"}
CANCEL_REQUEST = {"fi": "haluan perua varaukseni", "sv": "jag vill avboka min tid",
                  "en": "I want to cancel my appointment"}
LOOKUP_REQUEST = {"fi": "haluan tarkistaa varaukseni tiedot", "sv": "jag vill kontrollera min bokning",
                  "en": "I want to check my booking"}
YES = {"fi": "kyllä", "sv": "ja", "en": "yes"}
STOP = {"fi": "lopeta", "sv": "avbryt", "en": "stop"}


def part_way(assistant, language: str, steps: int) -> Conversation:
    """A new conversation that has given the first `steps` answers of the booking."""
    conversation = Conversation(assistant)
    for message in BOOKINGS[language][:steps]:
        conversation.texts(message)
    return conversation


def outbox(assistant) -> list[tuple]:
    path = assistant.settings.backend_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT channel, language, kind, body FROM outbox").fetchall()


@pytest.mark.integration
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_book_look_up_and_cancel(assistant, language):
    conversation = Conversation(assistant)
    conversation.texts("moi" if language == "fi" else "hej" if language == "sv" else "hello")
    key, pin, _ = book(conversation, language)
    assert "action_finish_booking" in conversation.last_actions()

    lookup = Conversation(assistant)
    details = open_booking(lookup, LOOKUP_REQUEST[language], key.lower().replace("-", " "), pin)
    assert pin not in details and key not in details

    canceller = Conversation(assistant)
    open_booking(canceller, CANCEL_REQUEST[language], key, pin)
    assert CANCELLED[language] in canceller.texts(YES[language])

    kinds = [(row[2], row[1]) for row in outbox(assistant)]
    assert ("booking_confirmation", language) in kinds or any(k[1] == language for k in kinds)
    for sender in (conversation.sender, lookup.sender, canceller.sender):
        stored = stored_text(assistant, sender)
        for secret in (pin, key, BOOKINGS[language][6], BOOKINGS[language][7]):
            assert secret not in stored


@pytest.mark.integration
def test_wrong_pin_is_refused_without_revealing_the_booking(assistant):
    conversation = Conversation(assistant)
    key, pin, _ = book(conversation, "en")
    assert_refused_with_a_wrong_pin(assistant, LOOKUP_REQUEST["en"], key, pin, "Espoo")


@pytest.mark.integration
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_stopping_in_the_middle_books_nothing(assistant, language):
    conversation = part_way(assistant, language, 4)
    before = len(outbox(assistant))
    reply = conversation.texts(STOP[language])
    assert conversation.slot("requested_slot") is None
    assert "action_finish_booking" in conversation.last_actions()
    assert reply
    assert len(outbox(assistant)) == before


# An answer inside the form that is not the one asked for: (answers given before it, the message, the
# text the reply must contain, the slot asked next).
DETOURS = {
    "seven people are told the family limit": (
        3, "7", default_renderer().part("booking_chat", "persons_too_many", "en"), "booking_persons"),
    "an FAQ question is answered and the form goes on": (
        2, "how much does a call to your phone service cost?", default_renderer().answer("ask_call_cost", "en"),
        "booking_service_point"),
}


@pytest.mark.integration
@pytest.mark.parametrize(("steps", "message", "expected", "asked_next"), DETOURS.values(), ids=list(DETOURS))
def test_the_form_answers_a_detour_and_asks_on(assistant, steps, message, expected, asked_next):
    conversation = part_way(assistant, "en", steps)
    assert expected in conversation.texts(message)
    assert conversation.slot("requested_slot") == asked_next


@pytest.mark.integration
def test_backend_down_mid_booking_is_said_plainly_and_leaves_nothing_half_done(assistant):
    conversation = part_way(assistant, "fi", 4)
    assistant.stop_service("backend")
    try:
        reply = conversation.texts("huomenna")
    finally:
        assistant.restart_service("backend")
    assert default_renderer().part("booking_chat", "unavailable", "fi") in reply
    assert conversation.slot("requested_slot") is None
    assert conversation.slot("booking_category") is None
    # The conversation goes on when the backend is back.
    key, _, _ = book(Conversation(assistant), "fi")
    assert key


@pytest.mark.integration
def test_booking_by_text_message_with_numbered_choices(assistant):
    from tests.integration.test_sms import Phone

    phone = Phone(assistant)
    replies = " ".join(phone.text("haluan varata ajan"))
    assert "1" in replies and "Oleskelulupa" in replies
    for answer in ("1", "Tampere", "1", "huomenna", "1", "Aino Virtanen", phone.number):
        replies = " ".join(phone.text(answer))
    assert "Varaanko ajan?" in replies
    replies = " ".join(phone.text("1"))  # the first numbered choice: "Kyllä"
    assert BOOKED["fi"] in replies and KEY_AND_PIN.search(replies)


@pytest.mark.integration
def test_switching_language_inside_the_form_asks_again_in_the_new_language(assistant):
    conversation = Conversation(assistant)
    conversation.texts(BOOKINGS["fi"][0])
    reply = conversation.texts("can you speak English please")
    assert conversation.slot("language") == "en"
    assert "What is the appointment for?" in reply and "did not recognise" not in reply
    assert conversation.slot("requested_slot") == "booking_category"


RESENT = {language: default_renderer().part("booking_chat", "resend_sent", language)
          for language in ("fi", "sv", "en")}
LOST = {"fi": "hukkasin varaustunnuksen", "sv": "jag har tappat bort koden till min bokning",
        "en": "I lost my reservation key"}


@pytest.mark.integration
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_lost_key_is_sent_again_only_to_the_contact_on_record(assistant, language):
    booker = Conversation(assistant)
    book(booker, language)
    contact = BOOKINGS[language][7]
    before = [row for row in outbox(assistant) if row[2] == "booking_keys_resend"]
    conversation = Conversation(assistant)
    conversation.texts(LOST[language])
    reply = conversation.texts(contact)
    assert RESENT[language] in reply
    assert "action_finish_booking_resend" in conversation.last_actions()
    after = [row for row in outbox(assistant) if row[2] == "booking_keys_resend"]
    assert len(after) == len(before) + 1
    # Unknown details get the same answer, and nothing is sent.
    stranger = Conversation(assistant)
    stranger.texts(LOST[language])
    assert RESENT[language] in stranger.texts("nobody@example.org")
    assert len([row for row in outbox(assistant) if row[2] == "booking_keys_resend"]) == len(after)
    assert contact not in stored_text(assistant, conversation.sender)
