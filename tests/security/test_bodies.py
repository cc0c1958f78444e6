"""Bounded requests: 2 MB and 8 MB bodies to every HTTP entry point are refused within a second with
413, while other conversations go on; REST metadata is cut to its allow-list; an over-long message
is answered with a request to shorten it."""

import concurrent.futures
import http.client
import json
import time
import urllib.parse

import pytest

from bot.settings import MAX_MESSAGE_CHARACTERS
from bot.sms.gateway import SIGNATURE_HEADER
from tests.integration.helpers import REST_AUTHORIZATION, Conversation

pytestmark = pytest.mark.integration

SIZES = {"2 MB": 2 * 1024 * 1024, "8 MB": 8 * 1024 * 1024}


def big_post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, float]:
    """(status, body, seconds to the answer); a server may answer before it has read the body."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        try:
            connection.request("POST", path, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass   # refused before the body was sent in full: the answer is still there to read
        response = connection.getresponse()
        return response.status, response.read(), time.monotonic() - started
    finally:
        connection.close()


def rest_body(size: int, where: str) -> bytes:
    filler = "a" * size
    payload = {"sender": "big", "message": filler if where == "message" else "hei"}
    if where == "metadata":
        payload["metadata"] = {"language": "fi", "filler": filler}
    return json.dumps(payload).encode()


def engineio_session(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/socket.io/?EIO=4&transport=polling")
    opening = connection.getresponse().read().decode()
    connection.close()
    return json.loads(opening[opening.index("{"):])["sid"]


def targets(assistant, size: int):
    rasa, web = assistant.settings.rasa_port, assistant.settings.web_port
    json_type = {"Content-Type": "application/json"}
    form = urllib.parse.urlencode({"From": "+358401111111", "To": "18135", "Body": "a" * size}).encode()
    yield "REST message", rasa, "/webhooks/rest/webhook", rest_body(size, "message"), {**json_type,
                                                                                      **REST_AUTHORIZATION}
    yield "REST metadata", rasa, "/webhooks/rest/webhook", rest_body(size, "metadata"), {**json_type,
                                                                                        **REST_AUTHORIZATION}
    yield "SMS", rasa, "/webhooks/sms/webhook", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                       SIGNATURE_HEADER: "not-checked-before-the-size"}
    sid = engineio_session(web)
    yield "chat page long poll", web, f"/socket.io/?EIO=4&transport=polling&sid={sid}", b"4" + b"a" * size, {
        "Content-Type": "text/plain;charset=UTF-8"}
    yield "backend", assistant.settings.backend_port, "/booking/bookings", b"{" + b" " * size + b"}", json_type


@pytest.mark.parametrize("size", sorted(SIZES))
def test_large_bodies_are_refused_within_a_second_while_others_talk_on(assistant, size):
    bystander = Conversation(assistant)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for name, port, path, body, headers in targets(assistant, SIZES[size]):
            talking = pool.submit(bystander.texts, "Hei")
            status, answer, seconds = big_post(port, path, body, headers)
            assert status == 413, (name, status, answer[:200])
            assert answer.strip(), name   # with a message
            assert seconds < 1.0, (name, seconds)
            assert talking.result(timeout=60), name


def test_rest_metadata_is_reduced_to_its_allow_list(assistant):
    chat = Conversation(assistant)
    chat.say("Hej", metadata={"language": "sv", "crm_customer": "Maria Virtanen 040 123 4567",
                              "verified_identity": {"subject": "81693520", "role": "applicant"}})
    [user] = [event for event in chat.tracker()["events"] if event["event"] == "user"]
    stored = {key: value for key, value in user["metadata"].items() if key not in ("model_id", "assistant_id")}
    assert stored == {"language": "sv"}   # (Rasa adds its model's ids itself)


@pytest.mark.parametrize("language,greeting", [("fi", "Hei"), ("sv", "Hej"), ("en", "Hello")])
def test_an_over_long_message_is_answered_with_a_request_to_shorten_it(assistant, renderer, language, greeting):
    chat = Conversation(assistant)
    chat.say(greeting)
    replies = chat.say("a" * (MAX_MESSAGE_CHARACTERS + 1))
    assert [reply["text"] for reply in replies] == [
        renderer.part("message_too_long", "text", language, max_characters=str(MAX_MESSAGE_CHARACTERS))]
    assert sum(event["event"] == "user" for event in chat.tracker()["events"]) == 1   # not passed on to Rasa
