"""Exports: conversations as CSV or JSON, and reviewer-labelled messages as Rasa NLU training data (YAML).

Every text is passed through the redactor once more on its way out, and CSV
cells that a spreadsheet would run as a formula are neutralised. A conversation
is shown by its display id, never by the id its channel routes messages by.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.conversation_ids import display_id
from bot.privacy.redaction import default_redactor
from bot.review.store import Conversation, TrainingExample
from bot.review.summary import Turn, transcript
from bot.review.tracker import StoredEvent
from bot.settings import conversation_display_key

CSV_COLUMNS = ("conversation", "conversation_started", "channel", "conversation_language", "event_id", "time",
               "speaker", "message_language", "intent", "confidence", "text")


def local_time(timestamp: float, timezone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _display_key() -> str:
    return conversation_display_key()


def shown_id(sender_id: str) -> str:
    """What staff see of a conversation's stored id: its display id (no channel routes by it)."""
    return display_id(sender_id, _display_key())


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _messages(events: list[StoredEvent]) -> list[Turn]:
    return [turn for turn in transcript(events) if turn.kind in ("user", "bot")]


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(CSV_COLUMNS)
    return buffer.getvalue()


def csv_rows(conversations: Iterable[Conversation], events: dict[str, list[StoredEvent]], timezone: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for conversation in conversations:
        started = local_time(conversation.first_at, timezone)
        for turn in _messages(events.get(conversation.sender_id, [])):
            writer.writerow([_cell(v) for v in (
                conversation.id, started, conversation.channel, conversation.language, turn.event_id,
                local_time(turn.at, timezone), turn.kind, turn.language,
                turn.intent, f"{turn.confidence:.3f}" if turn.kind == "user" else "", turn.text)])
    return buffer.getvalue()


def json_conversation(conversation: Conversation, events: list[StoredEvent], tags: list[str], timezone: str) -> dict:
    return {
        "id": conversation.id,
        "sender": shown_id(conversation.sender_id),
        "channel": conversation.channel,
        "language": conversation.language,
        "started": local_time(conversation.first_at, timezone),
        "ended": local_time(conversation.last_at, timezone),
        "fallback": conversation.fallback,
        "booking": conversation.booking,
        "verification": conversation.verification,
        "tags": tags,
        "messages": [
            {"event_id": t.event_id, "time": local_time(t.at, timezone), "speaker": t.kind, "text": t.text}
            | ({"language": t.language, "intent": t.intent, "confidence": round(t.confidence, 3)}
               if t.kind == "user" else {})
            for t in _messages(events)
        ],
    }


def json_chunk(items: list[dict], first: bool) -> str:
    """Items of one JSON array written piecewise: '[' + items joined by ',' + ']' (see json_end)."""
    body = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    if not body:
        return "[" if first else ""
    return ("[\n" if first else ",\n") + body


def nlu_yaml(examples: Iterable[TrainingExample], note: str = "") -> str:
    """Rasa 3 NLU training data, one block per intent, each example once and on one line."""
    by_intent: dict[str, list[str]] = {}
    redact = default_redactor().redact
    for example in examples:
        line = " ".join(redact(example.text).split())
        if line and line not in by_intent.setdefault(example.intent, []):
            by_intent[example.intent].append(line)
    lines = [f"# {comment}" for comment in note.splitlines() if comment] + ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in by_intent[intent])
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"
