"""The booking tables: service points, categories, opening hours, slots, bookings and PIN lockouts.

Times are stored as naive UTC; they become Europe/Helsinki only when shown.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from bot.backend.db import Base
from bot.booking.rules import MAX_PERSONS, MIN_PERSONS

ACTIVE, CANCELLED = "active", "cancelled"

service_point_categories = Table(
    "booking_service_point_categories",
    Base.metadata,
    Column("service_point_id", String(40), ForeignKey("booking_service_points.id"), primary_key=True),
    Column("category_id", String(40), ForeignKey("booking_categories.id"), primary_key=True),
)


class Category(Base):
    __tablename__ = "booking_categories"

    id = Column(String(40), primary_key=True)
    name_fi = Column(String(200), nullable=False)
    name_sv = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    urgency_possible = Column(Boolean, nullable=False)
    position = Column(Integer, nullable=False, default=0)


class ServicePoint(Base):
    __tablename__ = "booking_service_points"

    id = Column(String(40), primary_key=True)
    name_fi = Column(String(200), nullable=False)
    name_sv = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    city_fi = Column(String(100), nullable=False)
    city_sv = Column(String(100), nullable=False)
    city_en = Column(String(100), nullable=False)
    address = Column(String(200), nullable=False)
    slot_minutes = Column(Integer, nullable=False)
    slot_capacity = Column(Integer, nullable=False)
    position = Column(Integer, nullable=False, default=0)


class OpeningHours(Base):
    """One weekday's opening time at one service point ("08:00"-"16:15", local time)."""

    __tablename__ = "booking_opening_hours"

    service_point_id = Column(String(40), ForeignKey("booking_service_points.id"), primary_key=True)
    weekday = Column(Integer, primary_key=True)  # 0 = Monday
    opens = Column(String(5), nullable=False)
    closes = Column(String(5), nullable=False)


class Slot(Base):
    __tablename__ = "booking_slots"
    __table_args__ = (
        UniqueConstraint("service_point_id", "start", name="uq_booking_slot_point_start"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_booking_slot_capacity"),
        Index("ix_booking_slots_start", "start"),
    )

    id = Column(Integer, primary_key=True)
    service_point_id = Column(String(40), ForeignKey("booking_service_points.id"), nullable=False)
    start = Column(DateTime, nullable=False)
    end = Column(DateTime, nullable=False)
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)


class Booking(Base):
    __tablename__ = "booking_bookings"
    __table_args__ = (
        CheckConstraint(f"persons BETWEEN {MIN_PERSONS} AND {MAX_PERSONS}", name="ck_booking_persons"),
        Index("ix_booking_bookings_phone", "phone", "status"),
        Index("ix_booking_bookings_email", "email", "status"),
    )

    id = Column(Integer, primary_key=True)
    reservation_key = Column(String(12), nullable=False, unique=True)
    pin_hash = Column(String(200), nullable=False)
    pin_salt = Column(String(64), nullable=False)
    category_id = Column(String(40), ForeignKey("booking_categories.id"), nullable=False)
    service_point_id = Column(String(40), ForeignKey("booking_service_points.id"), nullable=False)
    slot_id = Column(Integer, ForeignKey("booking_slots.id"), nullable=False, index=True)
    persons = Column(Integer, nullable=False)
    name = Column(String(100), nullable=False)
    phone = Column(String(16), nullable=True)
    email = Column(String(254), nullable=True)
    language = Column(String(2), nullable=False)
    status = Column(String(10), nullable=False, default=ACTIVE)
    created_at = Column(DateTime, nullable=False)
    cancelled_at = Column(DateTime, nullable=True)
    moved_at = Column(DateTime, nullable=True)


class PinFailures(Base):
    """Wrong PINs per reservation key (known or not, so a lock reveals nothing) and the lock."""

    __tablename__ = "booking_pin_failures"

    reservation_key = Column(String(12), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)
