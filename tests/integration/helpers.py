"""Talking to the running Rasa server over its REST channel (as the integrator "tests") and HTTP API,
and the steps several integration tests take: booking in the chat, reading what the tracker store
holds, reading conversations in the review tool."""

import json
import re
import sqlite3
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from bot.conversation_ids import namespaced
from bot.conversation_ids import rest_conversation_id as stored_rest_id
from bot.settings import REPO_ROOT, rest_sender_key
from bot.web.sessions import ChatSessions, chat_session_key
from tests.personal_data import BOOKING_CONTACTS

# The integrator the test stack lets onto the REST channel (tests/integration/conftest.py).
TEST_INTEGRATOR = "tests"
TEST_REST_TOKEN = "test-rest-token-not-for-production-0123456789"
REST_AUTHORIZATION = {"Authorization": f"Bearer {TEST_REST_TOKEN}"}

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str, language: str) -> str:
    """The domain text of response `name` in `language` (English is the default variation)."""
    for variation in DOMAIN["responses"][name]:
        values = [c["value"] for c in variation.get("condition") or []]
        if values == [language] or (not values and language == "en"):
            return variation["text"]
    raise KeyError((name, language))


def rest_conversation_id(local_id: str) -> str:
    """The stored id of the test integrator's conversation `local_id` (stored as its keyed hash)."""
    return stored_rest_id(TEST_INTEGRATOR, local_id, rest_sender_key())


def web_conversation_id(session_secret: str) -> str:
    """The stored id of the chat page session whose secret the web server confirmed."""
    routing_id = ChatSessions(chat_session_key()).routing_id(session_secret)
    assert routing_id, "not a session secret this installation issued"
    return namespaced("web", routing_id)


def post_json(url: str, payload: Any, timeout: float = 30, headers: dict[str, str] | None = None) -> Any:
    """POSTs JSON; to the REST channel as the test integrator (its token) unless `headers` say otherwise."""
    headers = REST_AUTHORIZATION if headers is None else headers
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Conversation:
    """One user's conversation through the REST channel; `sender` is its stored (namespaced) id.

    Given a stored id of another channel (`sms:...`, `web:...`), it only reads that conversation;
    `local_id` is the id the test integrator itself chooses (random unless given)."""

    def __init__(self, assistant, sender: str | None = None, local_id: str | None = None) -> None:
        self.assistant = assistant
        self.local_id = local_id or f"test-{uuid.uuid4().hex[:12]}"
        self.sender = sender or rest_conversation_id(self.local_id)
        settings = assistant.settings
        self.base = f"http://{settings.host}:{settings.rasa_port}"

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        assert self.sender == rest_conversation_id(self.local_id), "only a REST conversation can be spoken in"
        payload: dict[str, Any] = {"sender": self.local_id, "message": text}
        if metadata:
            payload["metadata"] = metadata
        return post_json(f"{self.base}/webhooks/rest/webhook", payload)

    def texts(self, text: str, **kwargs: Any) -> str:
        return " ".join(reply.get("text", "") for reply in self.say(text, **kwargs))

    def tracker(self) -> dict[str, Any]:
        url = f"{self.base}/conversations/{self.sender}/tracker?token={self.assistant.api_token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def last_actions(self) -> list[str]:
        """Actions run since the latest user message."""
        events = self.tracker()["events"]
        last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
        return [e["name"] for e in events[last_user:] if e["event"] == "action" and e["name"] != "action_listen"]

    def slot(self, name: str) -> Any:
        return self.tracker()["slots"].get(name)


class ChatPageClient:
    """A socket.io client talking to the web server the way the chat page does; use with `async with`.

    python-socketio's websocket client needs a newer aiohttp than Rasa pins; polling
    exercises the same server-side sessions and relay.
    """

    def __init__(self, assistant, auth: Any = None, session_request: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        import asyncio

        import socketio

        self.url = f"http://{assistant.settings.host}:{assistant.settings.web_port}"
        self.auth = auth
        self.headers = headers or {}
        self.session_request = {"session_id": None} if session_request is None else session_request
        self.client = socketio.AsyncClient()
        self.replies: asyncio.Queue = asyncio.Queue()
        self._confirmed = asyncio.Event()
        self.session_id: str | None = None  # the session secret the web server issued

        @self.client.on("session_confirm")
        async def on_confirm(data: Any) -> None:
            self.session_id = data.get("session_id") if isinstance(data, dict) else data
            self._confirmed.set()

        @self.client.on("bot_uttered")
        async def on_bot(data: Any) -> None:
            await self.replies.put(data)

    @property
    def conversation_id(self) -> str:
        """The stored id of this session's conversation."""
        assert self.session_id
        return web_conversation_id(self.session_id)

    async def __aenter__(self) -> "ChatPageClient":
        import asyncio

        await self.client.connect(self.url, transports=["polling"], auth=self.auth, headers=self.headers)
        await self.client.emit("session_request", self.session_request)
        await asyncio.wait_for(self._confirmed.wait(), 30)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        import asyncio
        import contextlib

        await self.client.disconnect()
        # python-engineio 4.4's disconnect leaves its last long poll running: stop it here.
        for task in (self.client.eio.read_loop_task, self.client.eio.write_loop_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.client.eio.http.close()

    async def send(self, text: str, metadata: dict[str, Any] | None = None) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                                "metadata": metadata or {}})

    async def reply(self, timeout: float = 60) -> dict[str, Any]:
        import asyncio

        return await asyncio.wait_for(self.replies.get(), timeout)


