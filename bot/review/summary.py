"""What a conversation's events mean for review: per-message details and the conversation summary.

One place decides what counts as a fallback, a booking, an identity
verification or a request for a person, from the event names the tracker
stores; both the index (bot/review/indexer.py) and the transcript use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.identity.tokens import IDENTITY_METADATA_KEY
from bot.privacy.redaction import default_redactor
from bot.review.tracker import StoredEvent

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_suggest_topics", "action_default_fallback", "action_two_stage_fallback"})
# Substrings of action and form names (not responses, which start with utter_).
BOOKING_MARKERS = ("book", "reservation", "appointment")
VERIFICATION_MARKERS = ("verif", "identity", "application_status", "case_status")
HANDOFF_MARKERS = ("handoff", "human", "live_agent")
SEARCH_TEXT_LIMIT = 20_000  # characters of a conversation's text kept for full-text search
LANGUAGE_SLOT = "language"


def _names(stored: StoredEvent) -> list[str]:
    """Action or form names an event carries (responses and listening left out)."""
    name = stored.data.get("name")
    if stored.type_name in ("action", "active_loop") and isinstance(name, str) and not name.startswith("utter_"):
        return [name]
    return []


def _marked(names: list[str], markers: tuple[str, ...]) -> bool:
    return any(marker in name for name in names for marker in markers)


def detected_language(data: dict[str, Any]) -> str:
    """The message's own language from the language detector's entities ('' when it could not tell)."""
    entities = (data.get("parse_data") or {}).get("entities") or []
    found = {e.get("entity"): e.get("value") for e in entities if isinstance(e, dict)}
    for key in ("requested_language", "language", "language_guess"):
        if isinstance(found.get(key), str):
            return found[key]
    return ""


def intent_of(data: dict[str, Any]) -> tuple[str, float]:
    intent = (data.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent.get("name"), str) else ""
    confidence = intent.get("confidence")
    return name or "", float(confidence) if isinstance(confidence, int | float) else 0.0


def best_guess(data: dict[str, Any]) -> tuple[str, float]:
    """For a fallback, the intent the classifier ranked highest below the threshold."""
    for ranked in (data.get("parse_data") or {}).get("intent_ranking") or []:
        if isinstance(ranked, dict) and ranked.get("name") not in (None, FALLBACK_INTENT):
            return str(ranked["name"]), float(ranked.get("confidence") or 0.0)
    return "", 0.0


def _verified(data: dict[str, Any]) -> bool:
    identity = (data.get("metadata") or {}).get(IDENTITY_METADATA_KEY)
    return isinstance(identity, dict) and identity.get("verified") is True


def local_day(timestamp: float, timezone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime("%Y-%m-%d")


@dataclass(slots=True)
class Summary:
    """A conversation's row in the index while events are folded into it (a plain object: fast to update)."""

    sender_id: str
    first_at: float
    last_at: float
    first_day: str
    language: str = ""
    channel: str = ""
    user_messages: int = 0
    bot_messages: int = 0
    fallback_messages: int = 0
    fallback: bool = False
    booking: bool = False
    verification: bool = False
    handoff: bool = False
    last_turn_fallback: bool = False
    first_user_text: str = ""
    search_text: str = ""
    last_event_id: int = 0
    id: int | None = None
    intents: set[str] = field(default_factory=set)

    def row(self) -> dict[str, Any]:
        """Column values of review_conversations."""
        return {name: getattr(self, name) for name in COLUMNS}

    @classmethod
    def from_row(cls, row: Any, search_text: str, intents: set[str]) -> Summary:
        return cls(**{name: row[name] for name in COLUMNS}, search_text=search_text, id=row["id"],
                   intents=set(intents))

    @property
    def contained(self) -> bool:
        return self.user_messages > 0 and not self.handoff and not self.last_turn_fallback


COLUMNS = ("sender_id", "first_at", "last_at", "first_day", "language", "channel", "user_messages", "bot_messages",
           "fallback_messages", "fallback", "booking", "verification", "handoff", "last_turn_fallback",
           "first_user_text", "last_event_id")


def new_conversation(sender_id: str, first: StoredEvent, timezone: str) -> Summary:
    return Summary(sender_id, first.timestamp, first.timestamp, local_day(first.timestamp, timezone))


