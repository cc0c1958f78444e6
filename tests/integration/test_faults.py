"""A part stops mid-conversation: the user is told plainly, and the conversation
goes on when the part is back. Runs its own set of processes."""

import asyncio
import socket
import sqlite3
from dataclasses import replace

import pytest

from bot.knowledge.render import default_renderer
from bot.settings import load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model
from tests.integration.helpers import BOOKINGS, ChatPageClient, Conversation, book
from tests.integration.test_sms import Phone

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_assistant(tmp_path_factory):
    databases = tmp_path_factory.mktemp("faults")
    settings = replace(
        load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
        sms_gateway_port=free_port(), backend_port=free_port(), tracker_db=databases / "tracker.db",
        backend_db_url=f"sqlite:///{databases / 'backend.db'}",
    )
    with Supervisor(settings, ensure_model(), log_dir=tmp_path_factory.mktemp("fault-logs")) as supervisor:
        yield supervisor


def test_action_server_down_and_back(own_assistant, renderer):
    chat = Conversation(own_assistant)
    phone = Phone(own_assistant)
    chat.say("Hej!")
    phone.text("Hei!")

    own_assistant.stop_service("actions")
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", own_assistant.settings.actions_port)) != 0
    # Answers that need the action server (a topic's number) get the service notice ...
    assert chat.texts("Vilket nummer ringer jag om medborgarskap?") == renderer.part(
        "service_unavailable", "text", "sv")
    [sms] = phone.text("Mikä on kansalaisuusasioiden puhelinnumero?")
    assert sms.startswith(renderer.part("service_unavailable", "text", "fi")[:40])
    # ... while fixed FAQ answers and small talk need no action server at all.
    assert chat.texts("Vad kostar ett samtal till er?") == renderer.answer("ask_call_cost", "sv")
    assert chat.texts("tack") == "Varsågod! Kan jag hjälpa dig med något annat?"

    own_assistant.restart_service("actions")
    assert "0295 790 604" in chat.texts("Vilket nummer ringer jag om medborgarskap?")
    assert chat.slot("language") == "sv"


def bookings(assistant) -> int:
    with sqlite3.connect(assistant.settings.backend_db_url.removeprefix("sqlite:///")) as db:
        return db.execute("SELECT count(*) FROM booking_bookings").fetchone()[0]


def test_backend_down_at_the_confirmation_and_back(own_assistant, renderer):
    chat = Conversation(own_assistant)
    *answers, confirmation = BOOKINGS["sv"]
    for message in answers:
        chat.texts(message)
    before = bookings(own_assistant)

    own_assistant.stop_service("backend")
    try:
        reply = chat.texts(confirmation)
    finally:
        own_assistant.restart_service("backend")
    # Told plainly that nothing was booked, and nothing was: no booking, no form left open.
    assert default_renderer().part("booking_chat", "unavailable", "sv") in reply
    assert bookings(own_assistant) == before
    assert chat.slot("requested_slot") is None
    assert chat.slot("booking_category") is None
    # The same conversation goes on when the backend is back: one booking, in Swedish.
    book(chat, "sv")
    assert bookings(own_assistant) == before + 1
    assert chat.slot("language") == "sv"
    # FAQ answers never needed the backend.
    assert chat.texts("Vad kostar ett samtal till er?") == renderer.answer("ask_call_cost", "sv")


def test_rasa_down_under_the_chat_page_and_back(own_assistant, renderer):
    """The page's socket.io session lives in the web server: with Rasa away the user is told
    so in the page's language, and the same session goes on once Rasa is back."""

    async def chat_through_an_outage():
        async with ChatPageClient(own_assistant) as chat:
            await chat.send("Hej!", {"language": "sv"})
            greeting = await chat.reply()
            own_assistant.stop_service("rasa")
            await chat.send("Vad kostar ett samtal till er?", {"language": "sv"})
            during = await chat.reply()
            await asyncio.to_thread(own_assistant.restart_service, "rasa")
            await chat.send("Vad kostar ett samtal till er?", {"language": "sv"})
            after = await chat.reply()
            return chat.conversation_id, greeting, during, after

    session, greeting, during, after = asyncio.run(chat_through_an_outage())
    assert "chattbot" in greeting["text"]
    assert during["text"] == renderer.part("service_unavailable", "text", "sv")
    assert after["text"] == renderer.answer("ask_call_cost", "sv")
    assert Conversation(own_assistant, sender=session).slot("language") == "sv"
