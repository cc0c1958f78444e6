"""The booking API over HTTP against the real backend process (SQLite)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.backend.conftest import sms_opening

ZONE = ZoneInfo("Europe/Helsinki")


def call(backend, method, path, body=None, *, client=None, raw=None, content_type="application/json",
         headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(backend.url + path, data=data, method=method, headers={
        **backend.headers, "X-Client-Id": client or f"test-{uuid.uuid4()}",
        **({"Content-Type": content_type} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def slots(backend, point, *, persons=1, limit=50, **params):
    query = urllib.parse.urlencode({"service_point": point, "persons": persons, "limit": limit, **params})
    status, body = call(backend, "GET", f"/booking/slots?{query}")
    assert status == 200, body
    return body["items"]


def booking_body(slot, **changes):
    body = {"category": "residence_permit", "service_point": slot["service_point"], "slot_id": slot["id"],
            "persons": 1, "name": "Maria Virtanen", "phone": f"+35840{uuid.uuid4().int % 10**7:07d}",
            "language": "fi"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def book(backend, slot, **changes):
    status, body = call(backend, "POST", "/booking/bookings", booking_body(slot, **changes))
    assert status == 201, body
    return body


def test_categories_and_service_points(backend):
    status, body = call(backend, "GET", "/booking/categories")
    assert status == 200
    urgency = {item["id"]: item["urgency_possible"] for item in body["items"]}
    assert urgency == {"residence_permit": True, "travel_document": True, "citizenship": False,
                       "eu_registration": False, "identity": True}
    status, body = call(backend, "GET", "/booking/service-points?category=citizenship")
    assert status == 200 and {"helsinki-malmi", "tampere", "oulu"} <= {item["id"] for item in body["items"]}
    malmi = next(item for item in body["items"] if item["id"] == "helsinki-malmi")
    assert set(malmi["names"]) == {"fi", "sv", "en"} and malmi["city"]["sv"] == "Helsingfors" and malmi["address"]
    assert call(backend, "GET", "/booking/service-points?category=nope")[0] == 400


def test_slot_search_answers_future_free_slots_in_order(backend):
    items = slots(backend, "oulu", persons=2, category="citizenship")
    assert items and all(item["free"] >= 2 for item in items)
    starts = [dt.datetime.fromisoformat(item["start"]) for item in items]
    assert starts == sorted(starts) and all(start > dt.datetime.now(dt.UTC) for start in starts)
    assert starts[0].utcoffset() in (dt.timedelta(hours=2), dt.timedelta(hours=3))
    today = dt.datetime.now(ZONE).date()
    one_day = slots(backend, "helsinki-malmi", date_from=str(today + dt.timedelta(days=20)),
                    date_to=str(today + dt.timedelta(days=26)), limit=200)
    assert {dt.datetime.fromisoformat(item["start"]).date() for item in one_day} <= {
        today + dt.timedelta(days=n) for n in range(20, 27)}


@pytest.mark.parametrize("query, code", [
    ("service_point=nowhere", "unknown_service_point"),
    ("service_point=oulu&category=nope", "unknown_category"),
    ("service_point=kotka&category=eu_registration", "category_not_offered"),
    ("service_point=oulu&date_from=2025-13-01", "invalid_date"),
    ("service_point=oulu&date_from=tomorrow", "invalid_date"),
    ("service_point=oulu&date_from=2030-01-10&date_to=2030-01-09", "invalid_date_range"),
    ("service_point=oulu&date_from=2030-01-01&date_to=2030-06-01", "invalid_date_range"),
    ("service_point=oulu&persons=7", "invalid_persons"),
    ("service_point=oulu&persons=0", "invalid_persons"),
    ("service_point=oulu&persons=two", "invalid_persons"),
    ("service_point=oulu&limit=0", "invalid_limit"),
])
def test_slot_search_rejects_bad_queries(backend, query, code):
    status, body = call(backend, "GET", f"/booking/slots?{query}")
    assert (status, body["error"]) == (400, code), body
    assert body["message"]


def test_book_look_up_move_change_contact_and_cancel(backend):
    first, second = slots(backend, "turku", limit=60)[40:42]
    created = book(backend, first, language="en", email="maria@example.com", phone="040 765 4321", persons=2)
    key, pin = created["reservation_key"], created["pin"]
    assert len(key) == 14 and key[4] == key[9] == "-" and len(pin) == 6 and pin.isdigit()
    view = created["booking"]
    assert view["start"] == first["start"] and view["persons"] == 2 and view["status"] == "active"
    assert view["phone_masked"] == "+358 40 *** **21" and view["email_masked"] == "m***@example.com"
    assert view["service_point_names"]["sv"] == "Åbo" and view["address"]
    assert "pin" not in view and "phone" not in view and "email" not in view

    status, body = call(backend, "POST", "/booking/bookings/lookup",
                        {"reservation_key": key.lower().replace("-", " "), "pin": pin})
    assert status == 200 and body["booking"] == view

    status, body = call(backend, "POST", "/booking/bookings/move",
                        {"reservation_key": key, "pin": pin, "slot_id": second["id"]})
    assert status == 200 and body["booking"]["start"] == second["start"]
    remaining = {item["id"]: item["free"] for item in slots(backend, "turku", limit=60)}
    assert remaining.get(first["id"]) == first["free"] and remaining.get(second["id"], 0) == second["free"] - 2

    status, body = call(backend, "POST", "/booking/bookings/contact",
                        {"reservation_key": key, "pin": pin, "phone": "+46 70 123 45 67", "email": None})
    assert status == 200 and body["booking"]["phone_masked"] == "+46 *** **67"
    assert body["booking"]["email_masked"] is None

    status, body = call(backend, "POST", "/booking/bookings/cancel", {"reservation_key": key, "pin": pin})
    assert status == 200 and body["booking"]["status"] == "cancelled"
    status, body = call(backend, "POST", "/booking/bookings/cancel", {"reservation_key": key, "pin": pin})
    assert (status, body["error"]) == (409, "already_cancelled")
    remaining = {item["id"]: item["free"] for item in slots(backend, "turku", limit=60)}
    assert remaining[second["id"]] == second["free"]
    status, body = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": key, "pin": pin})
    assert status == 200 and body["booking"]["status"] == "cancelled"


def test_seven_persons_are_refused_with_advice(backend):
    slot = slots(backend, "helsinki-malmi")[0]
    status, body = call(backend, "POST", "/booking/bookings", booking_body(slot, persons=7))
    assert (status, body["error"]) == (400, "invalid_persons")
    assert "6" in body["message"] and "another appointment" in body["message"]


@pytest.mark.parametrize("changes, code", [
    ({"category": "nope"}, "unknown_category"),
    ({"service_point": "nowhere"}, "unknown_service_point"),
    ({"slot_id": "999999999"}, "unknown_slot"),
    ({"slot_id": 12}, "unknown_slot"),
    ({"service_point": "pori"}, "slot_mismatch"),
    ({"persons": 0}, "invalid_persons"),
    ({"persons": "2"}, "invalid_persons"),
    ({"phone": ..., "email": ...}, "missing_contact"),
    ({"phone": "12"}, "invalid_phone"),
    ({"email": "maria@"}, "invalid_email"),
    ({"name": ""}, "invalid_name"),
    ({"name": 5}, "invalid_name"),
    ({"language": "de"}, "invalid_language"),
    ({"language": ...}, "invalid_language"),
])
def test_invalid_bookings_are_refused(backend, changes, code):
    slot = slots(backend, "helsinki-malmi")[1]
    status, body = call(backend, "POST", "/booking/bookings", booking_body(slot, **changes))
    assert (status, body["error"]) == (400, code), body


def test_bad_bodies_get_4xx(backend):
    assert call(backend, "POST", "/booking/bookings", raw=b"{not json")[0] == 400
    assert call(backend, "POST", "/booking/bookings", raw=b"[1, 2]")[0] == 400
    assert call(backend, "POST", "/booking/bookings", raw=b"\xff\xfe")[0] == 400
    assert call(backend, "POST", "/booking/bookings", raw=b"{}", content_type="text/plain")[0] == 415
    assert call(backend, "POST", "/booking/bookings/lookup", raw=b'{"pin": 1}')[0] == 400
    assert call(backend, "GET", "/booking/bookings")[0] == 405


def test_full_slot_and_cap_per_contact(backend):
    slot = next(item for item in slots(backend, "rovaniemi", limit=100)[60:] if item["free"] == 1)
    book(backend, slot)
    status, body = call(backend, "POST", "/booking/bookings", booking_body(slot))
    assert (status, body["error"]) == (409, "slot_full")
    email = f"cap-{uuid.uuid4().hex[:8]}@example.com"
    free = slots(backend, "vaasa", limit=100)[70:]
    for slot in free[:3]:
        book(backend, slot, email=email, phone=...)
    status, body = call(backend, "POST", "/booking/bookings", booking_body(free[3], email=email, phone=...))
    assert (status, body["error"]) == (409, "booking_cap_reached")


def test_unknown_key_and_wrong_pin_look_the_same_and_lock(backend):
    slot = slots(backend, "lahti", limit=100)[80]
    created = book(backend, slot)
    key, pin = created["reservation_key"], created["pin"]
    wrong = "000000" if pin != "000000" else "111111"
    unknown = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": "ZZZZ-ZZZZ-ZZZZ", "pin": pin})
    wrong_pin = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": key, "pin": wrong})
    assert unknown == wrong_pin and unknown[0] == 404 and unknown[1]["error"] == "not_found"
    for _ in range(4):
        assert call(backend, "POST", "/booking/bookings/cancel", {"reservation_key": key, "pin": wrong})[0] == 404
    status, body = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": key, "pin": pin})
    assert (status, body["error"]) == (423, "locked")
    status, body = call(backend, "POST", "/booking/bookings/cancel", {"reservation_key": key, "pin": pin})
    assert status == 423


@pytest.mark.parametrize("key", ["", "ABC", "ABCD-EFGH-IJKU", "ÅÄÖÅ-ÄÖÅÄ-ÖÅÄÖ", None, 123])
def test_malformed_keys(backend, key):
    status, body = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": key, "pin": "123456"})
    assert (status, body["error"]) == (400, "malformed_key")


def test_key_operations_validate_their_fields(backend):
    base = {"reservation_key": "ABCD-EFGH-JKMN", "pin": "123456"}
    assert call(backend, "POST", "/booking/bookings/lookup", {**base, "pin": "12345"})[1]["error"] == "malformed_pin"
    assert call(backend, "POST", "/booking/bookings/move", base)[1]["error"] == "unknown_slot"
    assert call(backend, "POST", "/booking/bookings/contact", base)[1]["error"] == "missing_contact"
    assert call(backend, "POST", "/booking/bookings/contact", {**base, "email": "x"})[1]["error"] == "invalid_email"


def test_key_operations_are_rate_limited_per_client(backend):
    client = f"greedy-{uuid.uuid4()}"
    answers = [call(backend, "POST", "/booking/bookings/lookup",
                    {"reservation_key": "ABCD-EFGH-JKMN", "pin": "123456"}, client=client)[0] for _ in range(35)]
    assert answers.count(429) >= 5 and set(answers) <= {404, 423, 429}
    assert call(backend, "POST", "/booking/bookings/lookup",
                {"reservation_key": "ABCD-EFGH-JKMN", "pin": "123456"})[0] in (404, 423)


def test_resend_is_uniform_and_sends_only_to_the_contact_on_record(backend):
    slot = slots(backend, "jyvaskyla", limit=100)[50]
    created = book(backend, slot, email="resend-me@example.com", phone=..., language="sv")
    for body in ({"email": "resend-me@example.com"}, {"email": "unknown@example.com"}, {"phone": "040 000 0000"}):
        assert call(backend, "POST", "/booking/bookings/resend", body) == (202, {"status": "accepted"})
    assert call(backend, "POST", "/booking/bookings/resend", {})[1]["error"] == "missing_contact"
    assert call(backend, "POST", "/booking/bookings/resend", {"email": "not-an-address"})[0] == 400
    engine = create_engine(backend.db_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT recipient, language, body FROM outbox WHERE kind = 'booking_keys_resend'")).all()
    engine.dispose()
    assert {row.recipient for row in rows} == {"resend-me@example.com"}
    assert rows[0].language == "sv" and created["reservation_key"] in rows[0].body
    assert created["pin"] not in rows[0].body


def test_confirmation_lands_in_the_outbox_in_the_booking_language_and_is_dispatched(backend):
    import time

    slot = slots(backend, "espoo", limit=100)[60]
    phone = "+358401112233"
    created = book(backend, slot, language="sv", phone=phone)
    engine = create_engine(backend.db_url)
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT language, body, sent_at FROM outbox WHERE kind = 'booking_confirmation' AND recipient = :r"),
                {"r": phone}).one()
        if row.sent_at is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    engine.dispose()
    assert row.language == "sv" and row.body.startswith(sms_opening("booking_confirmation", "sv"))
    assert created["reservation_key"] in row.body
    assert created["pin"] not in row.body
    assert row.sent_at is not None  # the local sender records it as sent


def test_openapi_describes_every_booking_operation(backend):
    status, document = call(backend, "GET", "/openapi.json")
    paths = document["paths"]
    for path in ("/booking/categories", "/booking/service-points", "/booking/slots", "/booking/bookings",
                 "/booking/bookings/lookup", "/booking/bookings/cancel", "/booking/bookings/contact",
                 "/booking/bookings/move", "/booking/bookings/resend"):
        assert path in paths
    lookup = paths["/booking/bookings/lookup"]["post"]["responses"]
    assert {"200", "400", "401", "404", "415", "423", "429"} <= set(lookup)
    persons = document["components"]["schemas"]["NewBooking"]["properties"]["persons"]
    assert (persons["minimum"], persons["maximum"]) == (1, 6)


def outbox_rows(backend):
    engine = create_engine(backend.db_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT recipient, channel, kind, language, body FROM outbox ORDER BY id")).all()
    engine.dispose()
    return rows


def test_contact_correction_confirms_to_the_new_contact_and_warns_the_old_one(backend):
    slot = slots(backend, "oulu", limit=100)[70]
    old_phone, new_phone = "+358401230001", "+358501230002"
    created = book(backend, slot, language="en", phone=old_phone, email="kept@example.com")
    key, pin = created["reservation_key"], created["pin"]
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    before = len(outbox_rows(backend))

    status, body = call(backend, "POST", "/booking/bookings/contact",
                        {"reservation_key": key, "pin": wrong, "phone": new_phone})
    assert (status, body["error"]) == (404, "not_found")
    assert len(outbox_rows(backend)) == before
    status, body = call(backend, "POST", "/booking/bookings/lookup", {"reservation_key": key, "pin": pin})
    assert body["booking"]["phone_masked"] == "+358 40 *** **01"

    status, body = call(backend, "POST", "/booking/bookings/contact",
                        {"reservation_key": key, "pin": pin, "phone": "050 123 0002"})
    assert status == 200 and body["booking"]["phone_masked"] == "+358 50 *** **02"
    assert body["booking"]["email_masked"] == "k***@example.com"
    new_rows = outbox_rows(backend)[before:]
    confirmations = {row.recipient for row in new_rows if row.kind == "booking_contact_change"}
    assert confirmations == {new_phone, "kept@example.com"}
    assert all(key in row.body for row in new_rows if row.kind == "booking_contact_change")
    notices = [row for row in new_rows if row.kind == "booking_contact_notice"]
    assert [(row.recipient, row.channel, row.language) for row in notices] == [(old_phone, "sms", "en")]
    assert key not in notices[0].body and pin not in notices[0].body
    assert old_phone not in {row.recipient for row in new_rows if row.kind != "booking_contact_notice"}
