"""The backend's SQL database: one engine, one declarative base, sessions run off the event loop.

SQLite (the default) and PostgreSQL (BACKEND_DB_URL=postgresql://...) are
both supported; every module declares its tables on `Base`, so `create_all`
makes the whole schema.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy.pool import QueuePool, StaticPool

from bot.sqlite import on_connect

Base = declarative_base()
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_size=10, max_overflow=10, pool_pre_ping=True,
                             hide_parameters=True)
    options: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if url in ("sqlite://", "sqlite:///:memory:"):
        options["poolclass"] = StaticPool  # one shared in-memory database (unit tests)
    else:
        # SQLAlchemy 1.4 opens a new file connection per transaction by default: reopening,
        # the pragmas and a WAL checkpoint on close doubled a booking's time (32 -> 14 ms).
        options["poolclass"] = QueuePool
    engine = create_engine(url, future=True, hide_parameters=True, **options)

    # The driver's implicit transactions are switched off so that every write
    # transaction starts with BEGIN IMMEDIATE (below): writers queue up instead of
    # failing or reading stale rows.
    on_connect(engine, "journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", driver_transactions=False)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Runs blocking SQLAlchemy work in a small thread pool, one transaction per call.

    Subclasses (the review database) choose their engine, pool size and schema."""

    thread_name = "db"

    def __init__(self, url: str, workers: int = 8) -> None:
        self.url = url
        self.engine = self.make_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        self._executor = ThreadPoolExecutor(max_workers=self.threads(workers), thread_name_prefix=self.thread_name)

    @staticmethod
    def make_engine(url: str) -> Engine:
        return make_engine(url)

    def threads(self, workers: int) -> int:
        # SQLite allows one writer at a time; more threads would only wait on its lock.
        return 1 if self.is_sqlite else workers

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Runs `work` in one transaction (committed on return, rolled back on error)."""
        with Session(self.engine, future=True, expire_on_commit=False) as session, session.begin():
            return work(session)

    async def run(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.transaction, work)

    async def call(self, work: Callable[[], T]) -> T:
        """Runs any blocking function (tracker reads, exports) on the same threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
