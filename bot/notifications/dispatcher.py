"""Sends due outbox messages: claim a batch, send outside any transaction, record the outcome.

Claiming pushes a message's `send_after` a lease ahead and counts the attempt,
so a crash mid-send means a retry, not a loss, and several backend processes
can share one PostgreSQL outbox (claims use SKIP LOCKED). A failed message is
retried with exponential backoff until `max_attempts`. Finished messages (sent,
withdrawn or given up) are deleted with the backend's other tables
(`outbox.delete_finished`, run by bot/backend/retention.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.backend.db import Database
from bot.notifications.outbox import OutboxMessage, utcnow
from bot.notifications.senders import Outgoing, Sender, SendError

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=1)
# One-time codes are worthless after their lifetime (5 minutes); their texts are
# not kept for longer than this, sent or not.
SCRUBBED_KINDS = ("verification_code",)
SCRUB_AFTER = dt.timedelta(minutes=15)
SCRUBBED_BODY = "[removed after use]"


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... at most an hour."""
    return min(FIRST_RETRY * 2 ** min(max(0, attempts - 1), 16), LONGEST_RETRY)


class Dispatcher:
    def __init__(self, db: Database, senders: Mapping[str, Sender], *, poll_seconds: float = 1.0,
                 max_attempts: int = 8, batch: int = 50,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db, self.senders = db, senders
        self.poll_seconds, self.max_attempts, self.batch, self.clock = poll_seconds, max_attempts, batch, clock
        self.wake = asyncio.Event()

    def claim(self, session: Session) -> list[Outgoing]:
        now = self.clock()
        query = (select(OutboxMessage)
                 .where(OutboxMessage.sent_at.is_(None), OutboxMessage.withdrawn_at.is_(None),
                        OutboxMessage.send_after <= now, OutboxMessage.attempts < self.max_attempts)
                 .order_by(OutboxMessage.send_after, OutboxMessage.id).limit(self.batch))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for message in session.execute(query).scalars():
            message.attempts += 1
            message.send_after = now + LEASE
            claimed.append(Outgoing(message.id, message.channel, message.recipient, message.kind,
                                    message.subject, message.body))
        return claimed

    def record(self, session: Session, outcomes: list[tuple[int, str | None]]) -> None:
        now = self.clock()
        for message_id, error in outcomes:
            message = session.get(OutboxMessage, message_id)
            if message is None:
                continue
            if error is None:
                message.sent_at, message.last_error = now, None
            else:
                message.last_error = error[:200]
                message.send_after = now + retry_delay(message.attempts)

    async def _send(self, message: Outgoing) -> tuple[int, str | None]:
        sender = self.senders.get(message.channel)
        try:
            if sender is None:
                raise SendError(f"no sender for channel {message.channel}")
            await sender.send(message)
        except SendError as error:
            log.warning("outbox message %d (%s, %s) not sent: %s", message.id, message.kind, message.channel, error)
            return message.id, str(error)
        return message.id, None

    def scrub(self, session: Session) -> int:
        """Blanks the texts of one-time-code messages older than SCRUB_AFTER; returns how many."""
        cutoff = self.clock() - SCRUB_AFTER
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind.in_(SCRUBBED_KINDS), OutboxMessage.created_at < cutoff,
                   OutboxMessage.body != SCRUBBED_BODY)
            .values(body=SCRUBBED_BODY))
        return result.rowcount or 0

    async def run_once(self) -> int:
        """Sends one batch of due messages; returns how many were attempted."""
        await self.db.run(self.scrub)
        claimed = await self.db.run(self.claim)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._send(message) for message in claimed))
        await self.db.run(lambda session: self.record(session, list(outcomes)))
        return len(claimed)

    async def run_forever(self) -> None:
        while True:
            try:
                while await self.run_once() == self.batch:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox dispatch failed; retrying")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def close(self) -> None:
        for sender in self.senders.values():
            await sender.close()
