"""Retention: the backend deletes what it no longer needs, on a timer, with the periods in bot/settings.

- bookings `booking_retention_days` after their appointment ended (names, phones, e-mail addresses);
- verifications and status tickets `cases_verification_retention_days` after they were made
  (a verification lives 15 minutes, a ticket a few hours: the rest is only for staff to look back);
- lockouts as soon as they are over (they count nothing afterwards);
- the case audit log `cases_audit_retention_days` after each entry;
- finished outbox messages (phone numbers, addresses) `outbox_retention_days` after they were written
  (the dispatcher blanks one-time-code texts after 15 minutes);
- PIN failure counters once they count nothing (the booking module's maintenance, bot/booking/api.py).

docs/security.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.backend.background import run_in_background
from bot.booking.models import Booking, Slot
from bot.cases.models import AuditEntry, Lockout, Ticket, Verification
from bot.notifications.outbox import delete_finished, utcnow
from bot.settings import Settings

logger = logging.getLogger(__name__)


def purge(session: Session, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """Deletes every row past its retention (naive UTC `now`); returns how many per table."""
    days = dt.timedelta(days=1)
    booking_cutoff = now - settings.booking_retention_days * days
    verification_cutoff = now - settings.cases_verification_retention_days * days
    lockout_window = dt.timedelta(seconds=settings.cases.lockout_seconds)
    past_slots = select(Slot.id).where(Slot.end < booking_cutoff).scalar_subquery()
    statements = {
        "booking_bookings": delete(Booking).where(Booking.slot_id.in_(past_slots)),
        "case_verifications": delete(Verification).where(Verification.created_at < verification_cutoff),
        "case_tickets": delete(Ticket).where(Ticket.created_at < verification_cutoff),
        "case_lockouts": delete(Lockout).where(
            Lockout.window_started_at < now - lockout_window,
            or_(Lockout.locked_until.is_(None), Lockout.locked_until < now)),
        "case_audit_log": delete(AuditEntry).where(
            AuditEntry.at < now - settings.cases_audit_retention_days * days),
    }
    deleted = {table: session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0
               for table, statement in statements.items()}
    deleted["outbox"] = delete_finished(session, now - settings.outbox_retention_days * days,
                                        settings.notify_max_attempts)
    return deleted


def setup(app: web.Application, context: Any, clock: Callable[[], dt.datetime] = utcnow) -> None:
    """Purges at start and then every `retention_interval_seconds` while the backend runs."""
    settings: Settings = context.settings

    async def run_forever() -> None:
        while True:
            try:
                deleted = await context.db.run(lambda session: purge(session, settings, clock()))
                if any(deleted.values()):
                    logger.info("retention: deleted %s", ", ".join(f"{n} from {t}" for t, n in deleted.items() if n))
            except Exception:
                logger.exception("retention purge failed; trying again later")
            await asyncio.sleep(settings.retention_interval_seconds)

    run_in_background(app, "retention", run_forever)