def apply_event(summary: Summary, stored: StoredEvent) -> None:
    """Folds one event into the summary; events arrive in id order, possibly over several refreshes."""
    if stored.id <= summary.last_event_id:
        return  # seen before (a re-read)
    data = stored.data
    if stored.timestamp:
        summary.first_at = min(summary.first_at, stored.timestamp)
        summary.last_at = max(summary.last_at, stored.timestamp)
    summary.last_event_id = stored.id
    kind = stored.type_name
    if kind == "user":
        intent, _ = intent_of(data)
        summary.user_messages += 1
        if intent:
            summary.intents.add(intent)
        summary.last_turn_fallback = intent == FALLBACK_INTENT
        if intent == FALLBACK_INTENT:
            summary.fallback = True
            summary.fallback_messages += 1
        if not summary.channel and isinstance(data.get("input_channel"), str):
            summary.channel = data["input_channel"][:32]
        if not summary.language:
            summary.language = detected_language(data)[:8]
        if _verified(data):
            summary.verification = True
        if _marked([intent], HANDOFF_MARKERS):
            summary.handoff = True
        text = default_redactor().redact(data.get("text") or "")
        if text and not summary.first_user_text:
            summary.first_user_text = text[:200]
        _add_search_text(summary, text)
    elif kind == "bot":
        summary.bot_messages += 1
        _add_search_text(summary, default_redactor().redact(data.get("text") or ""))
    elif kind == "slot" and data.get("name") == LANGUAGE_SLOT and isinstance(data.get("value"), str):
        summary.language = data["value"][:8]
    elif names := _names(stored):
        if any(name in FALLBACK_ACTIONS for name in names) and not summary.last_turn_fallback:
            summary.last_turn_fallback = True
            summary.fallback = True
            summary.fallback_messages += 1
        summary.booking = summary.booking or _marked(names, BOOKING_MARKERS)
        summary.verification = summary.verification or _marked(names, VERIFICATION_MARKERS)
        summary.handoff = summary.handoff or _marked(names, HANDOFF_MARKERS)


def _add_search_text(summary: Summary, text: str) -> None:
    if text and len(summary.search_text) < SEARCH_TEXT_LIMIT:
        joined = f"{summary.search_text}\n{text}" if summary.search_text else text
        summary.search_text = joined[:SEARCH_TEXT_LIMIT]


@dataclass
class Turn:
    """One line of a transcript."""

    kind: str                      # "user", "bot" or "session"
    event_id: int
    at: float
    text: str = ""
    language: str = ""             # detected for this message ('' when too short to tell)
    conversation_language: str = ""
    intent: str = ""
    confidence: float = 0.0
    guess: str = ""                # the best real intent when the message fell back
    guess_confidence: float = 0.0
    fallback: bool = False
    channel: str = ""
    buttons: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def transcript(events: list[StoredEvent]) -> list[Turn]:
    """User messages with language, intent and confidence, and the bot's replies, all redacted again."""
    redact = default_redactor().redact
    turns: list[Turn] = []
    language = ""
    last_user: Turn | None = None
    for stored in events:
        data = stored.data
        if stored.type_name == "user":
            intent, confidence = intent_of(data)
            guess, guess_confidence = best_guess(data) if intent == FALLBACK_INTENT else ("", 0.0)
            detected = detected_language(data)
            last_user = Turn(
                "user", stored.id, stored.timestamp, redact(data.get("text") or ""), detected,
                detected or language, intent, confidence, guess, guess_confidence, intent == FALLBACK_INTENT,
                str(data.get("input_channel") or ""))
            turns.append(last_user)
        elif stored.type_name == "bot":
            buttons = (data.get("data") or {}).get("buttons") or []
            titles = [redact(str(b.get("title", ""))) for b in buttons if isinstance(b, dict)]
            turns.append(Turn("bot", stored.id, stored.timestamp, redact(data.get("text") or ""), buttons=titles))
        elif stored.type_name == "slot" and data.get("name") == LANGUAGE_SLOT and isinstance(data.get("value"), str):
            language = data["value"]
            if last_user is not None and not last_user.language:
                last_user.conversation_language = language
        elif stored.type_name == "session_started":
            turns.append(Turn("session", stored.id, stored.timestamp))
        elif last_user is not None and (names := _names(stored)):
            last_user.actions.extend(name for name in names if name != "action_listen")
            if any(name in FALLBACK_ACTIONS for name in names):
                last_user.fallback = True
    return turns
