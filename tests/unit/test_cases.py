"""The case register's parts in-process: parsing, demo data, texts, lockouts and the verifier's clock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from bot.backend.db import Database
from bot.cases.audit import Actor
from bot.cases.guard import Guard, locked_until, record_failure
from bot.cases.messages import chat_text, status_messages
from bot.cases.models import APPLICATION_TYPES, SENSITIVE_TYPES, STAGES, Application
from bot.cases.parsing import parse_birth_date, parse_code, parse_customer_number
from bot.cases.security import Secrets, new_id
from bot.cases.seed import seed_data, seed_demo
from bot.cases.verification import StepRefused, Verifier
from bot.notifications.outbox import OutboxMessage
from bot.settings import CaseSettings
from tests.conftest import LANGUAGES

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(("text", "expected"), [
    ("12345678", "12345678"), ("1234 5678", "12345678"), ("1234-5678", "12345678"),
    ("asiakasnumeroni on 87654321", "87654321"), ("mitt kundnummer är 2345 6789", "23456789"),
    ("1234567", None), ("123456789", None), ("12345678 or 87654321", None), ("1.2.1990", None), ("", None),
])
def test_customer_number(text, expected):
    assert parse_customer_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2.1990", dt.date(1990, 2, 1)), ("01.02.1990", dt.date(1990, 2, 1)), ("1990-02-01", dt.date(1990, 2, 1)),
    ("1/2/1990", dt.date(1990, 2, 1)), ("1. 2. 1990", dt.date(1990, 2, 1)),
    ("synnyin 1. helmikuuta 1990", dt.date(1990, 2, 1)), ("född den 1 februari 1990", dt.date(1990, 2, 1)),
    ("February 1, 1990", dt.date(1990, 2, 1)), ("1st of February 1990", dt.date(1990, 2, 1)),
    ("1.2.90", None), ("31.2.1990", None), ("1.2.2030", None), ("1.2.1890", None), ("12345678", None),
    ("1.2.1990 or 2.3.1991", None),
])
def test_birth_date(text, expected):
    assert parse_birth_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("123456", "123456"), ("123 456", "123456"), ("koodi on 654321", "654321"), ("12345", None),
    ("12345678", None), ("1.2.1990", None),
])
def test_code(text, expected):
    assert parse_code(text) == expected


def test_demo_data_covers_every_type_and_stage_and_both_representatives():
    data = seed_data()
    applications = [application for person in data["applicants"] for application in person["applications"]]
    assert len(data["applicants"]) >= 30
    assert {application["type"] for application in applications} == set(APPLICATION_TYPES)
    assert {application["stage"] for application in applications} == set(STAGES)
    assert len(data["representatives"]) == 2 and all(rep["clients"] for rep in data["representatives"])
    numbers = [person["customer_number"] for person in data["applicants"] + data["representatives"]]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"\d{8}", number) for number in numbers)


def test_seeding_is_idempotent_and_dates_follow_the_stage():
    database = Database("sqlite://")
    database.create_schema()
    assert database.transaction(lambda session: seed_demo(session, TODAY)) is True
    assert database.transaction(lambda session: seed_demo(session, TODAY)) is False
    rows = database.transaction(lambda session: list(session.execute(select(Application)).scalars()))
    for row in rows:
        assert (row.additional_info_due is not None) == (row.stage == "additional_info_requested")
        assert (row.decision_delivered_on is not None) == (row.stage == "decision_delivered")
        if row.additional_info_due:
            assert row.additional_info_due > TODAY


def sample(type_, stage):
    return {"reference": "HAK-1", "type": type_, "stage": stage, "submitted_on": "2025-01-02",
            "submitted_via": "service_point", "submitted_place": "Turku", "last_event": stage,
            "last_event_on": "2025-03-01", "additional_info_due": "2025-04-01", "decision_made_on": "2025-03-02",
            "decision_delivered_on": "2025-03-09", "client_initials": None}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_type_and_stage_reads_in_every_language(renderer, language):
    shown = [t for t in APPLICATION_TYPES if t not in SENSITIVE_TYPES]
    applications = [sample(type_, stage) for type_ in shown for stage in STAGES]
    messages = status_messages({"role": "applicant", "applications": applications}, language, renderer)
    assert len(messages) == len(applications) + 3
    assert all(message.strip() and "{" not in message for message in messages)
    assert "Enter Finland" in messages[-2]


def test_the_asylum_notice_is_the_same_whoever_asks(renderer):
    with_cases = status_messages({"role": "applicant", "applications": [sample("citizenship", "processing")]}, "fi",
                                 renderer)
    without = status_messages({"role": "applicant", "applications": []}, "fi", renderer)
    assert with_cases[-1] == without[-1] and "turvapaikka" in without[-1]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["applicant", "representative"])
def test_no_heading_announces_a_list_that_does_not_come(renderer, language, role):
    """Round 7 fi 8: "… Hakemuksesi tilanne:" followed by "En löytänyt hakemuksia …"."""
    messages = status_messages({"role": role, "applications": []}, language, renderer)
    assert messages[:2] == [chat_text("verified", language, renderer), chat_text("none_found", language, renderer)]
    assert not messages[0].endswith(":")
    listed = status_messages({"role": role, "applications": [sample("citizenship", "processing")]}, language,
                             renderer)
    assert listed[0].endswith(":")


@pytest.mark.parametrize("language", LANGUAGES)
def test_representative_heading_and_client_initials(renderer, language):
    application = {**sample("extended_permit", "received"), "client_initials": "A. B."}
    messages = status_messages({"role": "representative", "applications": [application]}, language, renderer)
    assert messages[0] == chat_text("verified_representative", language, renderer)
    assert messages[1].startswith(chat_text("client", language, renderer, initials="A. B."))


def test_failures_lock_out_after_the_limit_within_the_window():
    settings = CaseSettings(lockout_failures=3, lockout_seconds=600)
    database = Database("sqlite://")
    database.create_schema()
    now = dt.datetime(2025, 6, 1, 12, 0)

    def fail(at):
        return database.transaction(lambda session: record_failure(session, ["client:x"], at, settings))

    assert [fail(now), fail(now + dt.timedelta(minutes=1))] == [False, False]
    assert fail(now + dt.timedelta(minutes=20)) is False   # the window restarted
    assert fail(now + dt.timedelta(minutes=21)) is False
    assert fail(now + dt.timedelta(minutes=22)) is True
    until = database.transaction(lambda session: locked_until(session, ["client:x", "subject:y"],
                                                              now + dt.timedelta(minutes=23)))
    assert until == now + dt.timedelta(minutes=32)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 6, 1, 12, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def test_ticket_lasts_while_used_but_not_beyond_its_maximum():
    clock, settings = Clock(), CaseSettings(ticket_idle_seconds=3600, ticket_max_seconds=4 * 3600)
    database = Database("sqlite://")
    database.create_schema()
    database.transaction(lambda session: seed_demo(session, TODAY))
    verifier = Verifier(settings, Secrets("k"), Guard(settings), "seal", lambda language, code, minutes: code, clock)
    actor = Actor("conversation", "rest", "otp")
    step = database.transaction(lambda session: verifier.start(session, actor, "31804527", "en"))
    database.transaction(lambda session: verifier.give_birth_date(session, actor, step["verification_id"],
                                                                  dt.date(1991, 3, 14)))
    code = database.transaction(lambda session: session.execute(select(OutboxMessage.body)).scalars().all()[-1])
    ticket = database.transaction(lambda session: verifier.confirm(session, actor, step["verification_id"],
                                                                   code))["ticket"]
    for _ in range(4):   # used every 59 minutes: still valid...
        clock.now += dt.timedelta(minutes=59)
        assert database.transaction(lambda session: verifier.status(session, actor, ticket))["applications"]
    clock.now += dt.timedelta(minutes=5)   # ...until four hours from the verification
    with pytest.raises(StepRefused):
        database.transaction(lambda session: verifier.status(session, actor, ticket))


def test_ids_are_letters_only_and_codes_compare_safely():
    assert re.fullmatch(r"[A-Za-z]{32}", new_id())
    secrets = Secrets("key")
    stored = secrets.code_hash("v", "123456")
    assert secrets.code_matches("v", "123456", stored)
    assert not secrets.code_matches("v", "123457", stored) and not secrets.code_matches("v", "123456", None)
    assert secrets.subject_hash("12345678") != Secrets("other").subject_hash("12345678")
