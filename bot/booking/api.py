"""Backend module for appointment booking: HTTP handlers (thin) over bot.booking.service, and the
OpenAPI description of every operation.

Startup seeds the reference data and extends the bookable slots forward; an
hourly task keeps extending them and prunes PIN counters.
Key operations (lookup, cancel, contact, move) answer the same 404 for an
unknown key and a wrong PIN, lock a key for 15 minutes after 5 wrong PINs,
and are rate limited per client.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.orm import Session

from bot.backend.background import run_in_background
from bot.backend.errors import ApiError, read_json_object
from bot.backend.ratelimit import RateLimiter
from bot.booking import service
from bot.booking.credentials import KEY_INPUT_PATTERN, hash_pin, is_pin_shaped, new_pin, normalise_key
from bot.booking.seed import seed, seed_data
from bot.booking.validation import (
    EMAIL_PATTERN,
    LANGUAGES,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PERSONS,
    MAX_PHONE_LENGTH,
    MIN_PERSONS,
    NAME_PATTERN,
    PHONE_PATTERN,
    InvalidInput,
    parse_email,
    parse_language,
    parse_name,
    parse_persons,
    parse_phone,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
Operation = Callable[[Session, "service.Rules", Any, Any], Any]
DEFAULT_SLOT_LIMIT = 20
# Dates outside these bounds are surely typing errors (and would overflow time-zone arithmetic).
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
MAINTENANCE_SECONDS = 3600.0
# One contact may ask for its keys a few times an hour; more requests are accepted but send nothing.
RESEND_PER_RECIPIENT, RESEND_RECIPIENT_WINDOW = 3, 3600.0
# One PIN hash at a time: scrypt takes 8 MB and 10 ms of a core, and bookings
# hashing side by side in a burst took the cores from every other process.
_PIN_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pin-hash")


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def _slot_id(value: object) -> int:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or not 1 <= len(value) <= 18:
        raise _bad("unknown_slot", "slot_id must be a slot id from the slot search (a string of digits).")
    return int(value)


def _date(params: Any, name: str, default: dt.date) -> dt.date:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        if len(raw) != 10:
            raise ValueError
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad("invalid_date", f"{name} must be a date as YYYY-MM-DD.") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise _bad("invalid_date", f"{name} must be between {FIRST_DATE} and {LAST_DATE}.")
    return day


def _int_param(params: Any, name: str, default: int, low: int, high: int, code: str) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not low <= int(raw) <= high:
        raise _bad(code, f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _contact(body: dict[str, Any], name: str, parse: Callable[[object], str]) -> str | None:
    value = body.get(name)
    return None if value is None else parse(value)


class BookingApi:
    """The booking routes of one backend process."""

    def __init__(self, context: Any) -> None:
        settings = context.settings
        self.settings = settings
        self.db = context.db
        self.zone = ZoneInfo(settings.timezone)
        window = settings.booking_rate_window
        self.create_limiter = RateLimiter(settings.booking_create_limit, window)
        self.key_limiter = RateLimiter(settings.booking_key_limit, window)
        self.resend_limiter = RateLimiter(settings.booking_resend_limit, window)
        self.recipient_limiter = RateLimiter(RESEND_PER_RECIPIENT, RESEND_RECIPIENT_WINDOW)

    def rules(self) -> service.Rules:
        return service.Rules(now=service.utcnow(), zone=self.zone,
                             cap_per_contact=self.settings.booking_cap_per_contact,
                             reminder_days_before=self.settings.reminder_days_before)

    async def run(self, work: Callable[[Session], T]) -> T:
        try:
            return await self.db.run(work)
        except service.BookingError as error:
            raise ApiError(error.status, error.code, error.message, **error.details) from None

    @staticmethod
    def limit(limiter: RateLimiter, request: web.Request) -> None:
        from bot.backend.app import client_key

        key = client_key(request)
        if not limiter.allow(key):
            raise ApiError(429, "rate_limited", "Too many requests; try again later.",
                           retry_after_seconds=int(limiter.retry_after(key)) + 1)

    # --- reference data and slots ---

    async def categories(self, _: web.Request) -> web.Response:
        return web.json_response({"items": await self.run(service.list_categories)})

    async def service_points(self, request: web.Request) -> web.Response:
        category = request.query.get("category")
        items = await self.run(lambda session: service.list_service_points(session, category))
        return web.json_response({"items": items})

    async def slots(self, request: web.Request) -> web.Response:
        params = request.query
        rules = self.rules()
        today = rules.now.replace(tzinfo=dt.UTC).astimezone(self.zone).date()
        date_from = _date(params, "date_from", today)
        date_to = _date(params, "date_to", date_from + dt.timedelta(days=service.MAX_SEARCH_DAYS - 1))
        if date_to < date_from:
            raise _bad("invalid_date_range", "date_to must not be before date_from.")
        if (date_to - date_from).days >= service.MAX_SEARCH_DAYS:
            raise _bad("invalid_date_range", f"Search at most {service.MAX_SEARCH_DAYS} days at a time.")
        persons = _int_param(params, "persons", 1, MIN_PERSONS, MAX_PERSONS, "invalid_persons")
        limit = _int_param(params, "limit", DEFAULT_SLOT_LIMIT, 1, service.MAX_SEARCH_LIMIT, "invalid_limit")
        point = params.get("service_point")
        category = params.get("category")

        def work(session: Session) -> list[dict[str, Any]]:
            return service.find_slots(session, rules, service_point=point, category=category,
                                      date_from=date_from, date_to=date_to, persons=persons, limit=limit)

        return web.json_response({"items": await self.run(work)})

    # --- bookings ---

    async def create(self, request: web.Request) -> web.Response:
        body = await read_json_object(request)
        self.limit(self.create_limiter, request)
        try:
            persons = parse_persons(body.get("persons"))
            name = parse_name(body.get("name"))
            phone = _contact(body, "phone", parse_phone)
            email = _contact(body, "email", parse_email)
            language = parse_language(body.get("language"))
        except InvalidInput as error:
            raise _bad(error.code, error.message) from None
        for field, code in (("category", "unknown_category"), ("service_point", "unknown_service_point")):
            if not isinstance(body.get(field), str):
                raise _bad(code, f"{field} must be an id (a string).")
        slot_id = _slot_id(body.get("slot_id"))
        if phone is None and email is None:
            raise _bad("missing_contact", "Give a phone number or an e-mail address, or both.")
        pin = new_pin()
        pin_hash, pin_salt = await asyncio.get_running_loop().run_in_executor(_PIN_HASHING, hash_pin, pin)
        new = service.NewBooking(category=body["category"], service_point=body["service_point"], slot_id=slot_id,
                                 persons=persons, name=name, phone=phone, email=email, language=language,
                                 pin_hash=pin_hash, pin_salt=pin_salt)
        rules = self.rules()

        def work(session: Session) -> tuple[str, dict[str, Any]]:
            booking = service.create_booking(session, rules, new)
            view = service.booking_view(session, rules, booking)
            return view["reservation_key"], view

        reservation_key, view = await self.run(work)
        return web.json_response({"reservation_key": reservation_key, "pin": pin, "booking": view}, status=201)

    async def _with_booking(self, request: web.Request, operation: Operation,
                            prepare: Callable[[dict[str, Any]], Any] = lambda body: None) -> web.Response:
        """Checks key and PIN (see service.begin_attempt), then runs
        `operation(session, rules, booking, prepare(body))` in one transaction."""
        body = await read_json_object(request)
        self.limit(self.key_limiter, request)
        key = normalise_key(body.get("reservation_key"))  # type: ignore[arg-type]
        if key is None:
            raise _bad("malformed_key", "The reservation key is 12 letters and digits, e.g. ABCD-EFGH-JKMN.")
        pin = body.get("pin")
        if not is_pin_shaped(pin):
            raise _bad("malformed_pin", "The PIN code is six digits.")
        prepared = prepare(body)
        rules = self.rules()
        stored = await self.run(lambda session: service.begin_attempt(session, rules, key))
        if not await asyncio.get_running_loop().run_in_executor(_PIN_HASHING, service.check_pin, stored, pin):
            raise ApiError(404, "not_found", "No appointment matches this reservation key and PIN code.")

        def work(session: Session) -> dict[str, Any]:
            booking = operation(session, rules, service.confirm_attempt(session, key), prepared)
            return service.booking_view(session, rules, booking)

        try:
            view = await self.run(work)
        except ApiError:
            # The PIN was right even though the change was refused: the attempt must not count.
            await self.run(lambda session: service.forget_attempts(session, key))
            raise
        return web.json_response({"booking": view})

    async def lookup(self, request: web.Request) -> web.Response:
        return await self._with_booking(request, lambda session, rules, booking, _: booking)

    async def cancel(self, request: web.Request) -> web.Response:
        return await self._with_booking(request, lambda session, rules, booking, _:
                                        service.cancel_booking(session, rules, booking))

    async def move(self, request: web.Request) -> web.Response:
        return await self._with_booking(
            request, lambda session, rules, booking, slot_id: service.move_booking(session, rules, booking, slot_id),
            lambda body: _slot_id(body.get("slot_id")))

    async def contact(self, request: web.Request) -> web.Response:
        return await self._with_booking(
            request,
            lambda session, rules, booking, changes: service.change_contact(session, rules, booking, **changes),
            _contact_changes)

    async def resend(self, request: web.Request) -> web.Response:
        body = await read_json_object(request)
        self.limit(self.resend_limiter, request)
        try:
            phone = _contact(body, "phone", parse_phone)
            email = _contact(body, "email", parse_email)
        except InvalidInput as error:
            raise _bad(error.code, error.message) from None
        if phone is None and email is None:
            raise _bad("missing_contact", "Give the phone number or the e-mail address you booked with.")
        # Each contact gets a few such messages an hour at most; beyond that we answer the same and send nothing.
        phone = phone if phone and self.recipient_limiter.allow(phone) else None
        email = email if email and self.recipient_limiter.allow(email) else None
        if phone or email:
            rules = self.rules()
            await self.run(lambda session: service.resend_keys(session, rules, phone=phone, email=email))
        return web.json_response({"status": "accepted"}, status=202)


def _contact_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The contact fields the request names: a value replaces, null removes, absent keeps."""
    changes: dict[str, Any] = {}
    try:
        for name, parse in (("phone", parse_phone), ("email", parse_email)):
            if name in body:
                changes[name] = _contact(body, name, parse)
    except InvalidInput as error:
        raise _bad(error.code, error.message) from None
    if not changes:
        raise _bad("missing_contact", "Give a new phone number or e-mail address.")
    return changes


