"""Staff sessions: random cookie tokens stored hashed, with a CSRF token per session and time limits."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.review.store import Account, StaffSession

COOKIE = "review_session"
IDLE_SECONDS = 60 * 60        # signed out after an hour without requests
LIFETIME_SECONDS = 12 * 3600  # and after a working day in any case


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member a request acts for."""

    account_id: int
    username: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, account: Account) -> str:
    """A new session for `account`; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    session.add(StaffSession(token_hash=_digest(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
                             created_at=now, last_seen=now))
    return token


def resume(session: Session, token: str, now: float | None = None) -> Staff | None:
    """The staff member of a live session, or None (unknown, expired, disabled account)."""
    if not token or len(token) > 100:
        return None
    now = time.time() if now is None else now
    row = session.execute(select(StaffSession, Account).join(Account, Account.id == StaffSession.account_id)
                          .where(StaffSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    staff_session, account = row
    if account.disabled or now - staff_session.last_seen > IDLE_SECONDS \
            or now - staff_session.created_at > LIFETIME_SECONDS:
        session.delete(staff_session)
        return None
    if now - staff_session.last_seen > 60:  # one write a minute is enough to track idleness
        staff_session.last_seen = now
    return Staff(account.id, account.username, account.role, staff_session.csrf_token)


def end(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def end_sessions_of(session: Session, account_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))


def prune(session: Session, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session.execute(delete(StaffSession).where(
        (StaffSession.last_seen < now - IDLE_SECONDS) | (StaffSession.created_at < now - LIFETIME_SECONDS)))
