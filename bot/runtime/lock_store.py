"""Rasa lock stores with each change to a conversation's lock made atomic: Redis for
several servers, SQLite for several workers of one server.

Rasa 3.6's RedisLockStore changes a lock by GET, change in Python, SET. With
one Rasa server that is safe (it never awaits in between); with several
servers sharing Redis, two of them can read the same lock at once: both then
hand out the same ticket number (and handle one conversation's messages at
the same time, losing or doubling events), or one deletes the lock while the
other has just queued on it (its message fails with "Could not acquire
lock"). Here every change runs in a Redis transaction (WATCH/MULTI: retried
when another server changed the lock meanwhile), and the key expires with its
last ticket, so a server that dies holding a lock does not block the
conversation for longer than the lock's lifetime.

Configured like `type: redis` in endpoints (url, port, db, password, key_prefix...).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
LOCK_POLL_SECONDS = 0.02


class AtomicTickets:
    """Ticket issue, expiry and release as single changes of the stored lock (`_change`)."""

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        raise NotImplementedError

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        # Rasa waits a whole second between looks at a busy lock: a user's second quick
        # message would wait that long for the first one's few milliseconds.
        return await super()._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, LOCK_POLL_SECONDS))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:  # Rasa's callers expect a LockError, as from the stock store
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Releasing the ticket deletes the lock when it was the last one, in the
        # same transaction: no other server's fresh ticket is deleted with it.
        self.finish_serving(conversation_id, ticket_number)


class AtomicRedisLockStore(AtomicTickets, RedisLockStore):
    """RedisLockStore whose ticket issue, release and expiry are single Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            options = dict(endpoint_config.kwargs)
            options.pop("type", None)
            if not options.get("password"):
                options.pop("password", None)
            kwargs = {"host": endpoint_config.url or "localhost", **options, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Applies `change` to the stored lock in one transaction; an empty lock is deleted."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            result = change(lock)
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                ttl = max(1, math.ceil(max(ticket.expires for ticket in lock.tickets) - time.time()))
                pipe.set(key, lock.dumps(), ex=ttl)
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)


class SQLiteLockStore(AtomicTickets, LockStore):
    """Locks in a SQLite file, for several Rasa workers on one machine (SANIC_WORKERS > 1).

    Rasa's in-memory lock store only serves one process; this one needs no
    Redis. Every change is one BEGIN IMMEDIATE transaction; a lock's row is
    deleted with its last ticket. Configured in endpoints as
    `type: bot.runtime.lock_store.SQLiteLockStore` with `db: <path>`.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, db: str | None = None, **_: Any) -> None:
        path = db or (endpoint_config.kwargs.get("db") if endpoint_config is not None else None)
        if not path:
            raise ValueError("SQLiteLockStore needs the path of its database (db)")
        super().__init__()
        # Autocommit mode: transactions are begun explicitly, as IMMEDIATE.
        self._connection = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS rasa_locks (conversation_id TEXT PRIMARY KEY, data TEXT NOT NULL)")

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            lock = self.get_lock(conversation_id) or TicketLock(conversation_id)
            result = change(lock)
            lock.remove_expired_tickets()
            if lock.tickets:
                self.save_lock(lock)
            else:
                self.delete_lock(conversation_id)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        row = self._connection.execute(
            "SELECT data FROM rasa_locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def delete_lock(self, conversation_id: str) -> None:
        self._connection.execute("DELETE FROM rasa_locks WHERE conversation_id = ?", (conversation_id,))

    def save_lock(self, lock: TicketLock) -> None:
        self._connection.execute("INSERT OR REPLACE INTO rasa_locks VALUES (?, ?)",
                                 (lock.conversation_id, lock.dumps()))
