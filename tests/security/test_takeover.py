"""Conversation takeover: knowing a conversation's id gives no way into it.

A victim verifies (by a website login on the chat page, or by code over REST); an attacker who
knows the victim's stored conversation id (as staff see in transcripts and exports) tries to
speak in it over REST with an integrator token of their own, and to join it as a second
socket.io client. Neither sees the status, nor the victim's replies, nor reaches the tracker.
"""

import asyncio

import pytest

from bot.cases.messages import chat_text
from tests.integration.helpers import ChatPageClient, Conversation, post_json
from tests.integration.test_status import ASK_STATUS, login_token, texts, verify_by_code
from tests.security.conftest import OTHER_AUTHORIZATION

pytestmark = pytest.mark.integration


def rest_url(assistant) -> str:
    return f"http://127.0.0.1:{assistant.settings.rasa_port}/webhooks/rest/webhook"


def user_texts(assistant, conversation_id: str) -> list[str]:
    events = Conversation(assistant, sender=conversation_id).tracker()["events"]
    return [event["text"] for event in events if event["event"] == "user"]


async def verified_chat_page(assistant, renderer):
    """A chat page logged in on the website that has seen its status: (client, stored id)."""
    page = ChatPageClient(assistant, auth={"token": login_token("81693520")})
    await page.__aenter__()
    await page.send(ASK_STATUS["fi"], {"language": "fi"})
    assert (await page.reply())["text"] == chat_text("verified_applicant", "fi", renderer)
    while True:  # the rest of the status answer
        try:
            await page.reply(5)
        except TimeoutError:
            break
    return page, page.conversation_id


def test_rest_cannot_speak_in_a_chat_page_conversation(assistant, renderer):
    async def scenario():
        page, victim_id = await verified_chat_page(assistant, renderer)
        try:
            before = await asyncio.to_thread(user_texts, assistant, victim_id)
            routing_id = victim_id.removeprefix("web:")
            for sender in (victim_id, routing_id):
                for headers in (None, OTHER_AUTHORIZATION):  # either integrator
                    replies = await asyncio.to_thread(
                        post_json, rest_url(assistant), {"sender": sender, "message": ASK_STATUS["en"]},
                        30, headers)
                    assert texts(replies)[0] == chat_text("intro", "en", renderer)  # asked to verify: no status
            assert await asyncio.to_thread(user_texts, assistant, victim_id) == before
        finally:
            await page.__aexit__(None, None, None)

    asyncio.run(scenario())


def test_one_integrator_cannot_speak_in_anothers_conversation(assistant, renderer):
    victim = Conversation(assistant)
    verify_by_code(assistant, victim, "52936814", "fi", renderer)
    assert texts(victim.say(ASK_STATUS["fi"]))[0] == chat_text("verified_applicant", "fi", renderer)
    before = user_texts(assistant, victim.sender)
    for sender in (victim.local_id, victim.sender):
        replies = post_json(rest_url(assistant), {"sender": sender, "message": ASK_STATUS["fi"]}, 30,
                            OTHER_AUTHORIZATION)
        assert texts(replies)[0] == chat_text("intro", "fi", renderer)
    assert user_texts(assistant, victim.sender) == before


def test_a_second_socketio_client_with_a_known_id_sees_nothing(assistant, renderer):
    async def scenario():
        page, victim_id = await verified_chat_page(assistant, renderer)
        routing_id = victim_id.removeprefix("web:")
        try:
            for known in (routing_id, victim_id):
                async with ChatPageClient(assistant, session_request={"session_id": known}) as attacker:
                    assert attacker.conversation_id != victim_id  # refused: a new session of its own
                    # The victim talks on; the attacker hears none of it.
                    await page.send("kiitos", {"language": "fi"})
                    await page.reply()
                    # The attacker names the victim's id in its messages as well: its own conversation answers.
                    await attacker.client.emit("user_uttered", {"message": ASK_STATUS["en"], "session_id": known,
                                                                "metadata": {"language": "en"}})
                    heard = [(await attacker.reply(30))["text"]]
                    while True:
                        try:
                            heard.append((await attacker.reply(3))["text"])
                        except TimeoutError:
                            break
                    assert heard == [chat_text("intro", "en", renderer),
                                     chat_text("ask_customer_number", "en", renderer)]
            assert ASK_STATUS["en"] not in await asyncio.to_thread(user_texts, assistant, victim_id)
        finally:
            await page.__aexit__(None, None, None)

    asyncio.run(scenario())


def test_rest_is_only_for_integrators_with_a_token(assistant):
    import json
    import urllib.error
    import urllib.request

    body = json.dumps({"sender": "anyone", "message": "hei"}).encode()
    for authorization in (None, "Bearer ", "Bearer wrong-token-0123456789abcdef", "Basic dGVzdHM6eA=="):
        headers = {"Content-Type": "application/json", **({"Authorization": authorization} if authorization else {})}
        request = urllib.request.Request(rest_url(assistant), data=body, headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401 and "token" in json.loads(refused.value.read())["error"]


def test_a_verified_status_does_not_survive_into_a_new_session(assistant, renderer):
    chat = Conversation(assistant)
    verify_by_code(assistant, chat, "95027146", "sv", renderer)
    assert texts(chat.say(ASK_STATUS["sv"]))[0] == chat_text("verified_applicant", "sv", renderer)
    stored = [e for e in chat.tracker()["events"] if e["event"] == "slot" and e["name"] == "status_ticket"]
    assert stored and all(e["value"] is None or e["value"].startswith("sealed:gAAAAA") for e in stored)
    chat.say("/session_start")   # what Rasa does after an hour of silence (actions/session.py)
    assert chat.slot("status_ticket") is None and chat.slot("language") == "sv"
    assert texts(chat.say(ASK_STATUS["sv"]))[0] == chat_text("intro", "sv", renderer)
