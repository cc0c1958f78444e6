"""Nobody is left without an answer: when a turn produced no reply at all (the
action server or another part is down), the user is told so plainly, in the
conversation's language. Every message normally gets a reply (rules and a
fallback cover all intents), so silence means a fault."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic.request import Request

from bot.knowledge.render import default_renderer
from bot.runtime.admission import in_turn
from bot.settings import SUPPORTED_LANGUAGES, get_settings

logger = logging.getLogger(__name__)


def agent_of(request: Request) -> Any:
    return getattr(request.app.ctx, "agent", None)


async def conversation_language(agent: Any, message: UserMessage) -> str:
    """The conversation's language from its tracker, else the message's, else the default."""
    try:
        tracker = await agent.tracker_store.retrieve(message.sender_id) if agent and agent.tracker_store else None
        language = tracker.get_slot("language") if tracker else None
    except Exception:  # the store may be the part that is down
        language = None
    if language not in SUPPORTED_LANGUAGES:
        language = (message.metadata or {}).get("language")
    return language if language in SUPPORTED_LANGUAGES else get_settings().default_language


async def answer_limit(agent: Any, message: UserMessage, limit: str, **values: str) -> None:
    """Tells the user, in the conversation's language, that a message was over `limit`
    (knowledge/answers/limits.yml); the message itself does not reach Rasa."""
    language = await conversation_language(agent, message)
    await message.output_channel.send_text_message(
        message.sender_id, default_renderer().part(limit, "text", language, **values))


async def handle_or_apologise(
    agent: Any,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    replies_sent: Callable[[], int],
) -> None:
    """Passes the message to Rasa; if nothing was answered, sends the service notice."""
    before = replies_sent()
    try:
        await in_turn(lambda: on_new_message(message))
    except Exception:
        logger.exception("The message could not be handled")
    if replies_sent() == before:
        language = await conversation_language(agent, message)
        logger.warning("No reply was produced; the user gets the service notice")
        await message.output_channel.send_text_message(
            message.sender_id, default_renderer().part("service_unavailable", "text", language))
