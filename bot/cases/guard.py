"""Abuse limits of the status check: rate limits in memory, lockouts in the database.

Rate limits count verification starts per conversation and per customer
number (whether or not it exists), codes per phone and in all, and status
look-ups per conversation. A conversation that goes over its start limit, or
collects `lockout_failures` wrong codes, is locked out for `lockout_seconds`;
lockouts are rows, so a restart does not lift them. A customer number is never
locked out (anyone could do it in the applicant's name): it is protected by
its codes going only to its own phone, a few an hour, each good for a few tries
(bot/cases/verification.py); many starts for it are audited. Those few codes an hour
slow the applicant down when others used them up, but never shut them out: asked by
SMS from the phone on record, a code always goes (`allow_code`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.ratelimit import RateLimiter
from bot.cases.models import Lockout
from bot.settings import CaseSettings


def client_lock_key(client: str) -> str:
    return f"client:{client[:64]}"


class Guard:
    """The rate limiters of one backend process (thread-safe: database work runs in threads)."""

    def __init__(self, settings: CaseSettings) -> None:
        window = settings.rate_window_seconds
        self.settings = settings
        self.starts_per_client = RateLimiter(settings.starts_per_client, window)
        self.starts_per_subject = RateLimiter(settings.starts_per_customer, window)
        self.codes_per_phone = RateLimiter(settings.sms_per_phone, window)
        self.codes_in_all = RateLimiter(settings.sms_per_window, window)
        self.status_per_client = RateLimiter(settings.status_per_client, window)
        self._lock = threading.Lock()

    def allow(self, limiter: RateLimiter, key: str) -> bool:
        with self._lock:
            return limiter.allow(key)

    def allow_code(self, phone: str, asked_from_that_phone: bool = False) -> bool:
        """A code may go to `phone` (counted only when it may). Asked by SMS from `phone` itself, it
        always may: nobody else is flooded, and the conversation's own start limit bounds it, so
        codes used up in the applicant's name from other sessions never keep the applicant out."""
        if asked_from_that_phone:
            return True
        with self._lock:
            if self.codes_per_phone.retry_after(phone) > 0 or self.codes_in_all.retry_after("all") > 0:
                return False
            return self.codes_per_phone.allow(phone) and self.codes_in_all.allow("all")

    def prune(self) -> None:
        with self._lock:
            for limiter in (self.starts_per_client, self.starts_per_subject, self.codes_per_phone,
                            self.codes_in_all, self.status_per_client):
                limiter.prune()


def locked_until(session: Session, keys: Iterable[str], now: dt.datetime) -> dt.datetime | None:
    """The latest end of a lockout in force on any of `keys`, else None."""
    rows = session.execute(select(Lockout.locked_until).where(Lockout.key.in_(list(keys)))).scalars()
    active = [until for until in rows if until is not None and until > now]
    return max(active) if active else None


def lock(session: Session, key: str, now: dt.datetime, settings: CaseSettings) -> None:
    row = session.get(Lockout, key) or Lockout(key=key, failures=0, window_started_at=now)
    row.failures, row.window_started_at = 0, now
    row.locked_until = now + dt.timedelta(seconds=settings.lockout_seconds)
    session.add(row)


def record_failure(session: Session, keys: Iterable[str], now: dt.datetime, settings: CaseSettings) -> bool:
    """Counts one failure on each key; True if that locked any of them out."""
    window = dt.timedelta(seconds=settings.lockout_seconds)
    locked = False
    for key in keys:
        row = session.get(Lockout, key) or Lockout(key=key, failures=0, window_started_at=now)
        if now - row.window_started_at > window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= settings.lockout_failures:
            row.failures, row.window_started_at, row.locked_until = 0, now, now + window
            locked = True
        session.add(row)
    return locked


def clear_failures(session: Session, keys: Iterable[str]) -> None:
    """A verified person starts afresh (a lockout in force stays)."""
    for key in keys:
        row = session.get(Lockout, key)
        if row is not None:
            row.failures = 0
