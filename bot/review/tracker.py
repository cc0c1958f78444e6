"""Reads Rasa's `events` table (the redacting SQL tracker store) for the review tool.

Reads go through a read-only connection (SQLite `mode=ro`, PostgreSQL
`READ ONLY` transactions); only the deletion of whole conversations (retention,
data-subject requests) opens a writable one. A store that does not exist yet
reads as empty.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

logger = logging.getLogger(__name__)

EVENTS = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class StoredEvent:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: dict[str, Any]


def read_only_url(url: str) -> str:
    """SQLite file URLs opened read-only; other URLs unchanged."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix):] not in ("", ":memory:") and "mode=" not in url:
        return f"sqlite:///file:{url[len(prefix):]}?mode=ro&uri=true"
    return url


def _engine(url: str, read_only: bool) -> Engine:
    if url.startswith("sqlite"):
        return create_engine(read_only_url(url) if read_only else url, future=True, hide_parameters=True,
                             connect_args={"check_same_thread": False, "timeout": 30})
    engine = create_engine(url, future=True, pool_size=5, max_overflow=5, pool_pre_ping=True, hide_parameters=True)
    if read_only:
        @event.listens_for(engine, "begin")
        def _read_only(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    return engine


def _row(row: Any) -> StoredEvent:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    return StoredEvent(row.id, row.sender_id, row.type_name, float(row.timestamp or 0.0),
                       data if isinstance(data, dict) else {})


class TrackerEvents:
    """The conversation store's events, read-only except for deleting whole conversations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._reader: Engine | None = None
        self._writer: Engine | None = None

    @property
    def reader(self) -> Engine:
        if self._reader is None:
            self._reader = _engine(self.url, read_only=True)
        return self._reader

    def _select(self, statement: Any) -> list[StoredEvent]:
        try:
            with self.reader.connect() as connection:
                return [_row(row) for row in connection.execute(statement)]
        except (OperationalError, ProgrammingError) as error:
            # No store yet (Rasa has not written anything): nothing to read.
            logger.debug("tracker store not readable yet: %s", error.__class__.__name__)
            return []

    def after(self, last_id: int, limit: int) -> list[StoredEvent]:
        """Events with id greater than `last_id`, oldest first."""
        return self._select(select(EVENTS).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(limit))

    def of(self, sender_id: str) -> list[StoredEvent]:
        return self._select(select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id))

    def of_many(self, sender_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        found: dict[str, list[StoredEvent]] = {}
        senders = list(sender_ids)
        for start in range(0, len(senders), 500):
            chunk = senders[start:start + 500]
            for stored in self._select(select(EVENTS).where(EVENTS.c.sender_id.in_(chunk)).order_by(EVENTS.c.id)):
                found.setdefault(stored.sender_id, []).append(stored)
        return found

    def max_id(self) -> int:
        try:
            with self.reader.connect() as connection:
                return int(connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0)
        except (OperationalError, ProgrammingError):
            return 0

    def delete(self, sender_ids: Iterable[str], before: float | None = None) -> int:
        """Deletes the events of these conversations (only those older than `before` if given), in one
        transaction; returns the highest event id left, as SQLite gives the next event that id plus one."""
        senders = list(sender_ids)
        if self._writer is None:
            self._writer = _engine(self.url, read_only=False)
        try:
            with self._writer.begin() as connection:
                for start in range(0, len(senders), 500):
                    statement = delete(EVENTS).where(EVENTS.c.sender_id.in_(senders[start:start + 500]))
                    if before is not None:
                        statement = statement.where(EVENTS.c.timestamp < before)
                    connection.execute(statement)
                return int(connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0)
        except (OperationalError, ProgrammingError) as error:
            if "no such table" not in str(error) and "does not exist" not in str(error):
                raise
            return 0

    def close(self) -> None:
        for engine in (self._reader, self._writer):
            if engine is not None:
                engine.dispose()
