"""What a verified person may see: their own applications, or a representative's clients'.

Asylum and refugee travel document cases are left out here, in one place, and
nothing in the answer says whether any were: the chat always adds the same
general notice about them, whoever asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.models import SENSITIVE_TYPES, Applicant, Application, Representation, Representative


@dataclass(frozen=True)
class Person:
    role: str        # applicant or representative
    id: int
    customer_number: str
    date_of_birth: dt.date
    phone: str


def find_person(session: Session, customer_number: str, role: str | None = None) -> Person | None:
    """The applicant or representative with this customer number (only `role` if given)."""
    for model, model_role in ((Applicant, "applicant"), (Representative, "representative")):
        if role not in (None, model_role):
            continue
        row = session.execute(select(model).where(model.customer_number == customer_number)).scalar_one_or_none()
        if row is not None:
            return Person(model_role, row.id, row.customer_number, row.date_of_birth, row.phone)
    return None


def load_person(session: Session, role: str | None, person_id: int | None) -> Person | None:
    model = {"applicant": Applicant, "representative": Representative}.get(role or "")
    row = session.get(model, person_id) if model is not None and person_id is not None else None
    return Person(role, row.id, row.customer_number, row.date_of_birth, row.phone) if row else None  # type: ignore[arg-type]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def initials(applicant: Applicant) -> str:
    return f"{applicant.first_name[:1]}. {applicant.last_name[:1]}."


def application_as_json(application: Application, client: Applicant | None) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "type": application.type,
        "stage": application.stage,
        "submitted_on": _iso(application.submitted_on),
        "submitted_via": application.submitted_via,
        "submitted_place": application.submitted_place,
        "last_event": application.last_event,
        "last_event_on": _iso(application.last_event_on),
        "additional_info_due": _iso(application.additional_info_due),
        "decision_made_on": _iso(application.decision_made_on),
        "decision_delivered_on": _iso(application.decision_delivered_on),
        "client_initials": initials(client) if client is not None else None,
    }


def visible_applications(session: Session, person: Person) -> tuple[list[dict[str, Any]], list[str]]:
    """(applications the person may see in the chat, references of sensitive cases left out)."""
    if person.role == "applicant":
        rows = [(application, None) for application in session.execute(
            select(Application).where(Application.applicant_id == person.id)
            .order_by(Application.submitted_on.desc(), Application.id)).scalars()]
    else:
        rows = [tuple(row) for row in session.execute(
            select(Application, Applicant)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .join(Representation, Representation.applicant_id == Applicant.id)
            .where(Representation.representative_id == person.id)
            .order_by(Applicant.last_name, Applicant.first_name, Application.submitted_on.desc(), Application.id)
        )]
    shown = [application_as_json(application, client) for application, client in rows
             if application.type not in SENSITIVE_TYPES]
    withheld = [application.reference for application, _ in rows if application.type in SENSITIVE_TYPES]
    return shown, withheld
