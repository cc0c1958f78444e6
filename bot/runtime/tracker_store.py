"""The redacting SQL tracker store for a shared PostgreSQL: rides out brief outages and
fails the turn, plainly, on longer ones.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore`: when the
database cannot be read it starts the conversation afresh in memory, and when
it cannot be written it keeps the events in that one server's memory. With
several servers that silently forks a conversation (its context is lost, and
what was said meanwhile never reaches the database). `FailLoudTrackerStore`
passes the error on instead; the launcher installs it as the Agent's wrapper in
every setup (the patch `fail_loud_tracker_store`). For PostgreSQL,
`ResilientSQLTrackerStore` adds:

- pooled connections are checked before use, so the first message after the
  database restarts does not fail on a connection the restart closed;
- a failed read or write is retried for about two seconds (a restart, a
  fail-over);
- then the error goes up to the channel, which tells the user the service is
  unavailable right now (bot/runtime/notice.py), and nothing of the turn is
  stored anywhere: the next message continues from the database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.privacy.tracker_store import RedactingSQLTrackerStore

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 0.5, 1.2)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation store could not be read or written; the turn is abandoned."""


class FailLoudTrackerStore(FailSafeTrackerStore):
    """Rasa's wrapper, with store errors passed on instead of a fallback to memory."""

    def on_tracker_store_error(self, error: Exception) -> None:
        raise TrackerStoreUnavailable(str(error)) from error

    def on_tracker_store_retrieve_error(self, error: Exception) -> None:
        raise TrackerStoreUnavailable(str(error)) from error


def _is_transient(error: Exception) -> bool:
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


class ResilientSQLTrackerStore(RedactingSQLTrackerStore):
    """RedactingSQLTrackerStore with pre-pinged connections and brief retries (PostgreSQL)."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        # Same engine settings as Rasa's, plus a liveness check of pooled connections.
        url, options = self.engine.url, {}
        if url.get_backend_name() == "postgresql":
            pool = self.engine.pool
            options = {"pool_size": pool.size(), "max_overflow": pool._max_overflow}
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _with_retries(self, what: str, call: Any) -> Any:
        for attempt, delay in enumerate((*RETRY_DELAYS, None), 1):
            try:
                return await call()
            except Exception as error:
                if delay is None or not _is_transient(error):
                    raise
                logger.warning("Tracker store %s failed (attempt %d), retrying: %s", what, attempt,
                               type(error).__name__)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._with_retries("read", lambda: super(ResilientSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._with_retries(
            "read", lambda: super(ResilientSQLTrackerStore, self).retrieve_full_tracker(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._with_retries("write", lambda: super(ResilientSQLTrackerStore, self).save(tracker))
