"""Verifying who is asking, and answering them: the status check's steps over one database session each.

By code: `start` (customer number) -> `give_birth_date` (a code goes by SMS to
the phone on record if the two match) -> `confirm` (the code) -> a ticket
for this conversation. By login: `status` with an identity the chat channel
sealed. Every step answers the same whether or not the customer number exists
or the date of birth matched; only the person's own phone ever gets a code.
A ticket is good only for the conversation and channel that verified; it ends
when the conversation ends (`end`), after `ticket_idle_seconds` without use
(Rasa's session expiry) or after `ticket_max_seconds`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.client import client_id
from bot.cases import audit
from bot.cases.audit import Actor
from bot.cases.guard import Guard, clear_failures, client_lock_key, lock, locked_until, record_failure
from bot.cases.models import Ticket, Verification
from bot.cases.security import Secrets, new_code, new_id
from bot.cases.status import Person, find_person, load_person, visible_applications
from bot.identity.tokens import unseal_identity
from bot.notifications import outbox
from bot.settings import CaseSettings
from bot.sms.gateway import conversation_id

logger = logging.getLogger(__name__)


class StepRefused(Exception):
    """A step the caller cannot take; `code` and `status` become the API's error."""

    def __init__(self, status: int, code: str, retry_after: float | None = None, attempts_left: int | None = None):
        super().__init__(code)
        self.status, self.code, self.retry_after, self.attempts_left = status, code, retry_after, attempts_left


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Verifier:
    settings: CaseSettings
    secrets: Secrets
    guard: Guard
    seal_key: str
    code_message: Callable[[str, str, int], str]   # (language, code, minutes) -> SMS text
    clock: Callable[[], dt.datetime] = utcnow
    sms_hash_key: str = ""   # the SMS channel's key: which client is a phone's own SMS conversation

    # -- helpers ------------------------------------------------------------
    def _refuse_if_locked(self, session: Session, actor: Actor, subject_hash: str, now: dt.datetime) -> None:
        """Only the asking conversation is ever locked out, never a customer number: otherwise anyone
        could lock the real applicant out by failing in their name (see `give_birth_date`)."""
        until = locked_until(session, [client_lock_key(actor.client)], now)
        if until is not None:
            audit.record(session, actor, "locked_out", "refused", now, subject_hash=subject_hash)
            raise StepRefused(429, "locked", retry_after=(until - now).total_seconds())

    def _pending(self, session: Session, actor: Actor, verification_id: Any, state: str, now: dt.datetime
                 ) -> Verification:
        verification = session.execute(
            select(Verification).where(Verification.public_id == str(verification_id)[:32],
                                       Verification.client == actor.client)).scalar_one_or_none()
        if verification is None or verification.state != state or verification.expires_at < now:
            raise StepRefused(404, "verification_not_found")
        return verification

    # -- steps ----------------------------------------------------------------
    def start(self, session: Session, actor: Actor, customer_number: str, language: str) -> dict[str, Any]:
        now = self.clock()
        subject = self.secrets.subject_hash(customer_number)
        self._refuse_if_locked(session, actor, subject, now)
        if not self.guard.allow(self.guard.starts_per_client, actor.client):
            lock(session, client_lock_key(actor.client), now, self.settings)
            audit.record(session, actor, "rate_limited", "refused", now, subject_hash=subject, detail="conversation")
            raise StepRefused(429, "locked", retry_after=float(self.settings.lockout_seconds))
        if not self.guard.allow(self.guard.starts_per_subject, subject):
            # Counted and audited for staff, never refused: the applicant may be among the askers.
            audit.record(session, actor, "many_starts", "noted", now, subject_hash=subject, detail="customer number")
        person = find_person(session, customer_number)
        verification = Verification(
            public_id=new_id(), client=actor.client, channel=actor.channel, language=language,
            subject_hash=subject, person_role=person.role if person else None,
            person_id=person.id if person else None, state="awaiting_birth_date", attempts=0,
            created_at=now, expires_at=now + dt.timedelta(seconds=self.settings.verification_ttl_seconds),
        )
        session.add(verification)
        audit.record(session, actor, "verification_started", "accepted", now, subject_hash=subject,
                     role=person.role if person else None, detail=None if person else "unknown customer number")
        return {"verification_id": verification.public_id, "next": "date_of_birth",
                "expires_in": self.settings.verification_ttl_seconds}

    def give_birth_date(self, session: Session, actor: Actor, verification_id: Any, birth_date: dt.date
                        ) -> dict[str, Any]:
        now = self.clock()
        verification = self._pending(session, actor, verification_id, "awaiting_birth_date", now)
        self._refuse_if_locked(session, actor, verification.subject_hash, now)
        person = load_person(session, verification.person_role, verification.person_id)
        matched = person is not None and person.date_of_birth == birth_date
        code = new_code()   # made and stored either way: the next step cannot tell the difference
        verification.code_hash = self.secrets.code_hash(verification.public_id, code)
        verification.code_expires_at = now + dt.timedelta(seconds=self.settings.code_ttl_seconds)
        verification.state = "awaiting_code"
        audit.record(session, actor, "birth_date_given", "matched" if matched else "not matched", now,
                     subject_hash=verification.subject_hash, role=verification.person_role)
        # A code counts only if it went to the phone on record: however many sessions guess in a
        # customer's name, they get at most code_attempts tries at each of the sms_per_phone codes an
        # hour, and nothing locks the customer out.
        sent = matched and person is not None and self._send_code(session, actor, verification, person, code, now)
        verification.details_matched = sent
        return {"verification_id": verification.public_id, "next": "code",
                "code_expires_in": self.settings.code_ttl_seconds}

    def _from_own_phone(self, actor: Actor, phone: str) -> bool:
        """True when the asking conversation is the SMS conversation of `phone` itself (its id is a keyed
        hash of the number the gateway signed, so no other client can pass for it)."""
        if actor.channel != "sms" or not self.sms_hash_key:
            return False
        return hmac.compare_digest(actor.client, client_id(conversation_id(self.sms_hash_key, phone)))

    def _send_code(self, session: Session, actor: Actor, verification: Verification, person: Person, code: str,
                   now: dt.datetime) -> bool:
        if not self.guard.allow_code(person.phone, self._from_own_phone(actor, person.phone)):
            # Silently: a refusal here would tell that the number and date matched.
            audit.record(session, actor, "code_suppressed", "limit", now, subject_hash=verification.subject_hash,
                         role=person.role, detail="phone or overall SMS limit")
            return False
        minutes = max(1, self.settings.code_ttl_seconds // 60)
        outbox.enqueue(session, channel="sms", recipient=person.phone, language=verification.language,
                       kind="verification_code", body=self.code_message(verification.language, code, minutes))
        audit.record(session, actor, "code_sent", "sent", now, subject_hash=verification.subject_hash,
                     role=person.role, detail="SMS to the phone on record")
        return True

    def confirm(self, session: Session, actor: Actor, verification_id: Any, code: str) -> dict[str, Any]:
        now = self.clock()
        verification = self._pending(session, actor, verification_id, "awaiting_code", now)
        subject = verification.subject_hash
        self._refuse_if_locked(session, actor, subject, now)
        if verification.code_expires_at is None or verification.code_expires_at < now:
            verification.state = "failed"
            audit.record(session, actor, "code_rejected", "expired", now, subject_hash=subject)
            raise StepRefused(409, "code_expired")
        verification.attempts += 1
        correct = self.secrets.code_matches(verification.public_id, code, verification.code_hash)
        if correct and verification.details_matched and verification.person_id is not None:
            verification.state = "confirmed"
            clear_failures(session, [client_lock_key(actor.client)])
            ticket = new_id()
            session.add(Ticket(ticket_hash=self.secrets.ticket_hash(ticket), client=actor.client,
                               channel=verification.channel, person_role=verification.person_role,
                               person_id=verification.person_id, subject_hash=subject,
                               created_at=now, last_used_at=now))
            audit.record(session, actor, "code_confirmed", "verified", now, subject_hash=subject,
                         role=verification.person_role)
            return {"ticket": ticket, "role": verification.person_role,
                    "expires_in": self.settings.ticket_idle_seconds}
        attempts_left = max(0, self.settings.code_attempts - verification.attempts)
        if attempts_left == 0:
            verification.state = "failed"
        locked = record_failure(session, [client_lock_key(actor.client)], now, self.settings)
        audit.record(session, actor, "code_rejected", "locked" if locked else "wrong code", now,
                     subject_hash=subject, detail=f"{attempts_left} attempts left")
        if locked:
            raise StepRefused(429, "locked", retry_after=float(self.settings.lockout_seconds))
        if attempts_left == 0:
            raise StepRefused(409, "too_many_attempts", attempts_left=0)
        raise StepRefused(403, "wrong_code", attempts_left=attempts_left)

    # -- status -----------------------------------------------------------------
    def _ticket(self, session: Session, actor: Actor, ticket: str) -> Ticket | None:
        """The ticket, if this conversation on this channel earned it (a ticket is good nowhere else)."""
        return session.execute(select(Ticket).where(Ticket.ticket_hash == self.secrets.ticket_hash(ticket[:64]),
                                                    Ticket.client == actor.client,
                                                    Ticket.channel == actor.channel)).scalar_one_or_none()

    def _ticket_person(self, session: Session, actor: Actor, ticket: Any, now: dt.datetime
                       ) -> tuple[Person | None, str, str] | None:
        if not isinstance(ticket, str) or not ticket:
            return None
        row = self._ticket(session, actor, ticket)
        if row is None or row.ended_at is not None:
            return None
        idle = dt.timedelta(seconds=self.settings.ticket_idle_seconds)
        longest = dt.timedelta(seconds=self.settings.ticket_max_seconds)
        if now - row.last_used_at > idle or now - row.created_at > longest:
            row.ended_at = now
            return None
        row.last_used_at = now
        return load_person(session, row.person_role, row.person_id), row.subject_hash, row.person_role

    def _identity_person(self, session: Session, identity: Any, now: dt.datetime
                         ) -> tuple[Person | None, str, str] | None:
        verified = unseal_identity(identity, self.seal_key, now.replace(tzinfo=UTC).timestamp())
        if verified is None:
            return None
        # A valid login whose number is not in the register sees an empty list, like anyone without cases.
        person = find_person(session, verified.subject, verified.role)
        return person, self.secrets.subject_hash(verified.subject), verified.role

    def status(self, session: Session, actor: Actor, ticket: Any = None, identity: Any = None) -> dict[str, Any]:
        now = self.clock()
        if not self.guard.allow(self.guard.status_per_client, actor.client):
            audit.record(session, actor, "rate_limited", "refused", now, detail="status look-ups")
            raise StepRefused(429, "rate_limited", retry_after=self.guard.status_per_client.retry_after(actor.client))
        if identity is not None:
            found = self._identity_person(session, identity, now)
        else:
            found = self._ticket_person(session, actor, ticket, now)
        if found is None:
            audit.record(session, actor, "status_refused", "not verified", now)
            raise StepRefused(401, "not_verified")
        person, subject, role = found
        applications, withheld = visible_applications(session, person) if person else ([], [])
        for application in applications:
            audit.record(session, actor, "status_disclosed", "shown", now, subject_hash=subject, role=role,
                         reference=application["reference"])
        for reference in withheld:
            audit.record(session, actor, "status_withheld", "sensitive case", now, subject_hash=subject,
                         role=role, reference=reference)
        if not applications:
            audit.record(session, actor, "status_disclosed", "nothing to show", now, subject_hash=subject, role=role)
        return {"role": role, "method": actor.method, "applications": applications}

    def end(self, session: Session, actor: Actor, ticket: Any) -> dict[str, Any]:
        now = self.clock()
        if isinstance(ticket, str) and ticket:
            row = self._ticket(session, actor, ticket)
            if row is not None and row.ended_at is None:
                row.ended_at = now
                audit.record(session, actor, "session_ended", "ended", now, subject_hash=row.subject_hash,
                             role=row.person_role)
        return {"ended": True}