def _strings(value):
    """Every string inside stored JSON (not timestamps, which may contain any digits)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def stored_strings(assistant, senders: Iterable[str]) -> list[str]:
    """Every string stored for the conversations of `senders`."""
    senders = list(senders)
    marks = ",".join("?" for _ in senders)
    with sqlite3.connect(assistant.settings.tracker_db) as database:
        rows = database.execute(f"SELECT data FROM events WHERE sender_id IN ({marks})", list(senders))
        return [text for (data,) in rows for text in _strings(json.loads(data))]


def stored_text(assistant, sender: str) -> str:
    """Every text and whole number stored for the conversation. Floats (timestamps, intent
    confidences) are left out: a PIN's six digits turned up inside one (6.882904563e-05)."""
    with sqlite3.connect(assistant.settings.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()

    def values(item):
        if isinstance(item, dict):
            for key, value in item.items():
                yield key
                yield from values(value)
        elif isinstance(item, list):
            for value in item:
                yield from values(value)
        elif not isinstance(item, float):
            yield str(item)

    return "\n".join(value for row in rows for value in values(json.loads(row[0])))


# Booking in the chat, the steps the booking tests share (test_booking_chat.py, test_booking_contact.py).
KEY_AND_PIN = re.compile(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\D+(\d{6})")
# Per language, the user's messages in order: the last-but-one two are the name and the contact.
BOOKINGS = {
    "fi": ["haluan varata ajan", "Oleskelulupa", "Tampereella", "2", "ensi maanantaina", "1",
           *BOOKING_CONTACTS["fi"], "kyllä"],
    "sv": ["jag vill boka en tid", "Uppehållstillstånd", "i Åbo", "1", "i morgon", "1",
           *BOOKING_CONTACTS["sv"], "ja"],
    "en": ["I want to book an appointment", "Residence permit", "in Espoo", "3", "next Friday", "2",
           *BOOKING_CONTACTS["en"], "yes"],
}
BOOKED = {"fi": "Aika on varattu", "sv": "Tiden är bokad", "en": "Your appointment is booked"}


def book(conversation: Conversation, language: str) -> tuple[str, str, str]:
    """Books the language's appointment in `conversation`: (reservation key, PIN, the last replies)."""
    replies = ""
    for message in BOOKINGS[language]:
        replies = conversation.texts(message)
    assert BOOKED[language] in replies, replies
    key, pin = KEY_AND_PIN.search(replies).groups()
    return key, pin, replies


def wrong_pin(pin: str) -> str:
    """A PIN of the same length that is not `pin`."""
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def open_booking(conversation: Conversation, request: str, key: str, pin: str) -> str:
    """Asks `request` about a booking, gives its key and then `pin`: the reply to the PIN."""
    conversation.texts(request)
    conversation.texts(key)
    return conversation.texts(pin)


def assert_refused_with_a_wrong_pin(assistant, request: str, key: str, pin: str, place: str) -> Conversation:
    """A wrong PIN is refused without revealing the booking (its `place`), and the key is asked again."""
    conversation = Conversation(assistant)
    reply = open_booking(conversation, request, key, wrong_pin(pin))
    assert "does not match" in reply and place not in reply, reply
    assert conversation.slot("requested_slot") == "booking_key"
    return conversation


# Reading conversations in the review tool (test_review_privacy.py, test_privacy_live.py).
REDACTED_MARK = re.compile(r'<span class="redacted"[^>]*>([^<]*)</span>')


def exported_sender(sender: str) -> str:
    """Exports and pages show display ids, never the ids conversations are routed by."""
    from bot.review.exports import shown_id

    return shown_id(sender)


def as_exported(senders: Iterable[str]) -> set[str]:
    return {exported_sender(sender) for sender in senders}


def shown_on_page(page: str) -> str:
    """A review page's text as staff read it: the placeholders without their highlighting."""
    return REDACTED_MARK.sub(r"\1", page)


def staff_reading(assistant, account: str, senders: Iterable[str],
                  explain: Callable[[set[str]], str] = lambda missing: ""):
    """An admin signed in to the review tool once its index holds the `senders`' conversations.

    A page indexes at most a few batches of new events; after a whole test session the
    store holds many, so pages are asked until the index has reached these conversations."""
    from tests.review.live import StaffClient, create_account

    senders = list(senders)
    create_account(assistant, account, f"{account}-password", "admin")
    client = StaffClient(assistant)
    client.login(account, f"{account}-password")
    exported: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        exported = {c["sender"] for c in json.loads(client.get("/review/export.json").text)}
        if as_exported(senders) <= exported:
            break
        time.sleep(0.5)
    missing = {sender for sender in senders if as_exported([sender]) - exported}
    assert not missing, explain(missing)
    return client
