"""The booking rules, as functions over one SQLAlchemy session (one transaction).

Capacity is guarded by a conditional UPDATE (`booked + n <= capacity`) in the
same transaction as the booking's insert, so concurrent requests can never
overbook a slot, on SQLite (BEGIN IMMEDIATE) or PostgreSQL (row locks).
Status changes are conditional too, so capacity is released exactly once.
Functions raise `BookingError`. A key operation is two transactions: the first
counts the attempt, the PIN is hashed between them off the database thread, the
second (only for a right PIN) clears the count and changes the booking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.booking import notices
from bot.booking.credentials import display_key, new_reservation_key, pin_matches, spend_pin_check_time
from bot.booking.models import (
    ACTIVE,
    CANCELLED,
    Booking,
    Category,
    PinFailures,
    ServicePoint,
    Slot,
    service_point_categories,
)
from bot.booking.validation import mask_email, mask_phone

MAX_PIN_FAILURES = 5
LOCK_DURATION = dt.timedelta(minutes=15)
MAX_SEARCH_DAYS = 100
MAX_SEARCH_LIMIT = 200
UNSET: Any = object()


class BookingError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass(frozen=True)
class Rules:
    """What the rules depend on besides the data: the time, the zone and the configured limits."""

    now: dt.datetime  # naive UTC
    zone: ZoneInfo
    cap_per_contact: int = 3
    reminder_days_before: int = 2


@dataclass(frozen=True)
class NewBooking:
    category: str
    service_point: str
    slot_id: int
    persons: int
    name: str
    phone: str | None
    email: str | None
    language: str
    pin_hash: str
    pin_salt: str


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_iso(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).isoformat()


def _names(row: Any, prefix: str = "name") -> dict[str, str]:
    return {language: getattr(row, f"{prefix}_{language}") for language in ("fi", "sv", "en")}


# --- reference data ---------------------------------------------------------------------------

def list_categories(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(Category).order_by(Category.position)).scalars()
    return [{"id": row.id, "names": _names(row), "urgency_possible": row.urgency_possible} for row in rows]


def _point_categories(session: Session) -> dict[str, list[str]]:
    positions = {row.id: row.position for row in session.execute(select(Category)).scalars()}
    offered: dict[str, list[str]] = {}
    for point_id, category_id in session.execute(select(service_point_categories)).all():
        offered.setdefault(point_id, []).append(category_id)
    return {point: sorted(categories, key=positions.get) for point, categories in offered.items()}


def require_category(session: Session, category_id: object) -> Category:
    category = session.get(Category, category_id) if isinstance(category_id, str) else None
    if category is None:
        raise BookingError(400, "unknown_category", "No such service category.")
    return category


def require_service_point(session: Session, point_id: object) -> ServicePoint:
    point = session.get(ServicePoint, point_id) if isinstance(point_id, str) else None
    if point is None:
        raise BookingError(400, "unknown_service_point", "No such service point.")
    return point


def offers(session: Session, point_id: str, category_id: str) -> bool:
    row = session.execute(select(service_point_categories).where(
        service_point_categories.c.service_point_id == point_id,
        service_point_categories.c.category_id == category_id)).first()
    return row is not None


def list_service_points(session: Session, category: str | None = None) -> list[dict[str, Any]]:
    if category is not None:
        require_category(session, category)
    offered = _point_categories(session)
    items = []
    for point in session.execute(select(ServicePoint).order_by(ServicePoint.position)).scalars():
        categories = offered.get(point.id, [])
        if category is None or category in categories:
            items.append({"id": point.id, "names": _names(point), "city": _names(point, "city"),
                          "address": point.address, "categories": categories})
    return items


# --- slots ------------------------------------------------------------------------------------

def _utc_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


def find_slots(session: Session, rules: Rules, *, service_point: str | None, category: str | None,
               date_from: dt.date, date_to: dt.date, persons: int, limit: int) -> list[dict[str, Any]]:
    """Future slots with room for `persons`, in local days date_from..date_to, earliest first."""
    if service_point is not None:
        require_service_point(session, service_point)
    if category is not None:
        require_category(session, category)
    if service_point is not None and category is not None and not offers(session, service_point, category):
        raise BookingError(400, "category_not_offered", "The service point does not serve this category.")
    query = select(Slot).where(
        Slot.start > rules.now,
        Slot.start >= _utc_midnight(date_from, rules.zone),
        Slot.start < _utc_midnight(date_to + dt.timedelta(days=1), rules.zone),
        Slot.capacity - Slot.booked >= persons,
    )
    if service_point is not None:
        query = query.where(Slot.service_point_id == service_point)
    if category is not None:
        points = select(service_point_categories.c.service_point_id).where(
            service_point_categories.c.category_id == category)
        query = query.where(Slot.service_point_id.in_(points))
    query = query.order_by(Slot.start, Slot.service_point_id).limit(limit)
    return [{"id": str(slot.id), "service_point": slot.service_point_id, "start": local_iso(slot.start, rules.zone),
             "end": local_iso(slot.end, rules.zone), "free": slot.capacity - slot.booked}
            for slot in session.execute(query).scalars()]


def _slot(session: Session, slot_id: int) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None:
        raise BookingError(400, "unknown_slot", "No such slot.")
    return slot


def _take(session: Session, slot_id: int, persons: int) -> None:
    """Reserves room for `persons` in the slot, or fails if it has not enough room left."""
    result = session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked + persons <= Slot.capacity)
        .values(booked=Slot.booked + persons).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise BookingError(409, "slot_full", "The slot has no room left for this many persons; choose another time.")


def _release(session: Session, slot_id: int, persons: int) -> None:
    session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked >= persons)
        .values(booked=Slot.booked - persons).execution_options(synchronize_session=False))


# --- bookings ---------------------------------------------------------------------------------

def _lock_contacts(session: Session, *contacts: str | None) -> None:
    """On PostgreSQL, serialises bookings for one phone or e-mail so the cap holds under concurrency
    (SQLite already runs one writer at a time)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for contact in sorted(value for value in contacts if value):
        number = int.from_bytes(hashlib.sha256(contact.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})