def setup(app: web.Application, context: Any) -> None:
    api = BookingApi(context)
    settings = context.settings

    async def maintain() -> None:
        """Keeps the bookable horizon moving forward while the process runs, and prunes PIN counters."""
        while True:
            await asyncio.sleep(MAINTENANCE_SECONDS)
            try:
                await seed_now()
                await api.run(functools.partial(service.prune_pin_failures, rules=api.rules()))
            except Exception:
                log.exception("booking maintenance failed; trying again later")

    async def seed_now() -> None:
        today = dt.datetime.now(api.zone).date()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, seed, context.db, today, settings.booking_horizon_days, api.zone)

    run_in_background(app, "booking-maintenance", maintain, before=seed_now)
    app.router.add_get("/booking/categories", api.categories)
    app.router.add_get("/booking/service-points", api.service_points)
    app.router.add_get("/booking/slots", api.slots)
    app.router.add_post("/booking/bookings", api.create)
    app.router.add_post("/booking/bookings/lookup", api.lookup)
    app.router.add_post("/booking/bookings/cancel", api.cancel)
    app.router.add_post("/booking/bookings/contact", api.contact)
    app.router.add_post("/booking/bookings/move", api.move)
    app.router.add_post("/booking/bookings/resend", api.resend)


# --- OpenAPI ----------------------------------------------------------------------------------

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


