"""Loads `knowledge/` into one immutable object and names its facts for templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings

# Parts of an answer that are the same in every language: what its buttons send, and the questions
# it already answers when they follow it (bot/nlu/follow_up.py).
LANGUAGE_FREE_PARTS = ("payloads", "also_answers")


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything in `knowledge/`: facts, topics, calendar words and answers."""

    facts: Mapping[str, Any]
    topics: list[Mapping[str, Any]]
    calendar: Mapping[str, Any]
    answers: Mapping[str, Mapping[str, Any]]

    def template_facts(self) -> dict[str, str]:
        """Facts by the flat names answer templates use, e.g. {phone_general}."""
        facts = self.facts
        named: dict[str, str] = {}
        for key, number in facts["phone"].items():
            named[f"phone_{key}"] = number
        for key, address in facts["email"].items():
            named[f"email_{key}"] = address
        named["phone_general_international"] = international_number(
            facts["phone"]["general"], facts["country_code"]
        )
        named["country_code"] = facts["country_code"]
        named["sms_sender"] = facts["sms_sender"]
        named["secure_mail"] = facts["secure_mail"]
        named["employer_reply_weeks"] = str(facts["employer_reply_weeks"])
        named["family_max_persons"] = str(facts["booking"]["family_max_persons"])
        named["booking_months_ahead"] = str(facts["booking"]["months_ahead"])
        named["booking_search_days"] = str(facts["booking"]["search_days"])
        named["urgent_within_months"] = str(facts["booking"]["urgent_within_months"])
        return named

    def topic(self, topic_id: str) -> Mapping[str, Any]:
        for topic in self.topics:
            if topic["id"] == topic_id:
                return topic
        raise KeyError(topic_id)


def international_number(national_number: str, country_code: str) -> str:
    """'0295 790 600' -> '+358 295 790 600': drop the leading zero, add the code."""
    digits = national_number.strip()
    if digits.startswith("0"):
        digits = digits[1:]
    return f"{country_code} {digits}"


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    """Reads every file of the knowledge directory (default: settings.knowledge_dir)."""
    root = directory or get_settings().knowledge_dir
    answers: dict[str, Mapping[str, Any]] = {}
    for path in sorted((root / "answers").glob("*.yml")):
        for key, answer in (_read_yaml(path) or {}).items():
            if key in answers:
                raise ValueError(f"answer {key!r} defined twice (again in {path.name})")
            answers[key] = answer
    return KnowledgeBase(
        facts=_read_yaml(root / "facts.yml"),
        topics=_read_yaml(root / "topics.yml")["topics"],
        calendar=_read_yaml(root / "calendar.yml"),
        answers=answers,
    )


@lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The knowledge base of this process, loaded once on first use."""
    return load_knowledge()