def _check_daily_messages(session: Session, phone: str | None, email: str | None) -> None:
    """A booking whose confirmation could not be sent is not made (notices.over_daily_cap)."""
    if notices.over_daily_cap(session, phone) or notices.over_daily_cap(session, email):
        raise BookingError(429, "contact_daily_limit",
                           "These contact details have had as many booking messages today as they may.")


def _check_cap(session: Session, rules: Rules, phone: str | None, email: str | None,
               exclude_booking: int | None = None) -> None:
    for column, value in ((Booking.phone, phone), (Booking.email, email)):
        if not value:
            continue
        query = (select(func.count(Booking.id)).join(Slot, Slot.id == Booking.slot_id)
                 .where(column == value, Booking.status == ACTIVE, Slot.start > rules.now))
        if exclude_booking is not None:
            query = query.where(Booking.id != exclude_booking)
        if session.execute(query).scalar_one() >= rules.cap_per_contact:
            raise BookingError(409, "booking_cap_reached",
                               f"At most {rules.cap_per_contact} upcoming appointments may share one phone number "
                               "or e-mail address.")


def _unused_key(session: Session) -> str:
    for _ in range(10):
        key = new_reservation_key()
        if session.execute(select(Booking.id).where(Booking.reservation_key == key)).first() is None:
            session.execute(delete(PinFailures).where(PinFailures.reservation_key == key))
            return key
    raise RuntimeError("no unused reservation key found")  # 60 random bits: unreachable in practice


def create_booking(session: Session, rules: Rules, request: NewBooking) -> Booking:
    require_category(session, request.category)
    require_service_point(session, request.service_point)
    slot = _slot(session, request.slot_id)
    if slot.service_point_id != request.service_point:
        raise BookingError(400, "slot_mismatch", "The slot is not at the chosen service point.")
    if not offers(session, request.service_point, request.category):
        raise BookingError(400, "category_not_offered", "The service point does not serve this category.")
    if slot.start <= rules.now:
        raise BookingError(400, "past_slot", "The slot has already started; choose a later time.")
    if not request.phone and not request.email:
        raise BookingError(400, "missing_contact", "Give a phone number or an e-mail address, or both.")
    _lock_contacts(session, request.phone, request.email)
    _check_cap(session, rules, request.phone, request.email)
    _check_daily_messages(session, request.phone, request.email)
    _take(session, slot.id, request.persons)
    booking = Booking(
        reservation_key=_unused_key(session), pin_hash=request.pin_hash, pin_salt=request.pin_salt,
        category_id=request.category, service_point_id=request.service_point, slot_id=slot.id,
        persons=request.persons, name=request.name, phone=request.phone, email=request.email,
        language=request.language, status=ACTIVE, created_at=rules.now,
    )
    session.add(booking)
    session.flush()
    notices.notify(session, booking, "booking_confirmation", rules.zone)
    notices.schedule_reminder(session, booking, rules.zone, rules.reminder_days_before, rules.now)
    return booking


