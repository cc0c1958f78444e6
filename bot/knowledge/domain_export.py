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


def buttons(renderer: AnswerRenderer, key: str, language: str) -> list[dict[str, str]]:
    """An answer's buttons: titles split on "|"; each sends its payload, or its own title if none is given."""
    entry = renderer.knowledge.answers[key]
    if "buttons" not in entry:
        return []
    titles = [title.strip() for title in renderer.part(key, "buttons", language).split("|")]
    payloads = entry.get("payloads") or titles
    return [{"title": title, "payload": payload} for title, payload in zip(titles, payloads, strict=True)]


def _variations(renderer: AnswerRenderer, key: str, text_of: Any) -> list[dict[str, Any]]:
    """One variation per language (English last, as the default), with the answer's buttons if any."""
    variations: list[dict[str, Any]] = []
    for language in (*[lang for lang in SUPPORTED_LANGUAGES if lang != "en"], "en"):
        variation: dict[str, Any] = {"text": text_of(language)}
        if found := buttons(renderer, key, language):
            variation["buttons"] = found
        if language != "en":
            variation = {"condition": [{"type": "slot", "name": "language", "value": language}], **variation}
        variations.append(variation)
    return variations


def faq_responses(domain: dict[str, Any], renderer: AnswerRenderer) -> dict[str, list[dict[str, Any]]]:
    return {response_name(intent): _variations(renderer, intent, lambda lang, i=intent: renderer.answer(i, lang))
            for intent in static_faq_intents(domain)}


def knowledge_responses(renderer: AnswerRenderer) -> dict[str, list[dict[str, Any]]]:
    """Answers named utter_* in knowledge/ (the forms' questions), with their buttons if any."""
    return {key: _variations(renderer, key, lambda language, k=key: renderer.part(k, "text", language))
            for key in renderer.knowledge.answers if key.startswith("utter_")}


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
