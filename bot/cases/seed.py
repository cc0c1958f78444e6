"""Fills an empty case register with the demo people and applications of seed_data.yml."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases.models import (
    APPLICATION_TYPES,
    STAGES,
    SUBMISSION_ROUTES,
    Applicant,
    Application,
    Representation,
    Representative,
)

SEED_FILE = Path(__file__).with_name("seed_data.yml")
FIRST_REFERENCE = 104210
STAGE_EVENTS = {
    "received": "application_received",
    "processing": "processing_started",
    "additional_info_requested": "additional_info_requested",
    "decision_made": "decision_made",
    "decision_delivered": "decision_delivered",
}


@lru_cache(maxsize=1)
def seed_data() -> dict[str, Any]:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def _email(first: str, last: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_name if c.isalnum() or c == ".") + "@example.com"


def application_row(spec: dict[str, Any], applicant_id: int, reference: str, today: dt.date) -> Application:
    """An application at its stage, with the dates that stage implies."""
    if spec["type"] not in APPLICATION_TYPES or spec["stage"] not in STAGES or spec["via"] not in SUBMISSION_ROUTES:
        raise ValueError(f"bad demo application {spec!r}")
    submitted = today - dt.timedelta(days=spec["submitted_days_ago"])
    stage = spec["stage"]
    event_on = today - dt.timedelta(days=spec.get("event_days_ago", spec["submitted_days_ago"] // 2))
    row = Application(
        reference=reference, applicant_id=applicant_id, type=spec["type"], submitted_on=submitted,
        submitted_via=spec["via"], submitted_place=spec.get("place"), stage=stage,
        last_event=STAGE_EVENTS[stage], last_event_on=submitted if stage == "received" else event_on,
    )
    if stage == "additional_info_requested":
        row.additional_info_due = today + dt.timedelta(days=spec.get("due_in_days", 21))
    if stage == "decision_made":
        row.decision_made_on = event_on
    if stage == "decision_delivered":
        row.decision_made_on = event_on - dt.timedelta(days=7)
        row.decision_delivered_on = event_on
    return row


def seed_demo(session: Session, today: dt.date | None = None) -> bool:
    """Adds the demo data if the register is empty; True if it did."""
    if session.execute(select(func.count()).select_from(Applicant)).scalar_one():
        return False
    today = today or dt.date.today()
    data = seed_data()
    applicant_ids: dict[str, int] = {}
    reference = FIRST_REFERENCE
    for person in data["applicants"]:
        applicant = Applicant(
            customer_number=person["customer_number"], first_name=person["first_name"],
            last_name=person["last_name"], date_of_birth=person["date_of_birth"], phone=person["phone"],
            email=_email(person["first_name"], person["last_name"]), language=person["language"],
        )
        session.add(applicant)
        session.flush()
        applicant_ids[person["customer_number"]] = applicant.id
        for spec in person["applications"]:
            session.add(application_row(spec, applicant.id, f"HAK-{reference}", today))
            reference += 1
    for person in data["representatives"]:
        representative = Representative(
            customer_number=person["customer_number"], first_name=person["first_name"],
            last_name=person["last_name"], organisation=person.get("organisation"),
            date_of_birth=person["date_of_birth"], phone=person["phone"],
            email=_email(person["first_name"], person["last_name"]), language=person["language"],
        )
        session.add(representative)
        session.flush()
        for client in person["clients"]:
            session.add(Representation(representative_id=representative.id, applicant_id=applicant_ids[client]))
    return True