def _insert_ignore(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    values = {"reservation_key": key, "failures": 0}
    if dialect == "postgresql":
        statement = postgresql.insert(PinFailures).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(PinFailures).values(**values).on_conflict_do_nothing()
    else:
        if session.get(PinFailures, key) is None:
            session.add(PinFailures(**values))
            session.flush()
        return
    session.execute(statement)


def begin_attempt(session: Session, rules: Rules, key: str) -> tuple[str, str] | None:
    """Step 1 of a key operation: counts the attempt as failed until the PIN proves right, so even
    concurrent guesses stop after 5; returns the key's (PIN hash, salt), or None for an unknown key.

    Raises `locked` (423) while the key is locked, whether or not it exists, so that
    no answer reveals which keys are real. The PIN is then checked off the database
    thread (`credentials.pin_matches`), and a right one is confirmed by `confirm_attempt`.
    """
    record = None
    while record is None:  # the row exists once inserted; a cleanup may remove it meanwhile
        _insert_ignore(session, key)
        record = session.execute(select(PinFailures).where(PinFailures.reservation_key == key)
                                 .with_for_update()).scalar_one_or_none()
    if record.locked_until is not None:
        if record.locked_until > rules.now:
            wait = int((record.locked_until - rules.now).total_seconds()) + 1
            raise BookingError(423, "locked", "Too many wrong PIN codes: try again in 15 minutes.",
                               retry_after_seconds=wait)
        record.failures, record.locked_until = 0, None
    record.failures += 1
    if record.failures >= MAX_PIN_FAILURES:
        record.locked_until = rules.now + LOCK_DURATION
    row = session.execute(select(Booking.pin_hash, Booking.pin_salt)
                          .where(Booking.reservation_key == key)).first()
    return (row.pin_hash, row.pin_salt) if row is not None else None


def forget_attempts(session: Session, key: str) -> None:
    # Reset rather than delete: a concurrent attempt may be about to lock this very row.
    session.execute(update(PinFailures).where(PinFailures.reservation_key == key)
                    .values(failures=0, locked_until=None).execution_options(synchronize_session=False))


def prune_pin_failures(session: Session, rules: Rules) -> int:
    """Forgets keys with nothing to remember: no failures, or a lock that has expired."""
    result = session.execute(delete(PinFailures).where(
        (PinFailures.failures == 0) | (PinFailures.locked_until < rules.now)).execution_options(
        synchronize_session=False))
    return result.rowcount


def confirm_attempt(session: Session, key: str) -> Booking:
    """Step 2, after the PIN matched: forgets the counted attempts and returns the booking."""
    forget_attempts(session, key)
    return session.execute(select(Booking).where(Booking.reservation_key == key)).scalar_one()


def check_pin(stored: tuple[str, str] | None, pin: str) -> bool:
    """Whether `pin` matches; as slow for an unknown key as for a known one."""
    if stored is None:
        spend_pin_check_time(pin)
        return False
    return pin_matches(pin, *stored)


def authenticate(session: Session, rules: Rules, key: str, pin: str) -> Booking | None:
    """Both steps in one transaction (for callers that need no concurrency, e.g. tests and tools)."""
    if check_pin(begin_attempt(session, rules, key), pin):
        return confirm_attempt(session, key)
    return None


def _require_changeable(session: Session, rules: Rules, booking: Booking) -> Slot:
    if booking.status == CANCELLED:
        raise BookingError(409, "already_cancelled", "The appointment has already been cancelled.")
    slot = session.get(Slot, booking.slot_id)
    if slot.start <= rules.now:
        raise BookingError(409, "appointment_past", "The appointment time has already passed.")
    return slot


def cancel_booking(session: Session, rules: Rules, booking: Booking) -> Booking:
    _require_changeable(session, rules, booking)
    result = session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == ACTIVE)
        .values(status=CANCELLED, cancelled_at=rules.now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise BookingError(409, "already_cancelled", "The appointment has already been cancelled.")
    _release(session, booking.slot_id, booking.persons)
    session.refresh(booking)
    notices.withdraw_reminders(session, booking)
    notices.notify(session, booking, "booking_cancellation", rules.zone)
    return booking


def move_booking(session: Session, rules: Rules, booking: Booking, slot_id: int) -> Booking:
    """Moves the booking to another slot in one transaction: the new room is taken before the old is
    released, and on any failure nothing changes. Key and PIN stay the same."""
    old_slot = _require_changeable(session, rules, booking)
    new_slot = _slot(session, slot_id)
    if new_slot.id == old_slot.id:
        raise BookingError(400, "same_slot", "The appointment is already at this time.")
    if new_slot.start <= rules.now:
        raise BookingError(400, "past_slot", "The slot has already started; choose a later time.")
    if not offers(session, new_slot.service_point_id, booking.category_id):
        raise BookingError(400, "category_not_offered", "The service point does not serve this category.")
    _take(session, new_slot.id, booking.persons)
    result = session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == ACTIVE, Booking.slot_id == old_slot.id)
        .values(slot_id=new_slot.id, service_point_id=new_slot.service_point_id, moved_at=rules.now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise BookingError(409, "conflict", "The appointment changed meanwhile; look it up again.")
    _release(session, old_slot.id, booking.persons)
    session.refresh(booking)
    notices.withdraw_reminders(session, booking)
    notices.notify(session, booking, "booking_move", rules.zone)
    notices.schedule_reminder(session, booking, rules.zone, rules.reminder_days_before, rules.now)
    return booking


def change_contact(session: Session, rules: Rules, booking: Booking, *, phone: Any = UNSET,
                   email: Any = UNSET) -> Booking:
    """Replaces the phone and/or e-mail (None removes one; at least one must remain).

    The contacts now on the booking get a confirmation with the appointment and its key
    (a wrongly typed contact never got the first one); the ones replaced get only a
    security notice, without the key or the place, since they may be a stranger's."""
    _require_changeable(session, rules, booking)
    new_phone = booking.phone if phone is UNSET else phone
    new_email = booking.email if email is UNSET else email
    if not new_phone and not new_email:
        raise BookingError(400, "missing_contact", "At least a phone number or an e-mail address must remain.")
    old_phone, old_email = booking.phone, booking.email
    _lock_contacts(session, new_phone if new_phone != old_phone else None,
                   new_email if new_email != old_email else None)
    _check_cap(session, rules, new_phone if new_phone != old_phone else None,
               new_email if new_email != old_email else None, exclude_booking=booking.id)
    booking.phone, booking.email = new_phone, new_email
    session.flush()
    notices.withdraw_reminders(session, booking)
    notices.notify(session, booking, "booking_contact_change", rules.zone)
    notices.notify(session, booking, "booking_contact_notice", rules.zone, use_booking_contacts=False,
                   phone=old_phone if old_phone != new_phone else None,
                   email=old_email if old_email != new_email else None)
    notices.schedule_reminder(session, booking, rules.zone, rules.reminder_days_before, rules.now)
    return booking


def resend_keys(session: Session, rules: Rules, *, phone: str | None, email: str | None) -> int:
    """Sends the keys of active upcoming bookings to the contact they were booked with; how many messages."""
    sent = 0
    for column, value in ((Booking.phone, phone), (Booking.email, email)):
        if not value:
            continue
        bookings = list(session.execute(
            select(Booking).join(Slot, Slot.id == Booking.slot_id)
            .where(column == value, Booking.status == ACTIVE, Slot.start > rules.now)
            .order_by(Slot.start)).scalars())
        if bookings:
            notices.resend_keys(session, bookings, rules.zone, phone=phone if column is Booking.phone else None,
                                email=email if column is Booking.email else None)
            sent += 1
    return sent


def booking_view(session: Session, rules: Rules, booking: Booking) -> dict[str, Any]:
    """What the applicant may see after giving key and PIN: never the PIN, contacts masked."""
    point = session.get(ServicePoint, booking.service_point_id)
    slot = session.get(Slot, booking.slot_id)
    category = session.get(Category, booking.category_id)
    return {
        "reservation_key": display_key(booking.reservation_key),
        "category": booking.category_id,
        "category_names": _names(category),
        "service_point": booking.service_point_id,
        "service_point_names": _names(point),
        "address": point.address,
        "slot_id": str(slot.id),
        "start": local_iso(slot.start, rules.zone),
        "end": local_iso(slot.end, rules.zone),
        "persons": booking.persons,
        "name": booking.name,
        "language": booking.language,
        "status": booking.status,
        "phone_masked": mask_phone(booking.phone),
        "email_masked": mask_email(booking.email),
    }