COMMON_ERRORS = {"401": _error("Missing or wrong bearer token")}
BODY_ERRORS = {**COMMON_ERRORS, "400": _error("Invalid input (the code says which)"),
               "415": _error("The body is not application/json"),
               "429": _error("Too many requests from this client")}
KEY_ERRORS = {**BODY_ERRORS,
              "404": _error("No booking with this key and PIN (the same for an unknown key and a wrong PIN)"),
              "423": _error("The key is locked for 15 minutes after 5 wrong PIN codes")}
PIN_PATTERN = r"^[0-9]{6}$"
SLOT_ID_PATTERN = r"^[0-9]{1,18}$"
NAMES = {"type": "object", "required": list(LANGUAGES),
         "properties": {language: {"type": "string"} for language in LANGUAGES}}
KEY_INPUT = {"type": "string", "maxLength": 40, "pattern": KEY_INPUT_PATTERN,
             "description": "XXXX-XXXX-XXXX; any case, hyphens and spaces optional"}
PIN_INPUT = {"type": "string", "pattern": PIN_PATTERN}
# null (or leaving the field out) means no phone or e-mail.
CONTACT_PHONE = {"type": "string", "nullable": True, "maxLength": MAX_PHONE_LENGTH, "pattern": PHONE_PATTERN,
                 "description": "Finnish (040 123 4567) or international (+44 20 7946 0958)"}
