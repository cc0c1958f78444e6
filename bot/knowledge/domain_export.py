"""Builds the domain Rasa trains on: domain.yml plus the FAQ answers from knowledge/.

Answers that never change (most FAQs) become ordinary responses with a
Finnish, a Swedish and an English variation, so Rasa answers them itself; only
answers that depend on the moment or on the message (open now, exceptional
hours, a topic's number) go through the action server. The texts stay in
knowledge/ alone: the generated file lives in var/ and is not committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.render import AnswerRenderer, default_renderer
from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES

HAND_WRITTEN_DOMAIN = REPO_ROOT / "domain.yml"
GENERATED_DOMAIN = REPO_ROOT / "var" / "generated" / "domain.yml"
DYNAMIC_ANSWERS = frozenset({"ask_open_now", "ask_exceptional_hours", "ask_service_number"})
# Questions answered by doing the thing: the booking, lookup and cancellation forms,
# and the application status check after identity verification (actions/status.py).
FLOW_INTENTS = frozenset({"ask_booking_how", "ask_booking_check", "ask_booking_cancel", "ask_application_status"})


def response_name(intent: str) -> str:
    return f"utter_{intent}"


def static_faq_intents(domain: dict[str, Any]) -> list[str]:
    return [intent for intent in domain["intents"]
            if intent.startswith("ask_") and intent not in DYNAMIC_ANSWERS | FLOW_INTENTS]


def faq_responses(domain: dict[str, Any], renderer: AnswerRenderer) -> dict[str, list[dict[str, Any]]]:
    responses = {}
    for intent in static_faq_intents(domain):
        variations: list[dict[str, Any]] = [
            {"condition": [{"type": "slot", "name": "language", "value": language}],
             "text": renderer.answer(intent, language)}
            for language in SUPPORTED_LANGUAGES if language != "en"
        ]
        variations.append({"text": renderer.answer(intent, "en")})  # English is the default variation
        responses[response_name(intent)] = variations
    return responses


def knowledge_responses(renderer: AnswerRenderer) -> dict[str, list[dict[str, Any]]]:
    """Answers named utter_* in knowledge/ (the forms' questions), with their buttons if any."""
    responses = {}
    for key in renderer.knowledge.answers:
        if not key.startswith("utter_"):
            continue
        variations: list[dict[str, Any]] = []
        for language in (*[lang for lang in SUPPORTED_LANGUAGES if lang != "en"], "en"):
            variation: dict[str, Any] = {"text": renderer.part(key, "text", language)}
            if "buttons" in renderer.knowledge.answers[key]:
                titles = [title.strip() for title in renderer.part(key, "buttons", language).split("|")]
                variation["buttons"] = [{"title": title, "payload": title} for title in titles]
            if language != "en":
                variation = {"condition": [{"type": "slot", "name": "language", "value": language}], **variation}
            variations.append(variation)
        responses[key] = variations
    return responses


def build_domain(source: Path = HAND_WRITTEN_DOMAIN) -> dict[str, Any]:
    domain = yaml.safe_load(source.read_text(encoding="utf-8"))
    renderer = default_renderer()
    domain["responses"] = {**domain["responses"], **faq_responses(domain, renderer),
                           **knowledge_responses(renderer)}
    return domain


def write_generated_domain(target: Path = GENERATED_DOMAIN) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    text = "# Generated from domain.yml and knowledge/ by bot/knowledge/domain_export.py; do not edit.\n"
    text += yaml.safe_dump(build_domain(), allow_unicode=True, sort_keys=False, width=1000)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_generated_domain())
