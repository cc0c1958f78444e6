"""The web server's chat relay: reply shapes, order within a session, and Rasa being away."""

import asyncio
from types import SimpleNamespace

import pytest

from bot.knowledge.render import default_renderer
from bot.settings import load_settings
from bot.supervisor import free_port
from bot.web.chat_relay import ChatRelay, socketio_messages


def test_replies_take_the_shape_of_rasas_socketio_channel():
    collected = [
        {"recipient_id": "s", "text": "First part.\n\nSecond part.",
         "buttons": [{"title": "Kyllä", "payload": "/affirm"}]},
        {"recipient_id": "s", "image": "https://example.org/map.png"},
        {"recipient_id": "s", "custom": {"text": "custom"}},
        "not a reply",
    ]
    assert socketio_messages(collected) == [
        {"text": "First part."},
        {"text": "Second part.", "quick_replies": [{"content_type": "text", "title": "Kyllä", "payload": "/affirm"}]},
        {"attachment": {"type": "image", "payload": {"src": "https://example.org/map.png"}}},
        {"text": "custom"},
    ]


class RecordingRelay(ChatRelay):
    """The relay with Rasa replaced by a slow echo, recording what reaches the page."""

    def __init__(self, delays):
        super().__init__(load_settings(), None, "token")
        self.delays = delays
        self.emitted = []

        async def emit(event, data, room):
            self.emitted.append((room, data["text"]))

        self.sio.emit = emit

    async def ask_rasa(self, sender_id, text, metadata):
        await asyncio.sleep(self.delays[text])
        return [{"text": f"re: {text}"}]


def test_one_sessions_messages_reach_rasa_in_the_order_they_came():
    relay = RecordingRelay({"first": 0.05, "second": 0.0, "other": 0.0})

    async def scenario():
        await asyncio.gather(relay.relay("session-a", "first", {}), relay.relay("session-a", "second", {}),
                             relay.relay("session-b", "other", {}))

    asyncio.run(scenario())
    session_a = [text for room, text in relay.emitted if room == "session-a"]
    assert session_a == ["re: first", "re: second"]
    assert relay.emitted[0] == ("session-b", "re: other")  # another session does not wait
    assert relay.sessions_busy == {}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_unreachable_rasa_gets_the_service_notice_in_the_page_language(monkeypatch, language):
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    relay = ChatRelay(load_settings(), None, "token")

    async def ask():
        try:
            return await relay.ask_rasa("session", "hei", {"language": language})
        finally:
            await relay._close(None)

    replies = asyncio.run(ask())
    assert replies == [{"text": default_renderer().part("service_unavailable", "text", language)}]


def test_a_long_polling_body_arriving_in_pieces_is_read_whole():
    from bot.runtime.engineio_body import WholeBody

    async def scenario():
        stream = asyncio.StreamReader()
        body = b'42["user_uttered",{"message":"' + b"a" * 100_000 + b'"}]'
        stream.feed_data(body[:65_536])  # what had arrived when engine.io read it

        async def rest_later():
            await asyncio.sleep(0.05)
            stream.feed_data(body[65_536:])

        later = asyncio.ensure_future(rest_later())
        assert await WholeBody(stream).read(len(body)) == body
        await later
        cut = asyncio.StreamReader()
        cut.feed_data(b"42[")
        cut.feed_eof()
        assert await WholeBody(cut).read(10) == b"42["  # the client gave up: what came

    asyncio.run(scenario())


def test_the_relays_engineio_server_reads_bodies_whole():
    from bot.runtime.engineio_body import WholeBody

    relay = ChatRelay(load_settings(), None, "token")
    request = SimpleNamespace(_message=SimpleNamespace(path="/socket.io/?EIO=4", method="POST", headers={},
                                                       version=(1, 1)),
                              _payload=object(), transport=None)
    environ = relay.sio.eio._async["translate_request"](request)
    assert isinstance(environ["wsgi.input"], WholeBody) and environ["wsgi.input"].stream is request._payload
