"""The review database: conversation index, tags, comments, training examples, staff, sessions, audit log.

Separate from the conversation store (REVIEW_DB_URL; SQLite beside the
tracker DB by default, PostgreSQL by URL). The index holds one row per
conversation, kept up to date from the tracker's `events` table by
bot/review/indexer.py; on SQLite an FTS5 table over its redacted text serves
full-text search (PostgreSQL: ILIKE over the same text).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base
from sqlalchemy.pool import StaticPool

from bot.backend.db import Database
from bot.sqlite import on_connect

ReviewBase = declarative_base()


class Conversation(ReviewBase):
    """One conversation (a Rasa sender id) as the list, filters, search and dashboard see it."""

    __tablename__ = "review_conversations"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, unique=True)
    first_at = Column(Float, nullable=False)
    last_at = Column(Float, nullable=False, index=True)
    first_day = Column(String(10), nullable=False, index=True)  # local date, for per-day counts
    language = Column(String(8), nullable=False, default="", index=True)
    channel = Column(String(32), nullable=False, default="", index=True)
    user_messages = Column(Integer, nullable=False, default=0)
    bot_messages = Column(Integer, nullable=False, default=0)
    fallback_messages = Column(Integer, nullable=False, default=0)
    fallback = Column(Boolean, nullable=False, default=False, index=True)
    booking = Column(Boolean, nullable=False, default=False, index=True)
    verification = Column(Boolean, nullable=False, default=False, index=True)
    handoff = Column(Boolean, nullable=False, default=False)
    last_turn_fallback = Column(Boolean, nullable=False, default=False)
    first_user_text = Column(Text, nullable=False, default="")
    last_event_id = Column(Integer, nullable=False, default=0)

    @property
    def contained(self) -> bool:
        """Answered by the bot alone: the user wrote, never asked for a person, and the last turn was understood."""
        return self.user_messages > 0 and not self.handoff and not self.last_turn_fallback


class ConversationText(ReviewBase):
    """A conversation's redacted text for full-text search (apart, so that the summary rows stay small)."""

    __tablename__ = "review_conversation_texts"
    conversation_id = Column(Integer, ForeignKey("review_conversations.id"), primary_key=True)
    search_text = Column(Text, nullable=False, default="")


class ConversationIntent(ReviewBase):
    __tablename__ = "review_conversation_intents"
    conversation_id = Column(Integer, ForeignKey("review_conversations.id"), primary_key=True)
    intent = Column(String(255), primary_key=True)
    __table_args__ = (Index("ix_review_intent_conversation", "intent", "conversation_id"),)


class Tag(ReviewBase):
    __tablename__ = "review_tags"
    conversation_id = Column(Integer, ForeignKey("review_conversations.id"), primary_key=True)
    tag = Column(String(40), primary_key=True)
    created_by = Column(String(64), nullable=False)
    created_at = Column(Float, nullable=False)
    __table_args__ = (Index("ix_review_tag_conversation", "tag", "conversation_id"),)


class Comment(ReviewBase):
    __tablename__ = "review_comments"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("review_conversations.id"), nullable=False, index=True)
    author = Column(String(64), nullable=False)
    created_at = Column(Float, nullable=False)
    body = Column(Text, nullable=False)


class TrainingExample(ReviewBase):
    """A user message a reviewer labelled with the intent it should have had."""

    __tablename__ = "review_training_examples"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("review_conversations.id"), nullable=False, index=True)
    event_id = Column(Integer, nullable=False, unique=True)
    text = Column(Text, nullable=False)
    intent = Column(String(255), nullable=False)
    predicted_intent = Column(String(255), nullable=False, default="")
    language = Column(String(8), nullable=False, default="")
    created_by = Column(String(64), nullable=False)
    created_at = Column(Float, nullable=False)


class Account(ReviewBase):
    __tablename__ = "review_accounts"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    created_at = Column(Float, nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)


class StaffSession(ReviewBase):
    __tablename__ = "review_sessions"
    token_hash = Column(String(64), primary_key=True)  # sha256 of the cookie value
    account_id = Column(Integer, ForeignKey("review_accounts.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(Float, nullable=False)
    last_seen = Column(Float, nullable=False)


class AuditEntry(ReviewBase):
    __tablename__ = "review_audit"
    id = Column(Integer, primary_key=True)
    at = Column(Float, nullable=False, index=True)
    username = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    conversation_id = Column(Integer, nullable=True)
    detail = Column(Text, nullable=False, default="")
    client = Column(String(64), nullable=False, default="")


class IndexState(ReviewBase):
    __tablename__ = "review_index_state"
    key = Column(String(32), primary_key=True)
    value = Column(Integer, nullable=False)


SEARCH_TABLE = "review_search"


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_size=5, max_overflow=5, pool_pre_ping=True,
                             hide_parameters=True)
    options: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if url in ("sqlite://", "sqlite:///:memory:"):
        options["poolclass"] = StaticPool
    engine = create_engine(url, future=True, hide_parameters=True, **options)

    # WAL: readers never wait for the indexer.
    on_connect(engine, "journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL")

    return engine


class ReviewDatabase(Database):
    """The review database's engine, schema and threads for running work off the event loop."""

    thread_name = "review-db"
    make_engine = staticmethod(make_engine)

    def __init__(self, url: str, workers: int = 4) -> None:
        super().__init__(url, workers)

    def threads(self, workers: int) -> int:
        return workers  # staff pages only read; in WAL mode readers never wait for each other

    def create_schema(self) -> None:
        ReviewBase.metadata.create_all(self.engine)
        if self.is_sqlite:
            with self.engine.begin() as connection:
                connection.execute(text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
                    "search_text, content='review_conversation_texts', content_rowid='conversation_id', "
                    "tokenize='unicode61 remove_diacritics 2')"))

    def analyse(self) -> None:
        """Refreshes SQLite's statistics, so that its planner starts a search from the most selective filter
        (PostgreSQL's autovacuum does this by itself)."""
        if self.is_sqlite:
            with self.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
