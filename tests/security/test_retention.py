"""Retention: the real backend process deletes every table's rows once they are past their period
(bot/backend/retention.py) and keeps the rest. Old and fresh rows are written into its database
while it runs; its periodic purge (every half second here) must take exactly the old ones."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.db import make_engine
from bot.backend.process import start_backend, stop_backend
from bot.booking.models import Booking, Category, ServicePoint, Slot
from bot.cases.models import AuditEntry, Lockout, Ticket, Verification
from bot.notifications.outbox import OutboxMessage, utcnow
from bot.settings import Settings

pytestmark = pytest.mark.integration

DEFAULTS = Settings()
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    directory = tmp_path_factory.mktemp("retention")
    running = start_backend(f"sqlite:///{directory / 'backend.db'}", directory / "backend.log",
                            extra_env={"RETENTION_INTERVAL_SECONDS": "0.5"})
    yield running
    stop_backend(running)


def rows(now: dt.datetime, session: Session) -> dict[str, tuple[object, object]]:
    """(past its retention, still within it) for each table, by the default periods."""
    point, category = session.scalars(select(ServicePoint.id)).first(), session.scalars(select(Category.id)).first()

    def slot(ended: dt.datetime) -> Slot:
        made = Slot(service_point_id=point, start=ended - dt.timedelta(minutes=15), end=ended, capacity=1, booked=1)
        session.add(made)
        session.flush()
        return made

    def booking(ended: dt.datetime, key: str) -> Booking:
        return Booking(reservation_key=key, pin_hash="x", pin_salt="x", category_id=category, service_point_id=point,
                       slot_id=slot(ended).id, persons=1, name="Retention Test", phone="+358401110000",
                       language="fi", status="cancelled", created_at=ended - 10 * DAY, cancelled_at=ended - DAY)

    def verification(made: dt.datetime, public_id: str) -> Verification:
        return Verification(public_id=public_id, client="retention", channel="rest", language="fi",
                            subject_hash=public_id, state="failed", attempts=0, created_at=made,
                            expires_at=made + dt.timedelta(minutes=15))

    def ticket(made: dt.datetime, ticket_hash: str) -> Ticket:
        return Ticket(ticket_hash=ticket_hash, client="retention", channel="rest", person_role="applicant",
                      person_id=1, subject_hash="s", created_at=made, last_used_at=made)

    def audit(at: dt.datetime) -> AuditEntry:
        return AuditEntry(at=at, event="verification_started", outcome="accepted", method="otp", channel="rest",
                          client="retention")

    def outbox(written: dt.datetime) -> OutboxMessage:
        return OutboxMessage(channel="sms", recipient="+358401110000", language="fi", kind="booking_confirmation",
                             body="x", send_after=written, created_at=written, sent_at=written, attempts=1)

    lockout_over = dt.timedelta(seconds=DEFAULTS.cases.lockout_seconds + 60)
    return {
        "booking_bookings": (booking(now - (DEFAULTS.booking_retention_days + 1) * DAY, "RETOLD1"),
                             booking(now - (DEFAULTS.booking_retention_days - 1) * DAY, "RETNEW1")),
        "case_verifications": (verification(now - (DEFAULTS.cases_verification_retention_days + 1) * DAY, "v-old"),
                               verification(now - DAY, "v-new")),
        "case_tickets": (ticket(now - (DEFAULTS.cases_verification_retention_days + 1) * DAY, "t-old"),
                         ticket(now - DAY, "t-new")),
        "case_lockouts": (Lockout(key="client:over", failures=2, window_started_at=now - lockout_over,
                                  locked_until=now - dt.timedelta(seconds=60)),
                          Lockout(key="client:in-force", failures=0, window_started_at=now - lockout_over,
                                  locked_until=now + dt.timedelta(minutes=10))),
        "case_audit_log": (audit(now - (DEFAULTS.cases_audit_retention_days + 1) * DAY), audit(now - DAY)),
        "outbox": (outbox(now - (DEFAULTS.outbox_retention_days + 1) * DAY), outbox(now - DAY)),
    }


def test_every_backend_table_is_purged_after_its_retention_and_fresh_rows_stay(backend):
    engine = make_engine(backend.db_url)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        written = rows(utcnow(), session)
        session.add_all([row for pair in written.values() for row in pair])
    identities = {table: tuple(session.identity_key(instance=row)[1] for row in pair)
                  for table, pair in written.items()}
    model = {table: type(pair[0]) for table, pair in written.items()}

    def present() -> dict[str, tuple[bool, bool]]:
        with Session(engine) as reading:
            return {table: tuple(reading.get(model[table], key) is not None for key in keys)
                    for table, keys in identities.items()}

    deadline = time.monotonic() + 30   # a bound on waiting for the purge, not a performance check
    while any(old for old, _ in present().values()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert present() == {table: (False, True) for table in written}
    with Session(engine) as reading:   # the seeded register and the bookable slots were left alone
        assert reading.scalar(select(func.count(Slot.id)).where(Slot.end > utcnow())) > 0
    engine.dispose()
