"""Booking messages to applicants: rendered from messages.yml in the booking's language and put in
the outbox in the caller's transaction, by SMS and/or e-mail as the booking has contacts.

An e-mail carries the kind's `text`; an SMS its short `sms` text, fitted into GSM-7 and at most
three segments by bot/sms/text.py (the texts themselves stay within two with the longest values).

Reminders are queued at booking time for `reminder_days_before` days before the
appointment; cancelling, moving or changing contacts withdraws them. One phone
number or address gets at most BOOKING_MESSAGES_PER_CONTACT_DAY of the other
booking messages a day, whichever conversations asked for them; beyond that
nothing more is queued (and no new booking is made for it: service.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.orm import Session

from bot.booking.credentials import display_key
from bot.booking.models import Booking, Category, ServicePoint, Slot
from bot.knowledge.store import load_knowledge
from bot.knowledge.templates import fill
from bot.notifications.outbox import enqueue, sent_to_recipient, withdraw
from bot.settings import get_settings
from bot.sms.text import format_sms

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
REMINDER = "booking_reminder"
# The messages a request sends at once (a reminder waits and is withdrawn with its booking).
CAPPED_KINDS = ("booking_confirmation", "booking_cancellation", "booking_move", "booking_contact_change",
                "booking_keys_resend")


def over_daily_cap(session: Session, recipient: str | None) -> bool:
    """True when `recipient` has had its day's share of booking messages."""
    return bool(recipient) and sent_to_recipient(session, recipient, CAPPED_KINDS) >= \
        get_settings().booking_messages_per_contact_day


@lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _calendar() -> dict[str, Any]:
    return dict(load_knowledge().calendar)


def format_when(start_utc: dt.datetime, language: str, zone: ZoneInfo) -> str:
    """The appointment's local time as a person reads it, e.g. 'keskiviikko 12.3.2025 klo 9.30'."""
    local = start_utc.replace(tzinfo=dt.UTC).astimezone(zone)
    calendar = _calendar()
    return messages()["when"][language].format(
        weekday=calendar["weekdays"][language][local.weekday()], d=local.day, m=local.month, y=local.year,
        month=calendar["months"]["en"][local.month - 1], hour=local.hour, minute=f"{local.minute:02d}",
    )


def _reference(booking: Booking) -> str:
    return f"booking:{booking.id}"


def render(kind: str, language: str, **values: str) -> tuple[str, str]:
    """(subject, e-mail text) of one message."""
    entry = messages()["kinds"][kind]
    return entry["subject"][language], fill(entry["text"][language], language, values)


def render_sms(kind: str, language: str, **values: str) -> str:
    """The SMS body of one message, fitted for sending."""
    return format_sms(fill(messages()["kinds"][kind]["sms"][language], language, values))


def _email_body(language: str, text: str) -> str:
    return f"{messages()['email_greeting'][language]}\n\n{text}\n\n{messages()['email_signature'][language]}\n"


def _send(session: Session, booking: Booking, kind: str, values: dict[str, str], *,
          phone: str | None, email: str | None, send_after: dt.datetime | None = None) -> None:
    reference = _reference(booking)
    subject, text = render(kind, booking.language, **values)
    if kind in CAPPED_KINDS:
        phone = None if over_daily_cap(session, phone) else phone
        email = None if over_daily_cap(session, email) else email
    if phone:
        enqueue(session, channel="sms", recipient=phone, language=booking.language, kind=kind,
                body=render_sms(kind, booking.language, **values), reference=reference, send_after=send_after)
    if email:
        enqueue(session, channel="email", recipient=email, language=booking.language, kind=kind,
                subject=subject, body=_email_body(booking.language, text), reference=reference,
                send_after=send_after)


def booking_values(session: Session, booking: Booking, zone: ZoneInfo) -> dict[str, str]:
    point = session.get(ServicePoint, booking.service_point_id)
    slot = session.get(Slot, booking.slot_id)
    category = session.get(Category, booking.category_id)
    language = booking.language
    return {
        "when": format_when(slot.start, language, zone),
        "point": getattr(point, f"name_{language}"),
        "address": point.address,
        "persons": str(booking.persons),
        "key": display_key(booking.reservation_key),
        "category": getattr(category, f"name_{language}"),
    }


def notify(session: Session, booking: Booking, kind: str, zone: ZoneInfo, *,
           phone: str | None = None, email: str | None = None, use_booking_contacts: bool = True) -> None:
    """Queues message `kind` about `booking` to its contacts (and/or the given ones)."""
    values = booking_values(session, booking, zone)
    phones = {value for value in (phone, booking.phone if use_booking_contacts else None) if value}
    emails = {value for value in (email, booking.email if use_booking_contacts else None) if value}
    for number in sorted(phones):
        _send(session, booking, kind, values, phone=number, email=None)
    for address in sorted(emails):
        _send(session, booking, kind, values, phone=None, email=address)


def schedule_reminder(session: Session, booking: Booking, zone: ZoneInfo, days_before: int,
                      now: dt.datetime) -> None:
    """A reminder `days_before` days before the appointment, unless that moment has passed."""
    slot = session.get(Slot, booking.slot_id)
    send_after = slot.start - dt.timedelta(days=days_before)
    if send_after <= now:
        return
    _send(session, booking, REMINDER, booking_values(session, booking, zone), phone=booking.phone,
          email=booking.email, send_after=send_after)


def withdraw_reminders(session: Session, booking: Booking) -> int:
    return withdraw(session, reference=_reference(booking), kinds=(REMINDER,))


def resend_keys(session: Session, bookings: Sequence[Booking], zone: ZoneInfo, *,
                phone: str | None, email: str | None) -> None:
    """One message listing the keys of `bookings` to the one contact they were found by."""
    language = bookings[-1].language
    entry = messages()["kinds"]["booking_keys_resend"]
    lines = []
    for booking in bookings:
        values = booking_values(session, booking, zone)
        values["when"] = format_when(session.get(Slot, booking.slot_id).start, language, zone)
        point = session.get(ServicePoint, booking.service_point_id)
        values["point"] = getattr(point, f"name_{language}")
        lines.append(fill(entry["line"][language], language, values))
    text = fill(entry["text"][language], language, {"lines": "\n".join(lines)})
    subject = entry["subject"][language]
    if phone:
        enqueue(session, channel="sms", recipient=phone, language=language, kind="booking_keys_resend",
                body=format_sms(fill(entry["sms"][language], language, {"lines": "\n".join(lines)})))
    if email:
        enqueue(session, channel="email", recipient=email, language=language, kind="booking_keys_resend",
                subject=subject, body=_email_body(language, text))
