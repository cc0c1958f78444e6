"""The audit log of the status check: every verification step and every disclosure.

Kept in the backend's own table, apart from the conversation store, with
customer numbers as keyed hashes; it holds no names, dates of birth, phone
numbers or codes. Events:

- verification_started, birth_date_given, code_sent, code_suppressed (a limit
  stopped the SMS), code_confirmed, code_rejected, rate_limited, locked_out,
  many_starts (a customer number asked for often: noted, not refused);
- status_disclosed (one row per application shown), status_withheld (an
  asylum or refugee travel document case left out), status_refused;
- session_ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is asking, as far as the request tells: conversation, channel, method."""

    client: str
    channel: str
    method: str  # otp or jwt


def record(session: Session, actor: Actor, event: str, outcome: str, at: dt.datetime, *,
           subject_hash: str | None = None, role: str | None = None, reference: str | None = None,
           detail: str | None = None) -> None:
    session.add(AuditEntry(
        at=at, event=event, outcome=outcome, method=actor.method, channel=actor.channel,
        client=actor.client[:128], subject_hash=subject_hash, role=role,
        application_reference=reference, detail=(detail or None) and detail[:120],
    ))


def entry_as_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "at": entry.at.isoformat() + "Z", "event": entry.event, "outcome": entry.outcome,
        "method": entry.method, "channel": entry.channel, "client": entry.client,
        "subject_hash": entry.subject_hash, "role": entry.role,
        "application_reference": entry.application_reference, "detail": entry.detail,
    }


def recent(session: Session, limit: int, event: str | None = None, client: str | None = None,
           subject_hash: str | None = None) -> list[dict[str, Any]]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if event:
        query = query.where(AuditEntry.event == event)
    if client:
        query = query.where(AuditEntry.client == client)
    if subject_hash:
        query = query.where(AuditEntry.subject_hash == subject_hash)
    return [entry_as_json(entry) for entry in session.execute(query).scalars()]
