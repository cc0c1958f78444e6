"""Rasa's REST channel, for integrating systems only, with its input checked first.

Same URL as stock: POST /webhooks/rest/webhook {"sender": ..., "message": ...},
but only with an integrator's bearer token (REST_CHANNEL_TOKENS, name=token):
without any configured the channel is off (403), with a wrong token 401. The
integrator may send REST_MESSAGES_PER_MINUTE messages (channels/limits.py). The
integrator's `sender` lives in its own namespace (`rest:<name>:<keyed hash of sender>`,
bot/conversation_ids.py), so it cannot reach a chat page's, an SMS or another
integrator's conversation. Metadata is reduced to an allow-list (the page
language). Stock Rasa 3.6 answers an empty body with 500 and a missing or
non-text `message` with 200 and silence; here each gets a 4xx that says what
is wrong.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation_ids import rest_conversation_id
from bot.identity.tokens import IDENTITY_METADATA_KEY
from bot.runtime.notice import agent_of, answer_limit, handle_or_apologise
from bot.runtime.webhook import webhook_blueprint
from bot.settings import MAX_MESSAGE_CHARACTERS, SUPPORTED_LANGUAGES, get_settings, rest_channel_tokens, rest_sender_key
from channels.limits import ClientLimit

MAX_SENDER_CHARACTERS = 128


def _problem(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def allowed_metadata(metadata: dict[str, Any] | None, trusted: bool) -> dict[str, Any] | None:
    """What a message's metadata may carry: the page language; from a `trusted` caller (the chat
    relay) also the verified identity it sealed. Anything else is dropped, whatever its size."""
    if not metadata:
        return None
    kept: dict[str, Any] = {}
    if metadata.get("language") in SUPPORTED_LANGUAGES:
        kept["language"] = metadata["language"]
    if trusted and isinstance(metadata.get(IDENTITY_METADATA_KEY), dict):
        kept[IDENTITY_METADATA_KEY] = metadata[IDENTITY_METADATA_KEY]
    return kept or None


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
    if metadata is not None and not isinstance(metadata, dict):
        return _problem(400, "'metadata' must be a JSON object")
    return sender, message, allowed_metadata(metadata, trusted)


async def answer_with_replies(
    request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], channel: str,
    conversation_id: Callable[[str], str], trusted: bool = False, limit: tuple[ClientLimit, str] | None = None,
) -> HTTPResponse:
    """Checks the request body, lets Rasa handle the message in the conversation whose stored id
    `conversation_id` makes of the body's `sender`, and answers with the replies as JSON. With a
    `limit` (and the client it counts), a message over it gets 429 and the request to wait, in the
    conversation's language."""
    parsed = parse_request(request.body, trusted=trusted)
    if isinstance(parsed, HTTPResponse):
        return parsed
    sender, message, metadata = parsed
    collector = CollectingOutputChannel()
    user_message = UserMessage(message, collector, conversation_id(sender), input_channel=channel,
                               metadata=metadata)
    if limit is not None and not limit[0].allow(limit[1]):
        await answer_limit(agent_of(request), user_message, "too_many_messages")
        retry_after = str(limit[0].retry_after(limit[1]))
        return response.json(collector.messages, status=429, headers={"Retry-After": retry_after})
    if len(message) > MAX_MESSAGE_CHARACTERS:  # not for Rasa: the user is asked to shorten it
        await answer_limit(agent_of(request), user_message, "message_too_long",
                           max_characters=str(MAX_MESSAGE_CHARACTERS))
        return response.json(collector.messages)
    await handle_or_apologise(agent_of(request), on_new_message, user_message, lambda: len(collector.messages))
    return response.json(collector.messages)


def integrator(tokens: dict[str, str], authorization: str) -> str | None:
    """The name of the integrator whose token the Authorization header shows, else None."""
    given = authorization.encode("utf-8", "surrogateescape")
    found = None
    for token, name in tokens.items():  # every token compared, in constant time each
        if hmac.compare_digest(given, f"Bearer {token}".encode()):
            found = name
    return found


class ValidatedRestInput(RestInput):
    """REST channel for integrators with a token, refusing malformed requests with a clear 4xx."""

    def __init__(self) -> None:
        self.tokens = rest_channel_tokens()
        self.limit = ClientLimit(get_settings().rest_messages_per_minute)
        self.sender_key = rest_sender_key()

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def receive(request: Request) -> HTTPResponse:
            if not self.tokens:
                return _problem(403, "the REST channel is off on this server; an operator enables it for "
                                     "integrating systems with REST_CHANNEL_TOKENS (docs/security.md)")
            name = integrator(self.tokens, request.headers.get("Authorization", ""))
            if name is None:
                return _problem(401, "the REST channel needs an integrator's bearer token")
            return await answer_with_replies(
                request, on_new_message, self.name(),
                lambda sender: rest_conversation_id(name, sender, self.sender_key), limit=(self.limit, name))

        return webhook_blueprint("validated_rest_webhook", receive)
