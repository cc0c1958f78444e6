"""Trust boundaries in isolation: chat session secrets, REST integrator tokens, conversation id
namespaces, persisted secrets. The attacks against the running processes are in tests/security/."""

import asyncio
import os
import stat
import threading

import pytest

from bot.conversation_ids import channel_of, display_id, namespaced
from bot.settings import EmptySecret, is_loopback, load_settings, persisted_secret, rest_channel_tokens
from bot.web.chat_relay import ChatRelay
from bot.web.sessions import ChatSessions
from channels.rest import integrator


def test_a_session_secret_is_good_only_from_the_server_that_issued_it():
    sessions = ChatSessions("key-one")
    secret = sessions.issue()
    routing_id = sessions.routing_id(secret)
    assert routing_id and routing_id not in secret
    assert sessions.routing_id(secret) == routing_id  # stable: a reload continues the conversation
    nonce = secret.split(".")[0]
    for forged in (nonce, nonce + ".", nonce + "." + "0" * 32, routing_id, "web:" + routing_id, 42, None,
                   "x" * 10_000):
        assert sessions.routing_id(forged) is None
    assert ChatSessions("key-two").routing_id(secret) is None


class Room:
    """The relay with socket.io's room calls recorded."""

    def __init__(self) -> None:
        self.relay = ChatRelay(load_settings(), None, "token", ChatSessions("key"))
        self.confirmed: list[str] = []
        self.rooms: dict[str, str] = {}

        async def emit(event, data, room):
            if event == "session_confirm":
                self.confirmed.append(data)

        self.relay.sio.emit = emit
        self.relay.sio.enter_room = lambda sid, room: self.rooms.__setitem__(sid, room)
        self.relay.sio.leave_room = lambda sid, room: None


def test_a_socket_joins_only_a_conversation_whose_secret_it_shows():
    page = Room()
    victim = asyncio.run(page.relay._join("victim-socket", None))
    secret = page.confirmed[-1]
    assert asyncio.run(page.relay._join("reload", secret)) == victim  # the holder of the secret continues
    for known in (victim, "web:" + victim, "anything"):
        joined = asyncio.run(page.relay._join("attacker", known))
        assert joined != victim and page.rooms["attacker"] != victim
        assert page.confirmed[-1] != secret


def test_rest_tokens_name_their_integrator(monkeypatch):
    monkeypatch.setenv("REST_CHANNEL_TOKENS", "crm=" + "a" * 32 + ", portal=" + "b" * 24)
    tokens = rest_channel_tokens()
    assert integrator(tokens, "Bearer " + "a" * 32) == "crm"
    assert integrator(tokens, "Bearer " + "b" * 24) == "portal"
    for wrong in ("", "Bearer ", "Bearer " + "a" * 31, "a" * 32, "Basic " + "a" * 32):
        assert integrator(tokens, wrong) is None
    monkeypatch.setenv("REST_CHANNEL_TOKENS", "")
    assert rest_channel_tokens() == {}
    for bad in ("crm=short", "Bad Name=" + "a" * 32, "=" + "a" * 32, "crm"):
        monkeypatch.setenv("REST_CHANNEL_TOKENS", bad)
        with pytest.raises(ValueError, match="REST_CHANNEL_TOKENS"):
            rest_channel_tokens()


def test_each_channel_has_its_own_namespace():
    assert namespaced(namespaced("rest", "crm"), "42") == "rest:crm:42"
    assert [channel_of(i) for i in ("web:ab", "sms:cd", "rest:crm:1", "ab", "socketio:x")] == \
        ["web", "sms", "rest", "other", "other"]
    shown = display_id("web:abc", "key")
    assert shown.startswith("web-") and "abc" not in shown and shown != display_id("web:abd", "key")


def test_secrets_are_made_once_whole_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.delenv("TEST_SECRET", raising=False)
    made: list[str] = []
    threads = [threading.Thread(target=lambda: made.append(persisted_secret("one", "TEST_SECRET")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 1 and len(made[0]) == 64  # every racer got the same, whole secret
    assert stat.S_IMODE(os.stat(tmp_path / "secrets").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "secrets" / "one").st_mode) == 0o600
    assert os.listdir(tmp_path / "secrets") == ["one"]  # no drafts left behind
    (tmp_path / "secrets" / "empty").write_text("\n")
    with pytest.raises(EmptySecret):
        persisted_secret("empty", "TEST_SECRET")
    monkeypatch.setenv("TEST_SECRET", "from-the-environment")
    assert persisted_secret("empty", "TEST_SECRET") == "from-the-environment"


def test_loopback_addresses():
    assert all(map(is_loopback, ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "10.0.0.5", "::", "example.org", "")))


def test_only_a_real_sealed_token_escapes_redaction():
    from rasa.shared.core.events import SlotSet, UserUttered

    from bot.privacy.redaction import default_redactor
    from bot.privacy.sealing import Sealer, is_sealed
    from bot.privacy.tracker_store import REDACTED, redact_event

    sealed = Sealer("key").seal("12345678")
    assert is_sealed(sealed)
    for fake in ("sealed:12345678", "sealed: soita 040 123 4567", "sealed:gAAAAA", sealed[:-4], sealed + "x",
                 "sealed:" + "A" * 100, sealed.replace("sealed:", "sealed: ")):
        assert not is_sealed(fake), fake
    redactor = default_redactor()
    typed = redact_event(UserUttered("sealed: soita 040 123 4567"), redactor, ["customer_number"])
    assert "040 123 4567" not in typed.text
    slot = redact_event(SlotSet("customer_number", "sealed:12345678"), redactor, ["customer_number"])
    assert slot.value == REDACTED
    assert redact_event(SlotSet("customer_number", sealed), redactor, ["customer_number"]).value == sealed


def test_rasas_structured_log_keeps_no_typed_text(capsys):
    import structlog

    from bot.log_privacy import install_structlog_filter

    structlog.configure(processors=[structlog.processors.KeyValueRenderer()],
                        logger_factory=structlog.PrintLoggerFactory())
    install_structlog_filter()
    install_structlog_filter()   # once is enough: a second call changes nothing
    structlog.get_logger().warning("message.parsing.failed", user_text='/{"pin": "040 123 4567"}', step=1)
    printed = capsys.readouterr().out
    assert "040 123 4567" not in printed and "[hidden]" in printed and "step=1" in printed
    structlog.reset_defaults()


def test_the_access_log_has_no_query_strings_and_no_addresses():
    import logging

    from aiohttp.test_utils import make_mocked_request

    from bot.log_privacy import PathOnlyAccessLogger

    records = []
    logger = logging.getLogger("test-access")
    logger.addHandler(type("H", (logging.Handler,), {"emit": lambda self, record: records.append(record)})())
    logger.setLevel(logging.INFO)
    request = make_mocked_request("GET", "/review/conversations?q=Maria+Virtanen")
    PathOnlyAccessLogger(logger, "").log(request, type("R", (), {"status": 200})(), 0.01)
    line = records[0].getMessage()
    assert "/review/conversations" in line and "Maria" not in line and "?" not in line
