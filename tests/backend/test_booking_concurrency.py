"""Many simultaneous requests never overbook a slot, release capacity twice or exceed the cap per
contact: real concurrent HTTP requests against the backend on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from tests.backend.conftest import start_backend, stop_backend
from tests.backend.postgres import postgres_cluster


@pytest.fixture(scope="module")
def pg_backend(tmp_path_factory):
    with postgres_cluster() as url:
        directory = tmp_path_factory.mktemp("pg-backend")
        running = start_backend(url, directory / "backend.log")
        try:
            yield running
        finally:
            stop_backend(running)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request):
    return request.getfixturevalue("backend" if request.param == "sqlite" else "pg_backend")


async def post(session, backend, path, body):
    headers = {**backend.headers, "X-Client-Id": f"crowd-{uuid.uuid4()}"}
    async with session.post(backend.url + path, json=body, headers=headers) as response:
        return response.status, await response.json()


async def get(session, backend, path, **params):
    async with session.get(backend.url + path, params=params, headers=backend.headers) as response:
        assert response.status == 200
        return (await response.json())["items"]


def phone() -> str:
    return f"+35850{uuid.uuid4().int % 10**7:07d}"


def body(slot, persons=1, **changes):
    return {"category": "residence_permit", "service_point": slot["service_point"], "slot_id": slot["id"],
            "persons": persons, "name": "Concurrent Applicant", "phone": phone(), "language": "en", **changes}


def slot_state(backend, slot_id):
    """(capacity, booked, persons in active bookings) straight from the database."""
    engine = create_engine(backend.db_url, future=True)
    try:
        with engine.connect() as connection:
            capacity, booked = connection.execute(
                text("SELECT capacity, booked FROM booking_slots WHERE id = :id"), {"id": int(slot_id)}).one()
            persons = connection.execute(text(
                "SELECT COALESCE(SUM(persons), 0) FROM booking_bookings WHERE slot_id = :id AND status = 'active'"),
                {"id": int(slot_id)}).scalar_one()
    finally:
        engine.dispose()
    return capacity, booked, persons


async def unbooked_slots(session, backend, point, count, offset, room=1):
    """`count` slots with at least `room` free places, `offset` slots ahead (away from other tests' slots)."""
    items = await get(session, backend, "/booking/slots", service_point=point, persons=room, limit=200)
    assert len(items) >= offset + count
    return items[offset:offset + count]


async def test_fifty_simultaneous_bookings_of_a_one_person_slot(any_backend):
    async with aiohttp.ClientSession() as session:
        [slot] = await unbooked_slots(session, any_backend, "joensuu", 1, 120)
        answers = await asyncio.gather(*(post(session, any_backend, "/booking/bookings", body(slot))
                                         for _ in range(50)))
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
    assert all(answer["error"] == "slot_full" for status, answer in answers if status == 409)
    assert slot_state(any_backend, slot["id"]) == (1, 1, 1)


async def test_fifty_simultaneous_families_for_a_two_person_slot(any_backend):
    async with aiohttp.ClientSession() as session:
        [slot] = await unbooked_slots(session, any_backend, "oulu", 1, 150, room=2)
        answers = await asyncio.gather(*(post(session, any_backend, "/booking/bookings", body(slot, 1 + n % 2))
                                         for n in range(50)))
    booked = sum(answer["booking"]["persons"] for status, answer in answers if status == 201)
    assert booked == 2
    assert {status for status, _ in answers} == {201, 409}
    assert slot_state(any_backend, slot["id"]) == (2, 2, 2)


async def test_simultaneous_cancels_release_the_room_once(any_backend):
    async with aiohttp.ClientSession() as session:
        [slot] = await unbooked_slots(session, any_backend, "oulu", 1, 170, room=2)
        status, created = await post(session, any_backend, "/booking/bookings", body(slot, 2))
        assert status == 201
        credentials = {"reservation_key": created["reservation_key"], "pin": created["pin"]}
        answers = await asyncio.gather(*(post(session, any_backend, "/booking/bookings/cancel", credentials)
                                         for _ in range(20)))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 423}, statuses
    assert slot_state(any_backend, slot["id"]) == (2, 0, 0)


async def test_simultaneous_moves_into_one_slot(any_backend):
    async with aiohttp.ClientSession() as session:
        slots = await unbooked_slots(session, any_backend, "pori", 11, 100)
        target, sources = slots[0], slots[1:]
        bookings = []
        for source in sources:
            status, created = await post(session, any_backend, "/booking/bookings", body(source))
            assert status == 201
            bookings.append(created)
        answers = await asyncio.gather(*(
            post(session, any_backend, "/booking/bookings/move",
                 {"reservation_key": created["reservation_key"], "pin": created["pin"], "slot_id": target["id"]})
            for created in bookings))
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(200) == 1 and statuses.count(409) == 9, statuses
    assert slot_state(any_backend, target["id"]) == (1, 1, 1)
    moved = next(created for (status, _), created in zip(answers, bookings, strict=True) if status == 200)
    for source, created in zip(sources, bookings, strict=True):
        assert slot_state(any_backend, source["id"]) == ((1, 0, 0) if created is moved else (1, 1, 1))


async def test_cap_per_contact_holds_under_concurrency(any_backend):
    email = f"crowd-{uuid.uuid4().hex[:10]}@example.com"
    async with aiohttp.ClientSession() as session:
        slots = await unbooked_slots(session, any_backend, "helsinki-malmi", 12, 180)
        answers = await asyncio.gather(*(post(session, any_backend, "/booking/bookings",
                                              body(slot, email=email, phone=None)) for slot in slots))
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(201) == 3 and statuses.count(409) == 9, statuses
    assert all(answer["error"] == "booking_cap_reached" for status, answer in answers if status == 409)
