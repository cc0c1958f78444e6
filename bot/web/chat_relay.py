"""The chat page's socket.io server, relaying each message to the Rasa server over HTTP.

The page keeps Rasa's socket.io protocol (session_request/session_confirm,
user_uttered/bot_uttered, session persistence). Sessions live here, in the one
web server process, so websockets and long-polling both work and Rasa can run
several workers: each message goes to Rasa's chat relay channel
(channels/chat_relay.py) as one HTTP request that any worker may take.

A session belongs to whoever holds its secret (bot/web/sessions.py): the relay
issues it in `session_confirm`, joins a socket to a conversation only when
`session_request` shows a secret it issued, and sends each socket's messages
to that socket's own conversation, whatever id a client writes into an event.

The page may pass the website's signed login token in the socket.io `auth`
data; a valid token attaches the verified identity to every message of that
connection, an invalid or expired one leaves the user anonymous. Each network
client (its address; a forwarded one only from TRUSTED_PROXIES) may send
CHAT_MESSAGES_PER_MINUTE messages; beyond that it is asked, in its language,
to wait, and nothing reaches Rasa. Only the page
language is taken from client metadata. One session's messages go to Rasa one
at a time, in the order they came. When Rasa cannot be reached, the user gets
the service notice in the page's language.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import aiohttp
from aiohttp import web
from socketio import AsyncServer

from bot.backend.ratelimit import RateLimiter
from bot.client_address import client_address
from bot.identity.tokens import IDENTITY_METADATA_KEY, TokenVerifier, VerifiedIdentity, verifier_from_environment
from bot.knowledge.render import default_renderer
from bot.runtime.patches import install_patches
from bot.settings import MAX_MESSAGE_CHARACTERS, MAX_REQUEST_BYTES, SUPPORTED_LANGUAGES, Settings, chat_relay_token
from bot.web.sessions import ChatSessions, chat_session_key

logger = logging.getLogger(__name__)

RASA_TIMEOUT_SECONDS = 120  # a message may wait for its conversation's lock and for actions
RELAY_PATH = "/webhooks/socketio/webhook"


def socketio_messages(collected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's collected replies in the shape Rasa's own socket.io channel emits them: a text
    is split at blank lines, buttons go with its last part as quick replies."""
    messages: list[dict[str, Any]] = []
    for reply in collected:
        if not isinstance(reply, dict):
            continue
        if isinstance(reply.get("text"), str):
            parts = [{"text": part} for part in reply["text"].strip().split("\n\n")]
            if reply.get("buttons"):
                parts[-1]["quick_replies"] = [
                    {"content_type": "text", "title": button.get("title"), "payload": button.get("payload")}
                    for button in reply["buttons"] if isinstance(button, dict)
                ]
            messages += parts
        if reply.get("image"):
            messages.append({"attachment": {"type": "image", "payload": {"src": reply["image"]}}})
        if reply.get("attachment"):
            messages.append({"attachment": reply["attachment"]})
        if isinstance(reply.get("custom"), dict):
            messages.append(reply["custom"])
    return messages


