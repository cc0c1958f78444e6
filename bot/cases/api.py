"""Backend module of the case register: the status check's HTTP API under /cases.

Steps: POST /cases/verification/start (customer number), /birth-date (a code
goes by SMS to the phone on record if the details match; the answer is the
same either way), /confirm (the code -> a ticket for this conversation), then
POST /cases/status with the ticket or a channel-sealed login identity;
POST /cases/session/end ends a ticket; GET /cases/audit lists the audit log.
The caller's conversation is the X-Client-Id header (bot.backend.app.client_key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

from aiohttp import web

from bot.backend.app import CONTEXT, BackendContext, client_key
from bot.backend.errors import ApiError, read_json_object
from bot.cases import audit
from bot.cases.audit import Actor
from bot.cases.guard import Guard
from bot.cases.messages import chat_text
from bot.cases.parsing import parse_iso_date
from bot.cases.security import Secrets
from bot.cases.seed import seed_demo
from bot.cases.verification import StepRefused, Verifier
from bot.settings import SUPPORTED_LANGUAGES, cases_hash_key, identity_seal_key, sms_hash_key

logger = logging.getLogger(__name__)

CHANNELS = ("socketio", "rest", "sms", "other")
VERIFIER = web.AppKey("cases_verifier", Verifier)
PRUNE_INTERVAL_SECONDS = 600
MESSAGES = {
    "locked": "Too many attempts: verification is locked for a while.",
    "rate_limited": "Too many requests: try again later.",
    "verification_not_found": "No verification in progress with this id for this client.",
    "code_expired": "The code has expired; start a new verification.",
    "too_many_attempts": "The code was wrong too many times; start a new verification.",
    "wrong_code": "The code is not correct.",
    "not_verified": "The ticket or identity is not valid (or no longer valid).",
}


def _text(body: dict[str, Any], name: str, pattern: str, explanation: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ApiError(400, "invalid_field", f"'{name}' must be {explanation}.", field=name)
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in allowed:
        raise ApiError(400, "invalid_field", f"'{name}' must be one of {', '.join(allowed)}.", field=name)
    return value


def _actor(request: web.Request, body: dict[str, Any], method: str = "otp") -> Actor:
    return Actor(client=client_key(request), channel=_choice(body, "channel", CHANNELS, "other"), method=method)


def _refused(error: StepRefused) -> ApiError:
    details: dict[str, Any] = {}
    if error.retry_after is not None:
        details["retry_after"] = int(error.retry_after) + 1
    if error.attempts_left is not None:
        details["attempts_left"] = error.attempts_left
    return ApiError(error.status, error.code, MESSAGES.get(error.code, error.code), **details)


async def _run(request: web.Request, work) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    context: BackendContext = request.app[CONTEXT]  # type: ignore[assignment]

    def committed(session):  # type: ignore[no-untyped-def]
        # A refused step still commits what it counted (attempts, failures, lockouts, audit entries).
        try:
            return work(session)
        except StepRefused as error:
            return error

    result = await context.db.run(committed)
    if isinstance(result, StepRefused):
        raise _refused(result)
    return result


def _birth_date(body: dict[str, Any]) -> Any:
    date = parse_iso_date(body.get("date_of_birth"))
    if date is None:
        raise ApiError(400, "invalid_field", "'date_of_birth' must be a date as YYYY-MM-DD.", field="date_of_birth")
    return date


async def start(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    customer_number = _text(body, "customer_number", r"[0-9]{8}", "the 8 digits of a customer number")
    language = _choice(body, "language", SUPPORTED_LANGUAGES, "fi")
    birth_date = _birth_date(body) if "date_of_birth" in body else None
    actor, verifier = _actor(request, body), request.app[VERIFIER]

    def work(session):  # type: ignore[no-untyped-def]
        started = verifier.start(session, actor, customer_number, language)
        if birth_date is not None:
            return verifier.give_birth_date(session, actor, started["verification_id"], birth_date)
        return started

    return web.json_response(await _run(request, work), status=202)


async def birth_date(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    verification_id = _text(body, "verification_id", r"[A-Za-z]{1,64}", "the id the start step returned")
    date = _birth_date(body)
    actor, verifier = _actor(request, body), request.app[VERIFIER]
    result = await _run(request, lambda session: verifier.give_birth_date(session, actor, verification_id, date))
    return web.json_response(result, status=202)


async def confirm(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    verification_id = _text(body, "verification_id", r"[A-Za-z]{1,64}", "the id the start step returned")
    code = _text(body, "code", r"[0-9]{6}", "the 6 digits of the code")
    actor, verifier = _actor(request, body), request.app[VERIFIER]
    return web.json_response(await _run(request, lambda session: verifier.confirm(session, actor, verification_id,
                                                                                   code)))


async def status(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    ticket, identity = body.get("ticket"), body.get("identity")
    if identity is not None and not isinstance(identity, dict):
        raise ApiError(400, "invalid_field", "'identity' must be the object the chat channel attached.",
                       field="identity")
    if identity is None:
        ticket = _text(body, "ticket", r"[A-Za-z]{1,64}", "the ticket of a completed verification")
    actor, verifier = _actor(request, body, "jwt" if identity is not None else "otp"), request.app[VERIFIER]
    return web.json_response(await _run(request, lambda session: verifier.status(session, actor, ticket, identity)))


async def end_session(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    ticket = _text(body, "ticket", r"[A-Za-z]{1,64}", "the ticket of a completed verification")
    actor, verifier = _actor(request, body), request.app[VERIFIER]
    return web.json_response(await _run(request, lambda session: verifier.end(session, actor, ticket)))


async def audit_log(request: web.Request) -> web.Response:
    query = request.query
    raw_limit = query.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
        raise ApiError(400, "invalid_field", "'limit' must be a whole number from 1 to 1000.", field="limit")
    customer_number = query.get("customer_number")
    if customer_number is not None and not re.fullmatch(r"[0-9]{8}", customer_number):
        raise ApiError(400, "invalid_field", "'customer_number' must be 8 digits.", field="customer_number")
    verifier = request.app[VERIFIER]
    subject = verifier.secrets.subject_hash(customer_number) if customer_number else None
    entries = await _run(request, lambda session: audit.recent(
        session, int(raw_limit), event=query.get("event") or None, client=query.get("client") or None,
        subject_hash=subject))
    return web.json_response({"entries": entries})


def setup(app: web.Application, context: BackendContext) -> None:
    settings = context.settings.cases
    app[VERIFIER] = Verifier(
        settings=settings, secrets=Secrets(cases_hash_key()), guard=Guard(settings), seal_key=identity_seal_key(),
        code_message=lambda language, code, minutes: chat_text("code_sms", language, code=code, minutes=minutes),
        sms_hash_key=sms_hash_key(),
    )

    async def seed(_: web.Application) -> None:
        if settings.seed_demo and await context.db.run(seed_demo):
            logger.info("Case register seeded with demo data")

    async def prune_limits(_: web.Application):  # type: ignore[no-untyped-def]
        async def loop() -> None:
            while True:
                await asyncio.sleep(PRUNE_INTERVAL_SECONDS)
                app[VERIFIER].guard.prune()

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(seed)
    app.cleanup_ctx.append(prune_limits)
    app.router.add_post("/cases/verification/start", start)
    app.router.add_post("/cases/verification/birth-date", birth_date)
    app.router.add_post("/cases/verification/confirm", confirm)
    app.router.add_post("/cases/status", status)
    app.router.add_post("/cases/session/end", end_session)
    app.router.add_get("/cases/audit", audit_log)


# -- API description ---------------------------------------------------------------
def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


CLIENT_HEADER = {"name": "X-Client-Id", "in": "header", "required": False,
                 "description": "The conversation's hashed id; rate limits and tickets are bound to it "
                                "(the first 128 characters count; the caller's address if absent).",
                 "schema": {"type": "string"}}
COMMON_ERRORS = {"400": _error("A field is missing or malformed"), "401": _error("No valid service token"),
                 "415": _error("The body is not JSON")}
STEP_ERRORS = {**COMMON_ERRORS, "429": _error("Locked out or rate limited (retry_after seconds)")}

OPENAPI_PATHS: dict[str, Any] = {
    "/cases/verification/start": {"post": {
        "summary": "Start verifying by customer number (and optionally the date of birth at once)",
        "description": "Answers alike whether or not the customer number exists. With date_of_birth, "
                       "also does the birth-date step.",
        "parameters": [CLIENT_HEADER], "requestBody": _body("VerificationStart"),
        "responses": {"202": _ok("Verification started", "VerificationStep"), **STEP_ERRORS},
    }},
    "/cases/verification/birth-date": {"post": {
        "summary": "Give the date of birth; if it matches, a one-time code goes by SMS to the phone on record",
        "description": "Answers alike whether or not the details matched.",
        "parameters": [CLIENT_HEADER], "requestBody": _body("BirthDate"),
        "responses": {"202": _ok("Code step next", "VerificationStep"),
                      "404": _error("No verification awaiting a date of birth with this id"), **STEP_ERRORS},
    }},
    "/cases/verification/confirm": {"post": {
        "summary": "Confirm the one-time code; a ticket for this conversation if right",
        "parameters": [CLIENT_HEADER], "requestBody": _body("CodeConfirmation"),
        "responses": {"200": _ok("Verified", "Ticket"),
                      "404": _error("No verification awaiting a code with this id"),
                      "403": _error("Wrong code (attempts_left)"),
                      "409": _error("The code expired or was wrong too many times: start again"),
                      **STEP_ERRORS},
    }},
    "/cases/status": {"post": {
        "summary": "The verified person's applications (asylum and refugee travel document cases never)",
        "parameters": [CLIENT_HEADER], "requestBody": _body("StatusRequest"),
        "responses": {"200": _ok("Applications the person may see", "Status"),
                      "401": _error("Not verified: no valid ticket or sealed identity"),
                      "400": COMMON_ERRORS["400"], "415": COMMON_ERRORS["415"],
                      "429": STEP_ERRORS["429"]},
    }},
    "/cases/session/end": {"post": {
        "summary": "End a verified session (log out); answers alike for any ticket",
        "parameters": [CLIENT_HEADER], "requestBody": _body("SessionEnd"),
        "responses": {"200": _ok("Ended", "SessionEnded"), **COMMON_ERRORS},
    }},
    "/cases/audit": {"get": {
        "summary": "The audit log of verifications and disclosures, newest first",
        "parameters": [
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 1000, "default": 100}},
            {"name": "event", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "client", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "customer_number", "in": "query", "required": False,
             "schema": {"type": "string", "pattern": "^[0-9]{8}$"}},
        ],
        "responses": {"200": _ok("Entries", "AuditLog"), "400": COMMON_ERRORS["400"],
                      "401": COMMON_ERRORS["401"]},
    }},
}

_CHANNEL = {"type": "string", "enum": list(CHANNELS), "default": "other"}
_ID = {"type": "string", "pattern": "^[A-Za-z]{1,64}$"}
_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "VerificationStart": {"type": "object", "required": ["customer_number"], "properties": {
        "customer_number": {"type": "string", "pattern": "^[0-9]{8}$"},
        "date_of_birth": _DATE,
        "language": {"type": "string", "enum": list(SUPPORTED_LANGUAGES), "default": "fi"},
        "channel": _CHANNEL}},
    "BirthDate": {"type": "object", "required": ["verification_id", "date_of_birth"], "properties": {
        "verification_id": _ID, "date_of_birth": _DATE, "channel": _CHANNEL}},
    "CodeConfirmation": {"type": "object", "required": ["verification_id", "code"], "properties": {
        "verification_id": _ID, "code": {"type": "string", "pattern": "^[0-9]{6}$"}, "channel": _CHANNEL}},
    "VerificationStep": {"type": "object", "required": ["verification_id", "next"], "properties": {
        "verification_id": {"type": "string"}, "next": {"type": "string", "enum": ["date_of_birth", "code"]},
        "expires_in": {"type": "integer"}, "code_expires_in": {"type": "integer"}}},
    "Ticket": {"type": "object", "required": ["ticket", "role", "expires_in"], "properties": {
        "ticket": {"type": "string"}, "role": {"type": "string", "enum": ["applicant", "representative"]},
        "expires_in": {"type": "integer", "description": "Seconds the ticket stays valid without use"}}},
    "SealedIdentity": {"type": "object", "description": "The verified_identity the chat channel attached",
                       "required": ["subject", "role", "expires_at", "method", "seal"], "properties": {
                           "subject": {"type": "string"}, "role": {"type": "string"},
                           "expires_at": {"type": "integer"}, "method": {"type": "string"},
                           "seal": {"type": "string"}}},
    "StatusRequest": {"type": "object", "description": "Either a ticket or a sealed identity",
                      "anyOf": [{"required": ["ticket"]}, {"required": ["identity"]}], "properties": {
                          "ticket": _ID, "identity": _ref("SealedIdentity"), "channel": _CHANNEL}},
    "Application": {"type": "object", "required": ["reference", "type", "stage", "submitted_on", "submitted_via"],
                    "properties": {
                        "reference": {"type": "string"}, "type": {"type": "string"},
                        "stage": {"type": "string", "enum": ["received", "processing", "additional_info_requested",
                                                             "decision_made", "decision_delivered"]},
                        "submitted_on": {"type": "string", "format": "date"},
                        "submitted_via": {"type": "string", "enum": ["online", "service_point", "mission"]},
                        "submitted_place": {"type": "string", "nullable": True},
                        "last_event": {"type": "string"}, "last_event_on": {"type": "string", "format": "date"},
                        "additional_info_due": _NULLABLE_DATE, "decision_made_on": _NULLABLE_DATE,
                        "decision_delivered_on": _NULLABLE_DATE,
                        "client_initials": {"type": "string", "nullable": True}}},
    "Status": {"type": "object", "required": ["role", "method", "applications"], "properties": {
        "role": {"type": "string", "enum": ["applicant", "representative"]},
        "method": {"type": "string", "enum": ["otp", "jwt"]},
        "applications": {"type": "array", "items": _ref("Application")}}},
    "SessionEnd": {"type": "object", "required": ["ticket"], "properties": {"ticket": _ID, "channel": _CHANNEL}},
    "SessionEnded": {"type": "object", "required": ["ended"], "properties": {"ended": {"type": "boolean"}}},
    "AuditEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "event": {"type": "string"},
        "outcome": {"type": "string"}, "method": {"type": "string"}, "channel": {"type": "string"},
        "client": {"type": "string"}, "subject_hash": {"type": "string", "nullable": True},
        "role": {"type": "string", "nullable": True},
        "application_reference": {"type": "string", "nullable": True},
        "detail": {"type": "string", "nullable": True}}},
    "AuditLog": {"type": "object", "required": ["entries"],
                 "properties": {"entries": {"type": "array", "items": _ref("AuditEntry")}}},
}
