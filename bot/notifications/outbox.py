"""The outbox table and `enqueue()`, the one way other modules ask for a message to be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Text, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.backend.db import Base

CHANNELS = ("sms", "email")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    channel = Column(String(8), nullable=False)          # "sms" or "email"
    recipient = Column(String(320), nullable=False, index=True)  # phone number (E.164) or e-mail address
    language = Column(String(2), nullable=False)
    kind = Column(String(40), nullable=False)             # e.g. booking_confirmation, reminder, verification_code
    subject = Column(String(200), nullable=True)          # e-mail only
    body = Column(Text, nullable=False)
    reference = Column(String(64), nullable=True, index=True)  # e.g. the booking's id, never a PIN or code
    send_after = Column(DateTime, nullable=False, default=utcnow, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime, nullable=True, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(200), nullable=True)
    withdrawn_at = Column(DateTime, nullable=True)          # e.g. a reminder for a cancelled booking


def enqueue(session: Session, *, channel: str, recipient: str, language: str, kind: str, body: str,
            subject: str | None = None, reference: str | None = None,
            send_after: datetime | None = None) -> OutboxMessage:
    """Adds a message to the outbox in the caller's transaction (naive UTC `send_after`)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    message = OutboxMessage(channel=channel, recipient=recipient, language=language, kind=kind, body=body,
                            subject=subject, reference=reference, send_after=send_after or utcnow())
    session.add(message)
    return message


def sent_to_recipient(session: Session, recipient: str, kinds: tuple[str, ...], hours: float = 24) -> int:
    """How many messages of `kinds` were put in the outbox for `recipient` in the last `hours`,
    from any conversation (a per-recipient cap: no one can be flooded by rotating conversations)."""
    since = utcnow() - timedelta(hours=hours)
    return session.execute(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == recipient, OutboxMessage.kind.in_(kinds),
        OutboxMessage.created_at >= since)).scalar_one()


def withdraw(session: Session, *, reference: str, kinds: tuple[str, ...]) -> int:
    """Withdraws unsent messages of `kinds` about `reference` (e.g. reminders of a cancelled booking)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.reference == reference, OutboxMessage.kind.in_(kinds),
               OutboxMessage.sent_at.is_(None), OutboxMessage.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def delete_finished(session: Session, written_before: datetime, max_attempts: int) -> int:
    """Deletes messages written before `written_before` that are finished (sent, withdrawn, or given
    up after `max_attempts`): they hold phone numbers and addresses, and nothing reads them once done."""
    finished = or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.withdrawn_at.is_not(None),
                   OutboxMessage.attempts >= max_attempts)
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < written_before, finished)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
