"""The case register's tables: people, applications, representation, verification state, audit log.

Times are naive UTC. Customer numbers appear in clear only in the register
itself (applicants, representatives); everything about verification attempts
keys them by a keyed hash (`security.subject_hash`).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint

from bot.backend.db import Base

APPLICATION_TYPES = (
    "first_permit_work", "first_permit_family", "first_permit_studies", "extended_permit",
    "permanent_permit", "eu_registration", "citizenship", "alien_passport",
    "asylum", "refugee_travel_document",
)
# Never disclosed in the chat, and never hinted at (DESIGN.md, the agency's rules).
SENSITIVE_TYPES = frozenset({"asylum", "refugee_travel_document"})
STAGES = ("received", "processing", "additional_info_requested", "decision_made", "decision_delivered")
EVENTS = (
    "application_received", "identity_verified", "processing_started", "additional_info_requested",
    "additional_info_received", "decision_made", "decision_delivered",
)
SUBMISSION_ROUTES = ("online", "service_point", "mission")
ROLES = ("applicant", "representative")


class Applicant(Base):
    __tablename__ = "case_applicants"

    id = Column(Integer, primary_key=True)
    customer_number = Column(String(8), nullable=False, unique=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    date_of_birth = Column(Date, nullable=False)
    phone = Column(String(20), nullable=False)       # E.164
    email = Column(String(200), nullable=True)
    language = Column(String(2), nullable=False)


class Application(Base):
    __tablename__ = "case_applications"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    applicant_id = Column(Integer, ForeignKey("case_applicants.id"), nullable=False, index=True)
    type = Column(String(32), nullable=False)
    submitted_on = Column(Date, nullable=False)
    submitted_via = Column(String(16), nullable=False)   # online, service_point, mission
    submitted_place = Column(String(80), nullable=True)  # the service point's or mission's city
    stage = Column(String(32), nullable=False)
    last_event = Column(String(32), nullable=False)
    last_event_on = Column(Date, nullable=False)
    additional_info_due = Column(Date, nullable=True)
    decision_made_on = Column(Date, nullable=True)
    decision_delivered_on = Column(Date, nullable=True)


class Representative(Base):
    """A legal representative (e.g. a lawyer) who may see their clients' cases."""

    __tablename__ = "case_representatives"

    id = Column(Integer, primary_key=True)
    customer_number = Column(String(8), nullable=False, unique=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    organisation = Column(String(120), nullable=True)
    date_of_birth = Column(Date, nullable=False)
    phone = Column(String(20), nullable=False)
    email = Column(String(200), nullable=True)
    language = Column(String(2), nullable=False)


class Representation(Base):
    __tablename__ = "case_representations"
    __table_args__ = (UniqueConstraint("representative_id", "applicant_id"),)

    id = Column(Integer, primary_key=True)
    representative_id = Column(Integer, ForeignKey("case_representatives.id"), nullable=False, index=True)
    applicant_id = Column(Integer, ForeignKey("case_applicants.id"), nullable=False)


class Verification(Base):
    """One attempt to verify by customer number, date of birth and a one-time code.

    Rows exist whether or not the customer number does (person_id is then
    empty), so every step behaves the same for both.
    """

    __tablename__ = "case_verifications"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True)
    client = Column(String(128), nullable=False, index=True)   # the conversation's hashed id
    channel = Column(String(16), nullable=False)
    language = Column(String(2), nullable=False)
    subject_hash = Column(String(64), nullable=False, index=True)
    person_role = Column(String(16), nullable=True)
    person_id = Column(Integer, nullable=True)
    state = Column(String(16), nullable=False)   # awaiting_birth_date, awaiting_code, confirmed, failed
    details_matched = Column(Boolean, nullable=False, default=False)
    code_hash = Column(String(64), nullable=True)
    code_expires_at = Column(DateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class Ticket(Base):
    """A completed verification, valid for one conversation session (only its hash is kept)."""

    __tablename__ = "case_tickets"

    id = Column(Integer, primary_key=True)
    ticket_hash = Column(String(64), nullable=False, unique=True)
    client = Column(String(128), nullable=False)
    channel = Column(String(16), nullable=False)
    person_role = Column(String(16), nullable=False)
    person_id = Column(Integer, nullable=False)
    subject_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_used_at = Column(DateTime, nullable=False)
    ended_at = Column(DateTime, nullable=True)


class Lockout(Base):
    """Failures counted against a conversation or a customer number (hashed), and the lockout they led to."""

    __tablename__ = "case_lockouts"

    key = Column(String(100), primary_key=True)   # "client:<id>" or "subject:<hash>"
    failures = Column(Integer, nullable=False, default=0)
    window_started_at = Column(DateTime, nullable=False)
    locked_until = Column(DateTime, nullable=True)


class AuditEntry(Base):
    """Who tried to verify or saw what, when and through which channel: kept apart from conversations."""

    __tablename__ = "case_audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    event = Column(String(32), nullable=False, index=True)
    outcome = Column(String(32), nullable=False)
    method = Column(String(8), nullable=False)       # otp or jwt
    channel = Column(String(16), nullable=False)
    client = Column(String(128), nullable=False)
    subject_hash = Column(String(64), nullable=True, index=True)
    role = Column(String(16), nullable=True)
    application_reference = Column(String(16), nullable=True)
    detail = Column(String(120), nullable=True)