CONTACT_EMAIL = {"type": "string", "nullable": True, "maxLength": MAX_EMAIL_LENGTH, "pattern": EMAIL_PATTERN}
AT_LEAST_ONE_CONTACT = [{"required": [name], "properties": {name: {"type": "string"}}} for name in ("phone", "email")]
DATE_PARAM = {"type": "string", "format": "date", "pattern": r"^(20[0-9]{2})-[0-9]{2}-[0-9]{2}$"}
CATEGORY_IDS = [item["id"] for item in seed_data()["categories"]]
POINT_IDS = [item["id"] for item in seed_data()["service_points"]]
CATEGORY_ID = {"type": "string", "enum": CATEGORY_IDS}
POINT_ID = {"type": "string", "enum": POINT_IDS}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Names": NAMES,
    "Category": {"type": "object", "required": ["id", "names", "urgency_possible"], "properties": {
        "id": {"type": "string"}, "names": _ref("Names"), "urgency_possible": {"type": "boolean"}}},
    "ServicePoint": {"type": "object", "required": ["id", "names", "city", "address", "categories"], "properties": {
        "id": {"type": "string"}, "names": _ref("Names"), "city": _ref("Names"), "address": {"type": "string"},
        "categories": {"type": "array", "items": {"type": "string"}}}},
    "Slot": {"type": "object", "required": ["id", "service_point", "start", "end", "free"], "properties": {
        "id": {"type": "string", "pattern": SLOT_ID_PATTERN}, "service_point": {"type": "string"},
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "free": {"type": "integer", "minimum": 1}}},
    "Booking": {"type": "object", "required": [
        "reservation_key", "category", "service_point", "service_point_names", "address", "slot_id", "start", "end",
        "persons", "name", "language", "status", "phone_masked", "email_masked"], "properties": {
        "reservation_key": {"type": "string", "pattern": r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-"
                                                         r"[0-9A-HJKMNP-TV-Z]{4}$"},
        "category": {"type": "string"}, "category_names": _ref("Names"),
        "service_point": {"type": "string"}, "service_point_names": _ref("Names"), "address": {"type": "string"},
        "slot_id": {"type": "string"},
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "persons": {"type": "integer", "minimum": MIN_PERSONS, "maximum": MAX_PERSONS},
        "name": {"type": "string"}, "language": {"type": "string", "enum": list(LANGUAGES)},
        "status": {"type": "string", "enum": ["active", "cancelled"]},
        "phone_masked": {"type": "string", "nullable": True}, "email_masked": {"type": "string", "nullable": True}}},
    "BookingEnvelope": {"type": "object", "required": ["booking"], "properties": {"booking": _ref("Booking")}},
    "NewBooking": {
        "type": "object", "additionalProperties": True,
        "required": ["category", "service_point", "slot_id", "persons", "name", "language"],
        "description": "At least one of phone and email is required.",
        "anyOf": AT_LEAST_ONE_CONTACT,
        "properties": {
            "category": CATEGORY_ID, "service_point": POINT_ID,
            "slot_id": {"type": "string", "pattern": SLOT_ID_PATTERN},
            "persons": {"type": "integer", "minimum": MIN_PERSONS, "maximum": MAX_PERSONS},
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": NAME_PATTERN},
            "phone": CONTACT_PHONE, "email": CONTACT_EMAIL,
            "language": {"type": "string", "enum": list(LANGUAGES)}}},
    "Created": {"type": "object", "required": ["reservation_key", "pin", "booking"], "properties": {
        "reservation_key": {"type": "string"}, "pin": {"type": "string", "pattern": PIN_PATTERN},
        "booking": _ref("Booking")}},
    "KeyAndPin": {"type": "object", "additionalProperties": True, "required": ["reservation_key", "pin"],
                  "properties": {"reservation_key": KEY_INPUT, "pin": PIN_INPUT}},
    "ContactChange": {"type": "object", "additionalProperties": True, "required": ["reservation_key", "pin"],
                      "description": "Give phone and/or email: a value replaces, null removes, absent keeps.",
                      "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
                      "properties": {"reservation_key": KEY_INPUT, "pin": PIN_INPUT,
                                     "phone": CONTACT_PHONE, "email": CONTACT_EMAIL}},
    "Move": {"type": "object", "additionalProperties": True, "required": ["reservation_key", "pin", "slot_id"],
             "properties": {"reservation_key": KEY_INPUT, "pin": PIN_INPUT,
                            "slot_id": {"type": "string", "pattern": SLOT_ID_PATTERN}}},
    "Resend": {"type": "object", "additionalProperties": True, "description": "Give phone or email (or both).",
               "anyOf": AT_LEAST_ONE_CONTACT, "properties": {"phone": CONTACT_PHONE, "email": CONTACT_EMAIL}},
    "Accepted": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string",
                                                                                    "enum": ["accepted"]}}},
}


