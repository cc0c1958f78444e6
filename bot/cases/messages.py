"""The status check's texts in fi, sv and en, from knowledge/answers/status.yml.

`status_messages` turns the backend's answer into chat messages: a heading,
one message per application (its stage in plain language, what it means and
what to do next; one each, so an SMS stays within its segments), then what
the service cannot do and the same notice about asylum matters for everyone.
With nothing to list, the heading only says the identity is verified.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.knowledge.places import place_name
from bot.knowledge.render import AnswerRenderer, default_renderer

CHAT, TERMS = "status_chat", "status_terms"


def format_date(value: str | None, language: str, renderer: AnswerRenderer) -> str:
    if not value:
        return "-"
    return renderer.full_date(dt.date.fromisoformat(value), language)


def chat_text(part: str, language: str, renderer: AnswerRenderer | None = None, **values: Any) -> str:
    renderer = renderer or default_renderer()
    return renderer.part(CHAT, part, language, **{key: str(value) for key, value in values.items()})


def application_text(application: dict[str, Any], language: str, renderer: AnswerRenderer) -> str:
    dates = {key: format_date(application.get(key), language, renderer)
             for key in ("submitted_on", "additional_info_due", "decision_made_on", "decision_delivered_on",
                         "last_event_on")}
    stage = renderer.part(TERMS, f"stage_{application['stage']}", language, event_on=dates["last_event_on"],
                          due=dates["additional_info_due"], decision_made_on=dates["decision_made_on"],
                          decision_delivered_on=dates["decision_delivered_on"])
    place = application.get("submitted_place")
    route_key = f"route_{application['submitted_via']}"
    if not place and application["submitted_via"] != "online":
        route_key += "_unnamed"   # no "at the service point in -"
    route = renderer.part(TERMS, route_key, language, place=place_name(place, language) if place else "")
    initials = application.get("client_initials")
    client = chat_text("client", language, renderer, initials=initials) if initials else ""
    return chat_text("application", language, renderer, client=client,
                     type=renderer.part(TERMS, application["type"], language),
                     submitted_on=dates["submitted_on"], route=route, stage=stage)


def status_messages(status: dict[str, Any], language: str, renderer: AnswerRenderer | None = None) -> list[str]:
    renderer = renderer or default_renderer()
    applications = status.get("applications") or []
    if applications:
        heading = "verified_representative" if status.get("role") == "representative" else "verified_applicant"
        messages = [chat_text(heading, language, renderer)]
        messages += [application_text(application, language, renderer) for application in applications]
        messages.append(chat_text("limits", language, renderer))
    else:   # no heading that announces a list
        messages = [chat_text("verified", language, renderer), chat_text("none_found", language, renderer)]
    messages.append(chat_text("sensitive_notice", language, renderer))
    return messages
