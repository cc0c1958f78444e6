"""Socket.io channel for the chat page, with server-side verification of a login token.

Same protocol and path as Rasa's own channel (session_request/session_confirm,
user_uttered/bot_uttered, session persistence), plus: the page may pass the
website's signed login token in the socket.io `auth` data; a valid token
attaches the verified identity to every message of that connection, and an
invalid or expired one leaves the user anonymous. Only the page language is
taken from client metadata.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.identity.tokens import IDENTITY_METADATA_KEY, TokenVerifier, VerifiedIdentity, verifier_from_environment
from bot.settings import SUPPORTED_LANGUAGES
from channels.notice import handle_or_apologise
from channels.rest import MAX_MESSAGE_CHARACTERS

logger = logging.getLogger(__name__)


class CountingSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output that counts what it sends (for the service notice)."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


class VerifiedSocketIOInput(InputChannel):
    """The chat page's channel."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            session_persistence=bool(credentials.get("session_persistence", True)),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            verifier=verifier_from_environment(),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        session_persistence: bool = True,
        socketio_path: str = "/socket.io",
        verifier: TokenVerifier | None = None,
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.session_persistence = session_persistence
        self.socketio_path = socketio_path
        self.verifier = verifier
        self.sio: AsyncServer | None = None
        self.identities: dict[str, VerifiedIdentity] = {}  # socket id -> verified login

    def get_output_channel(self) -> OutputChannel | None:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def _metadata(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        client = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        metadata: dict[str, Any] = {}
        if client.get("language") in SUPPORTED_LANGUAGES:
            metadata["language"] = client["language"]
        identity = self.identities.get(sid)
        if identity and identity.is_valid():
            metadata[IDENTITY_METADATA_KEY] = identity.as_metadata()
        return metadata

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        self.sio = sio
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            identity = self.verifier.verify(token) if (self.verifier and token) else None
            if identity:
                self.identities[sid] = identity
            return True  # a bad token means an anonymous user, not a refused connection

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self.identities.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and 0 < len(requested) <= 64 else uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id)
                if inspect.isawaitable(entered):  # a coroutine in newer python-socketio
                    await entered
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("socket.io message without text ignored")
                return
            text = data["message"][:MAX_MESSAGE_CHARACTERS]
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not isinstance(sender_id, str) or not sender_id:
                sender_id = sid
            output = CountingSocketIOOutput(sio, self.bot_message_evt)
            user_message = UserMessage(
                text, output, sender_id, input_channel=self.name(), metadata=self._metadata(sid, data),
            )
            # The page always sends its language, which the notice falls back to.
            await handle_or_apologise(None, on_new_message, user_message, lambda: output.sent)

        return socketio_webhook