def _list(schema: str) -> dict[str, Any]:
    return {"description": "The items", "content": {"application/json": {"schema": {
        "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": _ref(schema)}}}}}}


def _post(summary: str, body: str, ok: str, responses: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {"post": {"summary": summary, "tags": ["booking"], "requestBody": _body(body),
                     "responses": {status: _json("Done", ok), **responses}}}


OPENAPI_PATHS: dict[str, Any] = {
    "/booking/categories": {"get": {"summary": "Service categories", "tags": ["booking"],
                                    "responses": {"200": _list("Category"), **COMMON_ERRORS}}},
    "/booking/service-points": {"get": {
        "summary": "Service points, optionally only those serving a category", "tags": ["booking"],
        "parameters": [{"name": "category", "in": "query", "schema": CATEGORY_ID}],
        "responses": {"200": _list("ServicePoint"), "400": _error("Unknown category"), **COMMON_ERRORS}}},
    "/booking/slots": {"get": {
        "summary": "Free future slots, earliest first", "tags": ["booking"],
        "parameters": [
            {"name": "service_point", "in": "query", "schema": POINT_ID},
            {"name": "category", "in": "query", "schema": CATEGORY_ID},
            {"name": "date_from", "in": "query", "schema": DATE_PARAM,
             "description": "First local day (default today)"},
            {"name": "date_to", "in": "query", "schema": DATE_PARAM,
             "description": f"Last local day, at most {service.MAX_SEARCH_DAYS - 1} days after date_from"},
            {"name": "persons", "in": "query", "schema": {"type": "integer", "minimum": MIN_PERSONS,
                                                          "maximum": MAX_PERSONS, "default": 1}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": service.MAX_SEARCH_LIMIT,
                                                        "default": DEFAULT_SLOT_LIMIT}},
        ],
        "responses": {"200": _list("Slot"), "400": _error("Unknown point or category, bad dates or numbers"),
                      **COMMON_ERRORS}}},
    "/booking/bookings": _post(
        "Book an appointment; the PIN is in this answer only", "NewBooking", "Created",
        {**BODY_ERRORS, "409": _error("slot_full or booking_cap_reached")}, status="201"),
    "/booking/bookings/lookup": _post("The booking for a key and PIN", "KeyAndPin", "BookingEnvelope", KEY_ERRORS),
    "/booking/bookings/cancel": _post(
        "Cancel; the slot's room is released once", "KeyAndPin", "BookingEnvelope",
        {**KEY_ERRORS, "409": _error("already_cancelled or appointment_past")}),
    "/booking/bookings/contact": _post(
        "Change the phone number and/or e-mail address", "ContactChange", "BookingEnvelope",
        {**KEY_ERRORS, "409": _error("already_cancelled, appointment_past or booking_cap_reached")}),
    "/booking/bookings/move": _post(
        "Move to another slot in one transaction; key and PIN stay the same", "Move", "BookingEnvelope",
        {**KEY_ERRORS, "409": _error("slot_full, already_cancelled or appointment_past")}),
    "/booking/bookings/resend": _post(
        "Send the reservation keys of upcoming bookings to the contact they were booked with; "
        "always the same answer", "Resend", "Accepted", BODY_ERRORS, status="202"),
}
