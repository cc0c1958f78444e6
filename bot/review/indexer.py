"""Keeps the review index up to date from the tracker's events, incrementally by event id.

Run by the web server in the background and before each list, search or
dashboard request; `python -m bot.review.indexer` catches up once from the
command line.
"""

from __future__ import annotations

import argparse
import threading
from collections import defaultdict

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from bot.review.store import (
    SEARCH_TABLE,
    Comment,
    Conversation,
    ConversationIntent,
    IndexState,
    ReviewDatabase,
    Tag,
    TrainingExample,
)
from bot.review.summary import apply_event, new_conversation
from bot.review.tracker import StoredEvent, TrackerEvents

BATCH_EVENTS = 5000
REREAD_EVENTS = 500
STATE_KEY = "last_event_id"


class Indexer:
    """Folds new tracker events into review_conversations; one refresh at a time per process."""

    def __init__(self, database: ReviewDatabase, tracker: TrackerEvents, timezone: str) -> None:
        self.database, self.tracker, self.timezone = database, tracker, timezone
        self._lock = threading.Lock()
        # PostgreSQL may commit ids out of order: the last events are read again (folding an
        # event twice is a no-op); SQLite commits one writer at a time, in id order.
        self.reread = 0 if tracker.url.startswith("sqlite") else REREAD_EVENTS

    def last_event_id(self, session: Session) -> int:
        state = session.get(IndexState, STATE_KEY)
        return state.value if state else 0

    def refresh(self, max_batches: int | None = None, wait: float = -1) -> int:
        """Indexes events written since the last refresh (at most `max_batches` batches); returns how
        many it read. With `wait` >= 0, gives up after that many seconds if another refresh is running."""
        read = 0
        if not self._lock.acquire(timeout=wait):
            return 0
        try:
            batches = 0
            while max_batches is None or batches < max_batches:
                last_id = self.database.transaction(self.last_event_id)
                events = self.tracker.after(max(0, last_id - self.reread), BATCH_EVENTS)
                if not events or events[-1].id <= last_id:
                    break
                self.database.transaction(lambda session, events=events: self._apply(session, events))
                read += len(events)
                batches += 1
        finally:
            self._lock.release()
        return read

    def delete(self, sender_ids: list[str], conversation_ids: list[int], before: float | None = None) -> None:
        """Deletes conversations from the tracker store and the index, with no refresh in between."""
        with self._lock:
            highest_left = self.tracker.delete(sender_ids, before)

            def forget(session: Session) -> None:
                remove_from_index(session, conversation_ids, self.database.is_sqlite)
                # SQLite numbers the next event after the highest one left: ids the index has
                # seen may come again, so the index continues from there.
                state = session.get(IndexState, STATE_KEY)
                if state is not None and state.value > highest_left:
                    state.value = highest_left

            self.database.transaction(forget)

    def _apply(self, session: Session, events: list[StoredEvent]) -> None:
        by_sender: dict[str, list[StoredEvent]] = defaultdict(list)
        for stored in events:
            by_sender[stored.sender_id].append(stored)
        existing = {c.sender_id: c for c in session.execute(
            select(Conversation).where(Conversation.sender_id.in_(list(by_sender)))).scalars()}
        known_intents: dict[int, set[str]] = defaultdict(set)
        if existing:
            for conversation_id, intent in session.execute(
                    select(ConversationIntent.conversation_id, ConversationIntent.intent)
                    .where(ConversationIntent.conversation_id.in_([c.id for c in existing.values()]))):
                known_intents[conversation_id].add(intent)
        old_text = {c.id: c.search_text for c in existing.values()}
        new_intent_rows = []
        changed = []
        for sender_id, sender_events in by_sender.items():
            conversation = existing.get(sender_id)
            if conversation is None:
                conversation = new_conversation(sender_id, sender_events[0], self.timezone)
                session.add(conversation)
            intents = set(known_intents.get(conversation.id, set())) if conversation.id else set()
            before = set(intents)
            for stored in sender_events:
                if stored.id > (conversation.last_event_id or 0):
                    apply_event(conversation, stored, intents)
            changed.append((conversation, intents - before))
        session.flush()  # new conversations get their ids
        for conversation, added in changed:
            new_intent_rows.extend({"conversation_id": conversation.id, "intent": intent[:255]} for intent in added)
        if new_intent_rows:
            session.execute(insert(ConversationIntent), new_intent_rows)
        if self.database.is_sqlite:
            self._update_search(session, [c for c, _ in changed], old_text)
        state = session.get(IndexState, STATE_KEY)
        if state is None:
            session.add(IndexState(key=STATE_KEY, value=events[-1].id))
        else:
            state.value = max(state.value, events[-1].id)

    @staticmethod
    def _update_search(session: Session, conversations: list[Conversation], old_text: dict[int, str]) -> None:
        # The FTS table indexes review_conversations.search_text (external content):
        # an old entry is removed with the text it was indexed with, then the new text added.
        removals = [{"id": c.id, "old": old_text[c.id]} for c in conversations if c.id in old_text]
        if removals:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
                                 "VALUES ('delete', :id, :old)"), removals)
        additions = [{"id": c.id, "text": c.search_text} for c in conversations]
        if additions:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}(rowid, search_text) VALUES (:id, :text)"), additions)


def remove_from_index(session: Session, conversation_ids: list[int], is_sqlite: bool) -> None:
    """Deletes conversations and everything staff attached to them from the review database."""
    if not conversation_ids:
        return
    if is_sqlite:
        rows = session.execute(select(Conversation.id, Conversation.search_text)
                               .where(Conversation.id.in_(conversation_ids))).all()
        if rows:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
                                 "VALUES ('delete', :id, :old)"), [{"id": i, "old": t} for i, t in rows])
    for table in (ConversationIntent, Tag, Comment, TrainingExample):
        session.execute(delete(table).where(table.conversation_id.in_(conversation_ids)))
    session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))


def main() -> None:
    from bot.settings import get_settings

    argparse.ArgumentParser(description="Bring the staff review index up to date with the conversation store.") \
        .parse_args()
    settings = get_settings()
    database = ReviewDatabase(settings.review_url)
    database.create_schema()
    read = Indexer(database, TrackerEvents(settings.tracker_url), settings.timezone).refresh()
    print(f"Indexed {read} new events.")


if __name__ == "__main__":
    main()
