"""A logged-in user's signed token on the chat channel: verified server-side or ignored; only the
web server's relay may pass an identity to Rasa."""

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid

import jwt
import pytest

from bot.conversation_ids import namespaced
from bot.settings import chat_relay_token
from tests.integration.conftest import TEST_LOGIN_KEY
from tests.integration.helpers import TEST_REST_TOKEN, Conversation, post_json, response_text
from tests.integration.test_web_and_socketio import converse

pytestmark = pytest.mark.integration


def login_token(key=TEST_LOGIN_KEY, expires_in=600, subject="24681357"):
    claims = {"sub": subject, "aud": "migri-chat", "exp": int(time.time()) + expires_in, "role": "applicant"}
    return jwt.encode(claims, key, algorithm="HS256")


def user_metadata(assistant, sender):
    events = Conversation(assistant, sender=sender).tracker()["events"]
    return [e.get("metadata") or {} for e in events if e["event"] == "user"]


def test_valid_token_attaches_the_verified_identity(assistant):
    answers, session = asyncio.run(converse(assistant, ["Hei"], "fi", auth={"token": login_token()}))
    assert answers[0]["text"] == response_text("utter_greet", "fi")
    [metadata] = user_metadata(assistant, session)
    assert metadata["verified_identity"] == {"verified": True, "method": "jwt", "role": "applicant"}
    stored = json.dumps(Conversation(assistant, sender=session).tracker())
    assert "24681357" not in stored  # the subject is not kept in the conversation store


@pytest.mark.parametrize(
    "token",
    [login_token(key="forged-key-0123456789-0123456789"), login_token(expires_in=-10), "garbage"],
    ids=["forged", "expired", "garbage"],
)
def test_invalid_token_gets_the_anonymous_experience(assistant, token):
    answers, session = asyncio.run(converse(assistant, ["Hej"], "sv", auth={"token": token}))
    assert answers[0]["text"] == response_text("utter_greet", "sv")
    assert all("verified_identity" not in metadata for metadata in user_metadata(assistant, session))


def test_identity_claimed_in_client_metadata_is_ignored(assistant):
    claim = {"verified_identity": {"subject": "11112222", "role": "representative", "method": "jwt"}}
    answers, session = asyncio.run(converse(assistant, ["Hello"], "en", extra_metadata=claim))
    assert answers
    assert all("verified_identity" not in metadata for metadata in user_metadata(assistant, session))

    chat = Conversation(assistant)
    url = f"{chat.base}/webhooks/rest/webhook"
    post_json(url, {"sender": chat.local_id, "message": "Hello", "metadata": claim})
    assert all("verified_identity" not in metadata for metadata in user_metadata(assistant, chat.sender))


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic abc", "Bearer ",
                                           f"Bearer {TEST_REST_TOKEN}"])
def test_only_the_web_server_may_post_to_the_chat_relay_channel(assistant, authorization):
    local_id = "relay-test-" + uuid.uuid4().hex[:8]
    chat = Conversation(assistant, sender=namespaced("web", local_id))
    claim = {"verified_identity": {"subject": "11112222", "role": "representative", "method": "jwt"}}
    body = json.dumps({"sender": local_id, "message": "Hello", "metadata": claim}).encode()
    headers = {"Content-Type": "application/json", **({"Authorization": authorization} if authorization else {})}
    request = urllib.request.Request(f"{chat.base}/webhooks/socketio/webhook", data=body, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    assert "web server" in json.loads(refused.value.read())["error"]
    assert user_metadata(assistant, chat.sender) == []


def test_the_chat_relay_channel_answers_the_web_server(assistant):
    local_id = "relay-test-" + uuid.uuid4().hex[:8]
    chat = Conversation(assistant, sender=namespaced("web", local_id))
    body = json.dumps({"sender": local_id, "message": "Hej", "metadata": {"language": "sv"}}).encode()
    request = urllib.request.Request(
        f"{chat.base}/webhooks/socketio/webhook", data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {chat_relay_token()}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        replies = json.loads(response.read())
    assert replies[0]["text"] == response_text("utter_greet", "sv")
    assert chat.tracker()["latest_input_channel"] == "socketio"
