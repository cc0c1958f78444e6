"""Keeps each recent conversation's tracker in the Rasa server's memory between turns.

Rasa's SQL tracker store reads and rebuilds the whole session from the
database at the start of every message, and counts the stored events again
before every write: about a quarter of the server's time under load
(bench/load, py-spy). A cached tracker is used again only when the database
still holds exactly what this process last wrote for the conversation's
current session: the same number of rows and the same highest event id. So another Rasa server or
worker writing to the conversation, a deletion by the review tool, or a turn
that failed before it was saved all lead back to the database.

A tracker in which a new session has started is not kept: the next message
reads it back from the database, where Rasa's store reads only the current
session, so the tracker in memory holds one session (SESSION_MAX_TURNS user
messages at most), not the whole conversation.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

# A conversation of 20 messages holds about 0.1-0.2 MB of event objects: 500 bound the
# cache at about 100 MB per worker (bench/soak grew 96 MB per 10,000 messages with 5,000),
# and a conversation's next message rarely comes after 500 others have been active.
CACHED_CONVERSATIONS = 500

Marker = tuple[int, int]  # (rows, highest event id) of one conversation's current session in the events table


def current_session_start(events: sa.Table, sender_id: Any) -> sa.ScalarSelect:
    """The id of the conversation's latest SessionStarted row (0 before any): every query of the
    current session starts there, found through an index (bot/privacy/tracker_store.py), so it
    costs the same in a long conversation as in a short one."""
    latest = sa.select(sa.func.max(events.c.id)).where(
        events.c.sender_id == sender_id, events.c.type_name == SessionStarted.type_name)
    return sa.func.coalesce(latest.scalar_subquery(), 0)


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    stored: int     # how many of tracker.events are in the database
    marker: Marker


class TrackerCache:
    """The last saved tracker per conversation, least recently used dropped first."""

    def __init__(self, events: sa.Table, size: int = CACHED_CONVERSATIONS) -> None:
        self.events, self.size = events, size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        # Built once: SQLAlchemy then reuses its compiled form (16 instead of 110 us a query, twice a message).
        # Over the current session only: counting the whole conversation's rows grew with its length
        # (3 ms a query at 9,000 rows, twice a message; bench/longconv).
        self._marker_query = sa.select(sa.func.count(), sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id"),
            events.c.id >= current_session_start(events, sa.bindparam("sender_id"))
        )

    def marker(self, session: Session, sender_id: str) -> Marker:
        rows, highest = session.execute(self._marker_query, {"sender_id": sender_id}).one()
        return int(rows), int(highest or 0)

    def get(self, sender_id: str, marker: Marker) -> DialogueStateTracker | None:
        """The cached tracker if nothing changed it since it was saved, in memory or in the database
        (`marker`: the conversation's rows as the database holds them now)."""
        entry = self._entries.get(sender_id)
        if entry is None:
            return None
        if len(entry.tracker.events) != entry.stored or marker != entry.marker:
            del self._entries[sender_id]
            return None
        self._entries.move_to_end(sender_id)
        return entry.tracker

    def unsaved_events(self, tracker: DialogueStateTracker) -> list | None:
        """Events of a tracker this cache handed out that are not in the database yet (None: not known here)."""
        entry = self._entries.get(tracker.sender_id)
        if entry is None or entry.tracker is not tracker:
            return None
        return list(tracker.events)[entry.stored:]

    def remember(self, tracker: DialogueStateTracker, marker: Marker) -> None:
        """Called with the conversation's marker read in the transaction that stored the tracker."""
        if tracker._max_event_history is not None:
            return  # a capped history stops growing: unsaved changes would go unnoticed
        if self._started_new_session(tracker):
            self.forget(tracker.sender_id)
            return
        self._entries[tracker.sender_id] = _Entry(tracker, len(tracker.events), marker)
        self._entries.move_to_end(tracker.sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def _started_new_session(self, tracker: DialogueStateTracker) -> bool:
        """Whether a session started after the tracker's first events, among those not seen here before."""
        entry = self._entries.get(tracker.sender_id)
        seen = entry.stored if entry is not None and entry.tracker is tracker else 0
        return any(isinstance(event, SessionStarted) for event in islice(tracker.events, max(seen, 2), None))

    def forget(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def clear(self) -> None:
        self._entries.clear()
