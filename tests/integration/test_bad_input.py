"""Bad input to the running REST channel and web server: a clear reply or a 4xx, never a 5xx."""

import json
import urllib.error
import urllib.request

import pytest

from tests.integration.helpers import REST_AUTHORIZATION

pytestmark = pytest.mark.integration

BAD_BODIES = {
    "empty body": b"",
    "invalid json": b"{not json",
    "json array": b"[1, 2]",
    "no message": b'{"sender": "a"}',
    "message null": b'{"sender": "a", "message": null}',
    "message number": b'{"sender": "a", "message": 42}',
    "invalid utf-8": b'{"sender": "a", "message": "\xff\xfe"}',
    "100 KB (over the body limit)": json.dumps({"sender": "a", "message": "a" * 100_000}).encode(),
    "metadata not an object": b'{"sender": "a", "message": "hi", "metadata": [1]}',
}
ODD_MESSAGES = [
    "", "   ", "\x00\x07hei\x1b", "👍👍👍", "مرحبا كيف حالك", "<script>alert(1)</script>",
    "'; DROP TABLE events; --", "a" * 3999, "?!", "ääääöööå", "a" * 4001, "ä" * 9000,
]


def post(assistant, data, content_type="application/json"):
    url = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}/webhooks/rest/webhook"
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type, **REST_AUTHORIZATION})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_malformed_requests_get_a_4xx_with_a_message(assistant, name):
    status, body = post(assistant, BAD_BODIES[name])
    assert 400 <= status < 500, (name, status, body)
    assert body.get("error") or body.get("description"), body  # ours, or Sanic's own 413 before any channel


@pytest.mark.parametrize("text", ODD_MESSAGES)
def test_odd_messages_get_a_clear_reply(assistant, text):
    status, replies = post(assistant, json.dumps({"sender": "odd-input", "message": text}).encode())
    assert status == 200
    assert replies and all(reply.get("text") for reply in replies), (text, replies)


def test_bot_keeps_working_after_bad_input(assistant):
    for data in BAD_BODIES.values():
        post(assistant, data)
    status, replies = post(assistant, json.dumps({"sender": "after-bad", "message": "Hello!"}).encode())
    assert status == 200 and "chatbot" in replies[0]["text"]