class ChatRelay:
    """socket.io sessions of the chat page, attached to the web server's aiohttp app."""

    def __init__(self, settings: Settings, verifier: TokenVerifier | None, token: str,
                 sessions: ChatSessions | None = None) -> None:
        self.settings = settings
        self.verifier = verifier
        self.token = token
        self.sessions = sessions or ChatSessions(chat_session_key())
        self.routes: dict[str, str] = {}  # socket id -> the routing id of its conversation
        self.clients: dict[str, str] = {}  # socket id -> its network client's address
        self.per_client = RateLimiter(settings.chat_messages_per_minute, 60.0)
        # Same origin only: the page is served by this server.
        self.sio = AsyncServer(async_mode="aiohttp", max_http_buffer_size=MAX_REQUEST_BYTES)
        install_patches("web")  # engine.io reads request bodies whole (bot/runtime/engineio_body.py)
        self.identities: dict[str, VerifiedIdentity] = {}  # socket id -> verified login
        self.sessions_busy: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # lock, messages waiting
        self.http: aiohttp.ClientSession | None = None
        self._register()

    def attach(self, app: web.Application) -> None:
        self.sio.attach(app)
        app.on_startup.append(self._open)
        app.on_shutdown.append(self._disconnect_all)
        app.on_cleanup.append(self._close)

    async def _open(self, _: web.Application | None) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_SECONDS))

    async def _disconnect_all(self, _: web.Application) -> None:
        """A page waiting in a long poll would hold the shutdown; it reconnects to the next server."""
        if self.sio.eio.sockets:  # python-engineio 4.4 fails on an empty set
            await self.sio.eio.disconnect()

    async def _close(self, _: web.Application) -> None:
        if self.http:
            await self.http.close()

    def _metadata(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        client = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        metadata: dict[str, Any] = {}
        if client.get("language") in SUPPORTED_LANGUAGES:
            metadata["language"] = client["language"]
        identity = self.identities.get(sid)
        if identity and identity.is_valid():
            metadata[IDENTITY_METADATA_KEY] = identity.as_metadata()
        return metadata

    async def ask_rasa(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's replies in socket.io shape; the service notice when Rasa cannot answer."""
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.http is None:
            await self._open(None)
        try:
            async with self.http.post(self.settings.rasa_url + RELAY_PATH, json=payload, headers=headers) as reply:
                if reply.status == 200:
                    return socketio_messages(await reply.json())
                logger.warning("The Rasa server answered a chat message with HTTP %s", reply.status)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            logger.warning("The Rasa server could not be reached: %s", type(error).__name__)
        language = metadata.get("language")
        language = language if language in SUPPORTED_LANGUAGES else self.settings.default_language
        return [{"text": default_renderer().part("service_unavailable", "text", language)}]

    async def relay(self, sender_id: str, text: str, metadata: dict[str, Any]) -> None:
        lock, waiting = self.sessions_busy.setdefault(sender_id, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                replies = await self.ask_rasa(sender_id, text, metadata)
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self.sessions_busy[sender_id]
        # The sender id is the session's room: every tab of the session sees the replies.
        for message in replies:
            await self.sio.emit("bot_uttered", message, room=sender_id)

    def _register(self) -> None:
        sio = self.sio

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            identity = self.verifier.verify(token) if (self.verifier and token) else None
            if identity:
                self.identities[sid] = identity
            request = environ.get("aiohttp.request")
            self.clients[sid] = client_address(getattr(request, "remote", None), environ.get("HTTP_X_FORWARDED_FOR"))
            return True  # a bad token means an anonymous user, not a refused connection

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self.identities.pop(sid, None)
            self.routes.pop(sid, None)
            self.clients.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            await self._join(sid, data.get("session_id") if isinstance(data, dict) else None)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("socket.io message without text ignored")
                return
            metadata = self._metadata(sid, data)
            if not self._allowed(sid):
                language = metadata.get("language", self.settings.default_language)
                await sio.emit("bot_uttered", {"text": default_renderer().part("too_many_messages", "text", language)},
                               room=sid)
                return
            # The socket's own conversation: a `session_id` in the event is not looked at.
            routing_id = self.routes.get(sid) or await self._join(sid, None)
            # One character over the limit is enough for Rasa's channel to ask for a shorter message.
            await self.relay(routing_id, data["message"][:MAX_MESSAGE_CHARACTERS + 1], metadata)

    def _allowed(self, sid: str) -> bool:
        """Counts one message of the socket's network client; False when it is over its limit."""
        return self.per_client.allow(self.clients.get(sid, "unknown"))

    async def _join(self, sid: str, secret: Any) -> str:
        """Puts the socket into the conversation of `secret` if this server issued it, else into a
        new one; confirms the session (its secret) to the socket. Returns the routing id."""
        routing_id = self.sessions.routing_id(secret)
        if routing_id is None:
            secret = self.sessions.issue()
            routing_id = self.sessions.routing_id(secret)
        previous = self.routes.get(sid)
        if previous and previous != routing_id:
            left = self.sio.leave_room(sid, previous)
            if inspect.isawaitable(left):
                await left
        self.routes[sid] = routing_id
        entered = self.sio.enter_room(sid, routing_id)
        if inspect.isawaitable(entered):  # a coroutine in newer python-socketio
            await entered
        await self.sio.emit("session_confirm", secret, room=sid)
        return routing_id


def setup_chat_relay(app: web.Application, settings: Settings) -> ChatRelay:
    relay = ChatRelay(settings, verifier_from_environment(), chat_relay_token())
    relay.attach(app)
    return relay
