"""Deleting conversations: after REVIEW_RETENTION_DAYS (scheduled hourly in the web server,
or `python -m bot.review.retention`), and one conversation at an admin's request (data-subject request).

Events go from the conversation store and the conversation with its tags,
comments and training examples from the review database; the audit log
keeps that it happened.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import select

from bot.review.audit import record
from bot.review.indexer import Indexer
from bot.review.store import Conversation, ReviewDatabase
from bot.review.tracker import TrackerEvents

CHUNK = 1000


def delete_expired(database: ReviewDatabase, indexer: Indexer, days: int, now: float | None = None) -> int:
    """Deletes conversations whose last event is older than `days`; returns how many."""
    cutoff = (time.time() if now is None else now) - days * 86400
    indexer.refresh()
    deleted = 0
    while True:
        expired = database.transaction(lambda s: s.execute(
            select(Conversation.id, Conversation.sender_id).where(Conversation.last_at < cutoff)
            .order_by(Conversation.id).limit(CHUNK)).all())
        if not expired:
            break
        # Events newer than the cutoff (the user came back meanwhile) stay and are indexed anew.
        indexer.delete([sender for _, sender in expired], [i for i, _ in expired], before=cutoff)
        deleted += len(expired)
    if deleted:
        database.transaction(lambda s: record(s, "system", "retention", detail=f"{deleted} conversations, {days} days"))
    return deleted


def delete_conversation(database: ReviewDatabase, indexer: Indexer, conversation_id: int, username: str,
                        client: str = "") -> bool:
    """Deletes one conversation entirely; False when there is no such conversation."""
    sender_id = database.transaction(lambda s: s.execute(
        select(Conversation.sender_id).where(Conversation.id == conversation_id)).scalar_one_or_none())
    if sender_id is None:
        return False
    indexer.delete([sender_id], [conversation_id])
    database.transaction(lambda s: record(s, username, "delete", conversation_id, client=client))
    return True


def main() -> None:
    from bot.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(description="Delete conversations older than the retention period.")
    parser.add_argument("--days", type=int, default=settings.review_retention_days,
                        help=f"retention in days (default REVIEW_RETENTION_DAYS={settings.review_retention_days})")
    args = parser.parse_args()
    if args.days < 1:
        parser.error("--days must be at least 1")
    database = ReviewDatabase(settings.review_url, workers=1)
    database.create_schema()
    tracker = TrackerEvents(settings.tracker_url)
    deleted = delete_expired(database, Indexer(database, tracker, settings.timezone), args.days)
    print(f"Deleted {deleted} conversations older than {args.days} days.")


if __name__ == "__main__":
    main()
