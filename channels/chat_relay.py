"""The chat page's channel on the Rasa server: messages relayed by the web server.

The page speaks socket.io with the web server (bot/web/chat_relay.py), which
keeps each browser session and verifies the website's login token. It posts
each message here as JSON, like the REST channel, with the relay token in the
Authorization header; only with that token may the metadata carry a verified
identity. The sender is the routing id the relay derived from the session
secret it issued; it is stored in the `web:` namespace. Any Rasa worker or
server can take any message, so the chat page needs no sticky sessions.
Conversations are recorded as channel "socketio".
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation_ids import namespaced
from bot.runtime.webhook import webhook_blueprint
from channels.rest import answer_with_replies


class ChatRelayInput(InputChannel):
    """POST /webhooks/socketio/webhook, for the web server's chat relay only."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(str((credentials or {}).get("token") or ""))

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("The chat relay channel needs a token (CHAT_RELAY_TOKEN).")
        self.token = token

    def _is_relay(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), f"Bearer {self.token}".encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def receive(request: Request) -> HTTPResponse:
            if not self._is_relay(request):
                return response.json({"error": "only the chat page's web server may use this channel"}, 401)
            return await answer_with_replies(request, on_new_message, self.name(),
                                             lambda sender: namespaced("web", sender), trusted=True)

        return webhook_blueprint("chat_relay_webhook", receive)
