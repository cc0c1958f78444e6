"""Rasa's REST channel, with its input checked first.

Stock Rasa 3.6 answers an empty body with 500 and a missing or non-text
`message` with 200 and silence; here each gets a 4xx that says what is wrong.
Same URL as stock: POST /webhooks/rest/webhook {"sender": ..., "message": ...}.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.identity.tokens import without_claimed_identity
from bot.runtime.notice import agent_of, handle_or_apologise
from bot.runtime.webhook import webhook_blueprint
from bot.settings import MAX_MESSAGE_CHARACTERS

MAX_SENDER_CHARACTERS = 128


def _problem(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def parse_request(raw: bytes, trusted: bool = False) -> tuple[str, str, dict[str, Any] | None] | HTTPResponse:
    """(sender, message, metadata) from a request body, or the 4xx response explaining why not.
    Only a `trusted` caller (the chat relay) may attach a verified identity."""
    if not raw:
        return _problem(400, 'send JSON: {"sender": "...", "message": "..."}')
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return _problem(400, "the body is not valid UTF-8 JSON")
    if not isinstance(payload, dict):
        return _problem(400, "the body must be a JSON object")
    sender, message, metadata = payload.get("sender", "default"), payload.get("message"), payload.get("metadata")
    if isinstance(sender, (int, float)) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARACTERS:
        return _problem(400, f"'sender' must be a text of 1-{MAX_SENDER_CHARACTERS} characters")
    if not isinstance(message, str):
        return _problem(400, "'message' must be a text")
    if len(message) > MAX_MESSAGE_CHARACTERS:
        return _problem(413, f"'message' is longer than {MAX_MESSAGE_CHARACTERS} characters")
    if metadata is not None and not isinstance(metadata, dict):
        return _problem(400, "'metadata' must be a JSON object")
    return sender, message, metadata if trusted else without_claimed_identity(metadata)


async def answer_with_replies(
    request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], channel: str, trusted: bool = False,
) -> HTTPResponse:
    """Checks the request body, lets Rasa handle the message and answers with the replies as JSON."""
    parsed = parse_request(request.body, trusted=trusted)
    if isinstance(parsed, HTTPResponse):
        return parsed
    sender, message, metadata = parsed
    collector = CollectingOutputChannel()
    user_message = UserMessage(message, collector, sender, input_channel=channel, metadata=metadata)
    await handle_or_apologise(agent_of(request), on_new_message, user_message, lambda: len(collector.messages))
    return response.json(collector.messages)


class ValidatedRestInput(RestInput):
    """REST channel that refuses malformed requests with a clear 4xx."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def receive(request: Request) -> HTTPResponse:
            return await answer_with_replies(request, on_new_message, self.name())

        return webhook_blueprint("validated_rest_webhook", receive)
