"""A part stops mid-conversation: the user is told plainly, and the conversation
goes on when the part is back. Runs its own set of processes."""

import socket
from dataclasses import replace

import pytest

from bot.settings import load_settings
from bot.supervisor import Supervisor
from bot.training import ensure_model
from tests.integration.conftest import free_port
from tests.integration.helpers import Conversation
from tests.integration.test_sms import Phone

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_assistant(tmp_path_factory):
    settings = replace(
        load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
        sms_gateway_port=free_port(), tracker_db=tmp_path_factory.mktemp("faults") / "tracker.db",
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
    assert sms.startswith("Pahoittelut, en pysty juuri nyt vastaamaan")
    # ... while fixed FAQ answers and small talk need no action server at all.
    assert chat.texts("Vad kostar ett samtal till er?") == renderer.answer("ask_call_cost", "sv")
    assert chat.texts("tack") == "Varsågod! Kan jag hjälpa dig med något annat?"

    own_assistant.restart_service("actions")
    assert "0295 790 604" in chat.texts("Vilket nummer ringer jag om medborgarskap?")
    assert chat.slot("language") == "sv"
