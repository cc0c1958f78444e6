"""The booking rules over a real in-memory SQLite database (seeded as on a backend start)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.backend.db import Database
from bot.booking import service
from bot.booking.credentials import hash_pin
from bot.booking.models import Booking, OpeningHours, Slot
from bot.booking.seed import day_slots, seed
from bot.knowledge.hours import noon_closing_days, public_holidays
from bot.notifications.outbox import OutboxMessage

ZONE = ZoneInfo("Europe/Helsinki")
PIN = "246810"
PIN_HASH = hash_pin(PIN)


@pytest.fixture()
def db():
    database = Database("sqlite://")
    database.create_schema()
    seed(database, dt.datetime.now(ZONE).date(), 40, ZONE)
    yield database
    database.close()


def rules(**changes) -> service.Rules:
    return service.Rules(now=changes.pop("now", service.utcnow()), zone=ZONE, **changes)


def free_slot(session, point="kotka", persons=1, skip=0) -> Slot:
    slots = session.execute(select(Slot).where(Slot.service_point_id == point, Slot.start > service.utcnow(),
                                               Slot.capacity - Slot.booked >= persons)
                            .order_by(Slot.start)).scalars().all()
    return slots[skip]


def new(slot: Slot, *, persons=1, phone="+358401234567", email=None, language="fi", category="residence_permit"):
    return service.NewBooking(category=category, service_point=slot.service_point_id, slot_id=slot.id,
                              persons=persons, name="Maria Virtanen", phone=phone, email=email, language=language,
                              pin_hash=PIN_HASH[0], pin_salt=PIN_HASH[1])


def book(db, persons=1, point="kotka", skip=0, **fields) -> Booking:
    def work(session):
        return service.create_booking(session, rules(), new(free_slot(session, point, persons, skip),
                                                             persons=persons, **fields))
    return db.transaction(work)


def outbox(db, **where):
    def work(session):
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return session.execute(query).scalars().all()
    return db.transaction(work)


# --- reference data and slots ---

def test_categories_and_urgency(db):
    categories = {item["id"]: item for item in db.transaction(service.list_categories)}
    assert list(categories) == ["residence_permit", "travel_document", "citizenship", "eu_registration", "identity"]
    assert {key: item["urgency_possible"] for key, item in categories.items()} == {
        "residence_permit": True, "travel_document": True, "citizenship": False, "eu_registration": False,
        "identity": True}
    assert all(set(item["names"]) == {"fi", "sv", "en"} and all(item["names"].values())
               for item in categories.values())


def test_service_points_in_three_languages_and_by_category(db):
    points = db.transaction(service.list_service_points)
    by_id = {point["id"]: point for point in points}
    assert by_id["helsinki-malmi"]["city"] == {"fi": "Helsinki", "sv": "Helsingfors", "en": "Helsinki"}
    assert by_id["turku"]["city"]["sv"] == "Åbo" and by_id["pori"]["city"]["sv"] == "Björneborg"
    assert len(points) >= 15
    eu = db.transaction(lambda session: service.list_service_points(session, "eu_registration"))
    assert "kotka" not in {point["id"] for point in eu} and "espoo" in {point["id"] for point in eu}
    with pytest.raises(service.BookingError) as error:
        db.transaction(lambda session: service.list_service_points(session, "nope"))
    assert error.value.code == "unknown_category"


def test_slots_follow_opening_hours_and_skip_holidays(db):
    def work(session):
        return session.execute(select(Slot).where(Slot.service_point_id == "helsinki-malmi")).scalars().all()
    slots = db.transaction(work)
    local_days = {slot.start.replace(tzinfo=dt.UTC).astimezone(ZONE).date() for slot in slots}
    assert all(day.weekday() < 5 for day in local_days)
    assert not any(day in public_holidays(day.year) for day in local_days)
    for slot in slots:
        start = slot.start.replace(tzinfo=dt.UTC).astimezone(ZONE)
        end = slot.end.replace(tzinfo=dt.UTC).astimezone(ZONE)
        assert dt.time(8) <= start.time() and end.time() <= dt.time(16, 15)
        assert slot.capacity == 8 and slot.booked == 0


def test_no_slots_on_holidays_or_after_noon_on_noon_closing_days():
    year = 2025
    christmas_eve_eve = dt.date(year, 12, 23)
    assert christmas_eve_eve in noon_closing_days(year)
    slots = day_slots(christmas_eve_eve, dt.time(8), dt.time(16, 15), 30, ZONE)
    assert slots and all(end.replace(tzinfo=dt.UTC).astimezone(ZONE).time() <= dt.time(12) for _, end in slots)
    assert len(day_slots(dt.date(year, 3, 12), dt.time(8), dt.time(16, 15), 30, ZONE)) == 16


def test_seeding_again_adds_nothing_and_later_starts_extend_forward(db):
    today = dt.datetime.now(ZONE).date()
    count = db.transaction(lambda session: session.query(Slot).count())
    assert seed(db, today, 40, ZONE) == 0
    added = seed(db, today, 50, ZONE)
    assert added > 0
    assert db.transaction(lambda session: session.query(Slot).count()) == count + added
    assert seed(db, today + dt.timedelta(days=3), 47, ZONE) == 0
    assert db.transaction(lambda session: session.query(OpeningHours).count()) > 0


def test_slot_search(db):
    today = dt.datetime.now(ZONE).date()
    items = db.transaction(lambda session: service.find_slots(
        session, rules(), service_point="oulu", category="citizenship", date_from=today,
        date_to=today + dt.timedelta(days=30), persons=2, limit=5))
    assert len(items) == 5 and all(item["service_point"] == "oulu" and item["free"] >= 2 for item in items)
    assert [item["start"] for item in items] == sorted(item["start"] for item in items)
    assert items[0]["start"].endswith(("+02:00", "+03:00"))
    too_many = db.transaction(lambda session: service.find_slots(
        session, rules(), service_point="oulu", category=None, date_from=today,
        date_to=today + dt.timedelta(days=30), persons=3, limit=5))
    assert too_many == []  # Oulu's slots take two customers
    with pytest.raises(service.BookingError) as error:
        db.transaction(lambda session: service.find_slots(
            session, rules(), service_point="kotka", category="eu_registration", date_from=today,
            date_to=today, persons=1, limit=5))
    assert error.value.code == "category_not_offered"


# --- booking rules ---

def test_booking_takes_capacity_and_never_more(db):
    first = book(db, point="oulu", persons=2)
    assert first.status == "active" and len(first.reservation_key) == 12
    slot_id = first.slot_id

    def again(session):
        slot = session.get(Slot, slot_id)
        return service.create_booking(session, rules(), new(slot, phone="+358401111111"))
    with pytest.raises(service.BookingError) as error:
        db.transaction(again)
    assert error.value.status == 409 and error.value.code == "slot_full"
    assert db.transaction(lambda session: session.get(Slot, slot_id).booked) == 2


def test_booking_checks_slot_point_category_and_time(db):
    def attempt(**changes):
        def work(session):
            slot = free_slot(session, "kotka")
            fields = dict(category="residence_permit", service_point="kotka", slot_id=slot.id)
            fields.update(changes)
            request = new(slot)
            return service.create_booking(session, rules(), service.NewBooking(**{**request.__dict__, **fields}))
        with pytest.raises(service.BookingError) as error:
            db.transaction(work)
        return error.value.code

    assert attempt(category="nope") == "unknown_category"
    assert attempt(service_point="nope") == "unknown_service_point"
    assert attempt(slot_id=10**12) == "unknown_slot"
    assert attempt(service_point="pori") == "slot_mismatch"
    assert attempt(category="eu_registration") == "category_not_offered"
    assert attempt(phone=None, email=None) == "missing_contact"

    def past(session):
        slot = free_slot(session, "kotka")
        return service.create_booking(session, rules(now=slot.start + dt.timedelta(minutes=1)), new(slot))
    with pytest.raises(service.BookingError) as error:
        db.transaction(past)
    assert error.value.code == "past_slot"


def test_cap_on_upcoming_bookings_per_phone_and_per_email(db):
    for index in range(3):
        book(db, point="helsinki-malmi", skip=index, phone="+358405555555")
    with pytest.raises(service.BookingError) as error:
        book(db, point="helsinki-malmi", skip=3, phone="+358405555555")
    assert error.value.code == "booking_cap_reached"
    for index in range(3):
        book(db, point="espoo", skip=index, phone=None, email="same@example.com")
    with pytest.raises(service.BookingError):
        book(db, point="espoo", skip=3, phone="+358406666666", email="same@example.com")
    # a cancelled booking no longer counts
    booking = book(db, point="vantaa", phone="+358407777777")
    for index in range(2):
        book(db, point="vantaa", skip=index + 1, phone="+358407777777")
    db.transaction(lambda session: service.cancel_booking(session, rules(), session.get(Booking, booking.id)))
    book(db, point="vantaa", skip=4, phone="+358407777777")


def test_confirmation_and_reminder_in_the_booking_language_without_the_pin(db):
    booking = book(db, point="helsinki-malmi", skip=40, language="sv", email="maria@example.com")
    messages = outbox(db, reference=f"booking:{booking.id}")
    kinds = sorted((message.kind, message.channel) for message in messages)
    assert kinds == [("booking_confirmation", "email"), ("booking_confirmation", "sms"),
                     ("booking_reminder", "email"), ("booking_reminder", "sms")]
    confirmation = next(m for m in messages if m.kind == "booking_confirmation" and m.channel == "sms")
    assert confirmation.language == "sv" and confirmation.recipient == "+358401234567"
    assert "Reservationskod" in confirmation.body and "Plats: Helsingfors (Malm)," in confirmation.body
    assert "Malmin raitti 17 A" in confirmation.body and " kl. " in confirmation.body
    key = booking.reservation_key
    assert f"{key[:4]}-{key[4:8]}-{key[8:]}" in confirmation.body
    assert all(PIN not in message.body for message in messages)
    email = next(m for m in messages if m.kind == "booking_confirmation" and m.channel == "email")
    assert email.subject == "Din tid är bokad" and email.body.startswith("Hej,")
    slot = db.transaction(lambda session: session.get(Slot, booking.slot_id))
    reminder = next(m for m in messages if m.kind == "booking_reminder")
    assert reminder.send_after == slot.start - dt.timedelta(days=2)


def test_no_reminder_when_the_appointment_is_sooner_than_two_days(db):
    booking = book(db, point="helsinki-malmi")
    slot = db.transaction(lambda session: session.get(Slot, booking.slot_id))
    reminders = outbox(db, reference=f"booking:{booking.id}", kind="booking_reminder")
    assert (slot.start - service.utcnow() > dt.timedelta(days=2)) == bool(reminders)


def test_cancel_releases_capacity_once_and_withdraws_reminders(db):
    booking = book(db, point="oulu", persons=2, skip=100)
    db.transaction(lambda session: service.cancel_booking(session, rules(), session.get(Booking, booking.id)))
    assert db.transaction(lambda session: session.get(Slot, booking.slot_id).booked) == 0
    with pytest.raises(service.BookingError) as error:
        db.transaction(lambda session: service.cancel_booking(session, rules(), session.get(Booking, booking.id)))
    assert error.value.status == 409 and error.value.code == "already_cancelled"
    assert db.transaction(lambda session: session.get(Slot, booking.slot_id).booked) == 0
    reminders = outbox(db, reference=f"booking:{booking.id}", kind="booking_reminder")
    assert reminders and all(message.withdrawn_at is not None for message in reminders)
    assert outbox(db, reference=f"booking:{booking.id}", kind="booking_cancellation")


def test_move_is_atomic(db):
    booking = book(db, point="joensuu", skip=100)
    full = book(db, point="joensuu", skip=100, phone="+358408888888")  # the next free slot, now full

    def move_to_full(session):
        return service.move_booking(session, rules(), session.get(Booking, booking.id), full.slot_id)
    with pytest.raises(service.BookingError) as error:
        db.transaction(move_to_full)
    assert error.value.code == "slot_full"
    after = db.transaction(lambda session: session.get(Booking, booking.id))
    assert after.slot_id == booking.slot_id and after.status == "active"
    assert db.transaction(lambda session: (session.get(Slot, booking.slot_id).booked,
                                           session.get(Slot, full.slot_id).booked)) == (1, 1)

    target = db.transaction(lambda session: free_slot(session, "lahti", skip=100))
    moved = db.transaction(lambda session: service.move_booking(session, rules(), session.get(Booking, booking.id),
                                                                target.id))
    assert moved.slot_id == target.id and moved.service_point_id == "lahti"
    assert moved.reservation_key == booking.reservation_key and moved.pin_hash == booking.pin_hash
    assert db.transaction(lambda session: (session.get(Slot, booking.slot_id).booked,
                                           session.get(Slot, target.id).booked)) == (0, 1)
    reminders = outbox(db, reference=f"booking:{booking.id}", kind="booking_reminder")
    assert [message.withdrawn_at is None for message in reminders] == [False, True]
    assert outbox(db, reference=f"booking:{booking.id}", kind="booking_move")


def test_contact_change_needs_one_contact_and_notifies_old_and_new(db):
    booking = book(db, point="tampere", skip=100, email="old@example.com")

    def change(**contacts):
        return db.transaction(lambda session: service.change_contact(session, rules(),
                                                                     session.get(Booking, booking.id), **contacts))
    with pytest.raises(service.BookingError) as error:
        change(phone=None, email=None)
    assert error.value.code == "missing_contact"
    changed = change(email="new@example.com")
    assert changed.email == "new@example.com" and changed.phone == "+358401234567"
    reference = f"booking:{booking.id}"
    confirmations = outbox(db, reference=reference, kind="booking_contact_change")
    assert {message.recipient for message in confirmations} == {"+358401234567", "new@example.com"}
    key = changed.reservation_key
    assert all(key[:4] in message.body and "Tampere" in message.body for message in confirmations)
    notices = outbox(db, reference=reference, kind="booking_contact_notice")
    assert [message.recipient for message in notices] == ["old@example.com"]
    assert key[:4] not in notices[0].body and "Tampere" not in notices[0].body
    live_reminders = [m for m in outbox(db, reference=reference, kind="booking_reminder")
                      if m.withdrawn_at is None]
    assert {message.recipient for message in live_reminders} == {"+358401234567", "new@example.com"}


def test_a_wrong_phone_replaced_gets_only_the_notice_and_the_new_one_the_confirmation(db):
    booking = book(db, point="tampere", skip=101, phone="+358401111111", language="sv")
    db.transaction(lambda session: service.change_contact(session, rules(), session.get(Booking, booking.id),
                                                          phone="+358502222222"))
    sent = outbox(db, reference=f"booking:{booking.id}")
    by_recipient = {}
    for message in sent:
        by_recipient.setdefault(message.recipient, set()).add(message.kind)
    assert by_recipient["+358502222222"] >= {"booking_contact_change", "booking_reminder"}
    assert by_recipient["+358401111111"] - {"booking_confirmation", "booking_reminder"} == {"booking_contact_notice"}
    notice = next(message for message in sent if message.kind == "booking_contact_notice")
    assert notice.language == "sv" and notice.channel == "sms"


def test_pin_lockout_after_five_wrong_pins(db):
    booking = book(db, point="turku")
    key = booking.reservation_key
    now = service.utcnow()

    def attempt(pin, at=now):
        return db.transaction(lambda session: service.authenticate(session, rules(now=at), key, pin))
    assert attempt(PIN).id == booking.id
    for _ in range(5):
        assert attempt("000000") is None
    with pytest.raises(service.BookingError) as error:
        attempt(PIN)
    assert error.value.status == 423 and error.value.code == "locked"
    assert attempt(PIN, now + dt.timedelta(minutes=16)).id == booking.id
    # a right PIN clears the count
    for _ in range(4):
        attempt("000000")
    assert attempt(PIN).id == booking.id
    assert attempt("000000") is None and attempt(PIN).id == booking.id


def test_pin_counters_are_pruned_when_there_is_nothing_to_remember(db):
    booking = book(db, point="turku", skip=5)
    now = service.utcnow()

    def attempt(key, pin, at=now):
        return db.transaction(lambda session: service.authenticate(session, rules(now=at), key, pin))
    attempt(booking.reservation_key, PIN)
    for _ in range(5):
        attempt("ABCDEFGHJKM0", PIN)
    attempt("ABCDEFGHJKM1", PIN)
    assert db.transaction(lambda session: service.prune_pin_failures(session, rules(now=now))) == 1
    with pytest.raises(service.BookingError):  # a lock in force is kept
        attempt("ABCDEFGHJKM0", PIN)
    assert db.transaction(lambda session: service.prune_pin_failures(
        session, rules(now=now + dt.timedelta(minutes=16)))) == 1


def test_unknown_keys_lock_the_same_way(db):
    for _ in range(5):
        assert db.transaction(lambda session: service.authenticate(session, rules(), "ABCDEFGHJKMN", PIN)) is None
    with pytest.raises(service.BookingError) as error:
        db.transaction(lambda session: service.authenticate(session, rules(), "ABCDEFGHJKMN", PIN))
    assert error.value.code == "locked"


def test_resend_sends_keys_only_to_the_contact_on_record(db):
    first = book(db, point="kuopio", phone="+358409999999", language="en")
    book(db, point="kuopio", skip=1, phone="+358409999999", language="en")
    assert db.transaction(lambda session: service.resend_keys(session, rules(), phone="+358409999999",
                                                              email=None)) == 1
    assert db.transaction(lambda session: service.resend_keys(session, rules(), phone="+358400000001",
                                                              email="nobody@example.com")) == 0
    messages = outbox(db, kind="booking_keys_resend")
    assert len(messages) == 1 and messages[0].recipient == "+358409999999"
    key = first.reservation_key
    assert f"{key[:4]}-{key[4:8]}-{key[8:]}" in messages[0].body and "PIN" in messages[0].body
    assert PIN not in messages[0].body
