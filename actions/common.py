"""What every action needs: the conversation's language and the latest entities."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.settings import SUPPORTED_LANGUAGES, get_settings


def conversation_language(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in SUPPORTED_LANGUAGES else get_settings().default_language


def latest_entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None

