"""Staff see a display id, never the id a conversation is routed by, and the display id routes nothing:
posted as a REST sender, shown as a socket.io session or sent as an SMS number, it reaches no
conversation. Against the real processes of tests/security/conftest.py."""

import asyncio
import json
import time
import uuid

import pytest

from bot.review.exports import shown_id
from bot.sms.gateway import signature
from tests.integration.helpers import ChatPageClient, Conversation, post_json
from tests.integration.test_sms import post_webhook
from tests.review.live import StaffClient, create_account

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def staff(assistant):
    create_account(assistant, "display-ids", "display-ids-password", "reviewer")
    client = StaffClient(assistant)
    client.login("display-ids", "display-ids-password")
    return client


def exported(staff, display: str) -> dict:
    deadline = time.monotonic() + 120   # the review index catches up with the tracker store page by page
    while True:
        found = {c["sender"]: c for c in json.loads(staff.get("/review/export.json").text)}
        if display in found or time.monotonic() > deadline:
            return found[display]
        time.sleep(0.5)


def user_messages(assistant, conversation_id: str) -> int:
    events = Conversation(assistant, sender=conversation_id).tracker()["events"]
    return len([event for event in events if event["event"] == "user"])


def test_staff_see_a_display_id_that_reaches_no_conversation(assistant, staff):
    victim = Conversation(assistant)
    victim.say("Hei, mihin numeroon soitan?")
    display = shown_id(victim.sender)
    conversation = exported(staff, display)
    listed = staff.get("/review/conversations").text
    page = staff.get(f"/review/conversations/{conversation['id']}").text
    export = staff.get("/review/export.json").text + staff.get("/review/export.csv").text
    assert display in page
    for shown in (listed, page, export):   # neither the stored id nor the integrator's own id
        assert victim.sender not in shown and victim.local_id not in shown
    before = user_messages(assistant, victim.sender)

    # REST: the display id as the sender is a conversation of its own in the integrator's namespace.
    rest = f"http://127.0.0.1:{assistant.settings.rasa_port}/webhooks/rest/webhook"
    for sender in (display, display.split("-", 1)[1]):
        assert post_json(rest, {"sender": sender, "message": "kyllä"})
    # socket.io: a session id the web server did not issue gets a new session.
    async def join_with(session_id: str) -> str:
        async with ChatPageClient(assistant, session_request={"session_id": session_id}) as page:
            assert page.session_id != session_id
            await page.send("kyllä", {"language": "fi"})
            await page.reply()
            return page.conversation_id

    assert asyncio.run(join_with(display)) != victim.sender
    # SMS: a correctly signed message "from" the display id is another conversation.
    params = {"From": display, "To": assistant.settings.sms_sender, "Body": "kyllä", "MessageSid": uuid.uuid4().hex}
    post_webhook(assistant, params, signature(assistant.sms_auth_token, assistant.settings.sms_webhook_url, params))
    assert user_messages(assistant, victim.sender) == before
