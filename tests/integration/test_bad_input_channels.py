"""Bad input to the running Rasa channels beyond tests/integration/test_bad_input.py: wrong
content types, binary and deeply nested bodies to REST; odd texts, bad forms and invalid UTF-8
to the SMS webhook (correctly signed, so they reach the channel); odd socket.io events. A clear
reply or a 4xx with a message, never a 5xx, and the bot keeps answering afterwards."""

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sms.gateway import SIGNATURE_HEADER, signature
from tests.integration.helpers import REST_AUTHORIZATION, ChatPageClient
from tests.integration.test_bad_input import post
from tests.integration.test_sms import new_number

pytestmark = pytest.mark.integration

ODD_TEXTS = [
    "", "   ", "\x00\x07hei\x1b", "👍👍👍", "مرحبا كيف حالك", "\u202eolleh", "שלום, מה שלומך?",
    "<script>alert(1)</script>", "<b>Hei</b>", "'; DROP TABLE events; --", "1 OR 1=1", "\ud800",
    "\u200b\u200b", "ääääöööå", "/restart", "/nlu_fallback{\"x\": 1}",
]


def rest_url(assistant):
    return f"http://{assistant.settings.host}:{assistant.settings.rasa_port}/webhooks/rest/webhook"


def raw_request(url, data, content_type, method="POST", headers=None):
    """A request as given; to the REST channel with the test integrator's token unless `headers` say."""
    if headers is None and "/webhooks/rest/" in url:
        headers = REST_AUTHORIZATION
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(("content_type", "data"), [
    ("text/plain", b"hello"),
    ("application/x-www-form-urlencoded", b"sender=a&message=hei"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhei\r\n--x--"),
    ("application/json", bytes(range(256))),
    ("application/json", b"[" * 5000 + b"]" * 5000),
    ("application/octet-stream", b"\x00\x01\x02"),
])
def test_rest_wrong_content_and_shapes_get_a_4xx(assistant, content_type, data):
    status, body = raw_request(rest_url(assistant), data, content_type)
    assert 400 <= status < 500, (content_type, data[:40], status, body[:200])
    assert json.loads(body)["error"]


def test_rest_valid_json_under_another_content_type_is_answered(assistant):
    # Like stock Rasa, the channel reads the body whatever the content type says.
    status, body = raw_request(rest_url(assistant), json.dumps({"sender": "ct", "message": "hello"}).encode(),
                               "text/plain")
    assert status == 200 and json.loads(body)[0]["text"]


def test_rest_other_methods_are_refused_cleanly(assistant):
    for method in ("GET", "PUT", "DELETE"):
        status, _ = raw_request(rest_url(assistant), None, "application/json", method=method)
        assert status in (200, 405), (method, status)  # GET / is the channel's health check


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300))
def test_rest_any_text_gets_a_reply(assistant, text):
    status, replies = post(assistant, json.dumps({"sender": "prop-" + uuid.uuid4().hex[:8], "message": text}).encode())
    assert status == 200 and replies and all(reply.get("text") for reply in replies), (text, replies)


def sms_post(assistant, params=None, raw=None, content_type="application/x-www-form-urlencoded", signed=True):
    url = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}/webhooks/sms/webhook"
    data = raw if raw is not None else urllib.parse.urlencode(params, errors="surrogatepass").encode()
    headers = {SIGNATURE_HEADER: signature(assistant.sms_auth_token, url, params) if signed and params else "x"}
    return raw_request(url, data, content_type, headers=headers)


@pytest.mark.parametrize("text", [text for text in ODD_TEXTS if text != "\ud800"] + ["a" * 20_000])
def test_sms_odd_texts_get_an_answer(assistant, text):
    # (A lone surrogate cannot arrive as UTF-8: that is the invalid-UTF-8 case below.)
    params = {"From": new_number(), "To": "18135", "Body": text, "MessageSid": "SM" + uuid.uuid4().hex}
    status, body = sms_post(assistant, params)
    assert status == 200, (text[:30], status, body[:200])


@pytest.mark.parametrize(("raw", "content_type"), [
    (b"From=%2B358401234567&Body=%ff%fe", "application/x-www-form-urlencoded"),
    (bytes(range(256)), "application/x-www-form-urlencoded"),
    (b"", "application/x-www-form-urlencoded"),
    (b"From=x&Body=hei", "text/plain"),
    (b'{"From": "x", "Body": "hei"}', "application/json"),
    (b"--x--", "multipart/form-data; boundary=x"),
])
def test_sms_malformed_requests_get_a_4xx(assistant, raw, content_type):
    status, body = sms_post(assistant, raw=raw, content_type=content_type)
    assert 400 <= status < 500, (raw[:30], status, body[:200])
    assert json.loads(body)["error"]


async def socketio_session(assistant, make_events):
    """Emits each (event, data) of make_events(session id); returns (message, reply text or None) for each
    text message, and the reply to a normal message sent last."""
    async with ChatPageClient(assistant, session_request="not an object") as chat:
        answered = []
        for event, data in make_events(chat.session_id):
            await chat.client.emit(event, data)
            if event == "user_uttered" and isinstance(data, dict) and isinstance(data.get("message"), str):
                try:
                    answered.append((data["message"][:30], (await chat.reply(30)).get("text")))
                except TimeoutError:
                    answered.append((data["message"][:30], None))
        await chat.send("hello", {"language": "en"})
        return answered, await chat.reply(60)


def test_socketio_odd_events_and_texts(assistant):
    answered, last = asyncio.run(socketio_session(assistant, odd_socketio_events))
    texts = [data for event, data in odd_socketio_events("x")
             if isinstance(data, dict) and isinstance(data.get("message"), str)]
    unanswered = [text for text, reply in answered if not reply]
    assert len(answered) == len(texts) and not unanswered, ("no reply with a text to", unanswered)
    assert "chatbot" in last["text"]


def odd_socketio_events(session: str) -> list:
    ignored = [("user_uttered", None), ("user_uttered", 42), ("user_uttered", "text"), ("user_uttered", [1, 2]),
               ("user_uttered", {"message": 42}), ("user_uttered", {"message": None}), ("no_such_event", {"a": 1}),
               ("user_uttered", {"message": "hei", "session_id": 42}), ("user_uttered", {"message": "hei"})]
    odd = [("user_uttered", {"message": text, "session_id": session, "metadata": {"language": "fi"}})
           for text in [*ODD_TEXTS, "a" * 20_000]]
    odd.append(("user_uttered", {"message": "hei", "session_id": session, "metadata": "not an object"}))
    return ignored + odd
