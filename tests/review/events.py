"""Conversations written straight into a tracker-store `events` table, in Rasa's own event format."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

SCHEMA = """CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);"""


def user(text: str, intent: str, confidence: float = 0.9, language: str = "", channel: str = "rest",
         ranking: list[tuple[str, float]] | None = None, metadata: dict[str, Any] | None = None) -> UserUttered:
    entities = [{"entity": "language", "value": language, "start": 0, "end": len(text)}] if language else []
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities,
             "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])]}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, input_channel=channel, metadata=metadata or {})


def conversation(language: str, *turns: tuple[str, str, str], channel: str = "rest", fallback_on: int = -1,
                 actions: tuple[str, ...] = ()) -> list[Event]:
    """A session start, then per turn (user text, intent, bot reply); the turn `fallback_on` falls back."""
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for number, (text, intent, reply) in enumerate(turns):
        if number == fallback_on:
            events.append(user(text, "nlu_fallback", 0.3, language, channel, [("nlu_fallback", 0.3), (intent, 0.21)]))
            events += [ActionExecuted("action_suggest_topics"), BotUttered(reply)]
        else:
            events.append(user(text, intent, 0.93, language, channel))
            events += [SlotSet("language", language), ActionExecuted("action_answer_faq"), BotUttered(reply)]
        events.extend(ActionExecuted(name) for name in actions)
        events.append(ActionExecuted("action_listen"))
    return events


def write(db: Path, sender: str, events: list[Event], start: float | None = None, step: float = 5.0) -> None:
    """Appends `events` for `sender`, timestamped from `start` (default: now) `step` seconds apart."""
    start = time.time() if start is None else start
    with sqlite3.connect(db) as connection:
        connection.executescript(SCHEMA)
        for number, event in enumerate(events):
            event.timestamp = start + number * step
            data = event.as_dict()
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sender, event.type_name, event.timestamp, (data.get("parse_data") or {}).get("intent", {}).get("name"),
                 data.get("name"), json.dumps(data)))
