"""Talking to the running Rasa server over its REST channel (as the integrator "tests") and HTTP API."""

import json
import urllib.request
import uuid
from typing import Any

import yaml

from bot.conversation_ids import namespaced
from bot.conversation_ids import rest_conversation_id as stored_rest_id
from bot.settings import REPO_ROOT, rest_sender_key
from bot.web.sessions import ChatSessions, chat_session_key

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
