"""Keeps the review index up to date from the tracker's events, incrementally by event id.

Run by the web server in the background and before each list, search or
dashboard request; `python -m bot.review.indexer` catches up once from the
command line.
"""

from __future__ import annotations

import argparse
import threading
from collections import defaultdict

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from bot.review.store import (
    SEARCH_TABLE,
    Comment,
    Conversation,
    ConversationIntent,
    ConversationText,
    IndexState,
    ReviewDatabase,
    Tag,
    TrainingExample,
)
from bot.review.summary import COLUMNS, Summary, apply_event, new_conversation
from bot.review.tracker import StoredEvent, TrackerEvents

BATCH_EVENTS = 5000
ANALYSE_AFTER_EVENTS = 50_000  # a refresh that read this many refreshes the planner's statistics too
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
                self.database.transaction(
                    lambda session, events=events, last_id=last_id: self._apply(session, events, last_id))
                read += len(events)
                batches += 1
            if read >= ANALYSE_AFTER_EVENTS:
                self.database.analyse()
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

    def _apply(self, session: Session, events: list[StoredEvent], read_after: int | None = None) -> None:
        table = Conversation.__table__
        by_sender: dict[str, list[StoredEvent]] = defaultdict(list)
        for stored in events:
            by_sender[stored.sender_id].append(stored)
        rows = session.execute(select(table).where(table.c.sender_id.in_(list(by_sender)))).mappings().all()
        known_intents: dict[int, set[str]] = defaultdict(set)
        texts: dict[int, str] = {}
        if rows:
            ids = [row["id"] for row in rows]
            for conversation_id, intent in session.execute(
                    select(ConversationIntent.conversation_id, ConversationIntent.intent)
                    .where(ConversationIntent.conversation_id.in_(ids))):
                known_intents[conversation_id].add(intent)
            texts = dict(session.execute(select(ConversationText.conversation_id, ConversationText.search_text)
                                         .where(ConversationText.conversation_id.in_(ids))).all())
        existing = {row["sender_id"]: Summary.from_row(row, texts.get(row["id"], ""), known_intents[row["id"]])
                    for row in rows}
        old_text = {summary.id: summary.search_text for summary in existing.values()}
        summaries = []
        for sender_id, sender_events in by_sender.items():
            summary = existing.get(sender_id) or new_conversation(sender_id, sender_events[0], self.timezone)
            for stored in sender_events:
                apply_event(summary, stored)
            summaries.append(summary)

        created = [summary for summary in summaries if summary.id is None]
        if created:
            session.execute(insert(table), [summary.row() for summary in created])
            ids = dict(session.execute(select(table.c.sender_id, table.c.id)
                                       .where(table.c.sender_id.in_([summary.sender_id for summary in created]))).all())
            for summary in created:
                summary.id = ids[summary.sender_id]
            session.execute(insert(ConversationText.__table__), [
                {"conversation_id": summary.id, "search_text": summary.search_text} for summary in created])
        updated = [summary for summary in summaries if summary.id in old_text]
        if updated:
            session.execute(update(table).where(table.c.id == bindparam("row_id")).values(
                {name: bindparam(name) for name in COLUMNS if name != "sender_id"}),
                [{**summary.row(), "row_id": summary.id} for summary in updated])
            texts_table = ConversationText.__table__
            new_texts = [{"row_id": s.id, "text": s.search_text} for s in updated if s.search_text != old_text[s.id]]
            if new_texts:
                session.execute(update(texts_table).where(texts_table.c.conversation_id == bindparam("row_id"))
                                .values(search_text=bindparam("text")), new_texts)
        new_intents = [{"conversation_id": summary.id, "intent": intent[:255]} for summary in summaries
                       for intent in summary.intents - known_intents.get(summary.id or -1, set())]
        if new_intents:
            session.execute(insert(ConversationIntent.__table__), new_intents)
        if self.database.is_sqlite:
            self._update_search(session, summaries, old_text)
        state = session.get(IndexState, STATE_KEY)
        if state is None:
            session.add(IndexState(key=STATE_KEY, value=events[-1].id))
        elif read_after is None or state.value == read_after:
            state.value = max(state.value, events[-1].id)
        # Otherwise a deletion in another process (the retention command) moved the position back
        # while this batch was read: SQLite will hand out those ids again, so it stays back.

    @staticmethod
    def _update_search(session: Session, summaries: list[Summary], old_text: dict[int, str]) -> None:
        # The FTS table indexes review_conversation_texts (external content): an old entry
        # is removed with the text it was indexed with, then the new text added.
        changed = [s for s in summaries if s.id not in old_text or s.search_text != old_text[s.id]]
        removals = [{"id": s.id, "old": old_text[s.id]} for s in changed if s.id in old_text]
        if removals:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
                                 "VALUES ('delete', :id, :old)"), removals)
        additions = [{"id": s.id, "text": s.search_text} for s in changed]
        if additions:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}(rowid, search_text) VALUES (:id, :text)"), additions)


def remove_from_index(session: Session, conversation_ids: list[int], is_sqlite: bool) -> None:
    """Deletes conversations and everything staff attached to them from the review database."""
    if not conversation_ids:
        return
    if is_sqlite:
        rows = session.execute(select(ConversationText.conversation_id, ConversationText.search_text)
                               .where(ConversationText.conversation_id.in_(conversation_ids))).all()
        if rows:
            session.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
                                 "VALUES ('delete', :id, :old)"), [{"id": i, "old": t} for i, t in rows])
    for table in (ConversationIntent, ConversationText, Tag, Comment, TrainingExample):
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
