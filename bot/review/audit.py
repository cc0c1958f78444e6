"""The audit log: every staff action (login, failed login, view, export, delete, tag...) in its own table."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.privacy.redaction import default_redactor
from bot.review.store import AuditEntry

ACTIONS = (
    "login", "login_failed", "login_blocked", "logout", "view", "export", "delete", "tag", "untag", "comment",
    "training_add", "training_remove", "retention", "account_create", "account_disable", "account_password",
)


def record(session: Session, username: str, action: str, conversation_id: int | None = None, detail: str = "",
           client: str = "") -> None:
    """Adds one entry; the detail is redacted, as staff may type anything into a search box."""
    session.add(AuditEntry(at=time.time(), username=username[:64], action=action[:32],
                           conversation_id=conversation_id, detail=default_redactor().redact(detail)[:1000],
                           client=client[:64]))


def recent(session: Session, limit: int = 200, offset: int = 0) -> tuple[list[AuditEntry], int]:
    total = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)
