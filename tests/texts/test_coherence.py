"""No answer says the chat cannot do what a form in the chat does (knowledge/features.yml)."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.knowledge.catalogue import applicant_texts
from bot.settings import REPO_ROOT
from tests.conftest import LANGUAGES

FEATURES = yaml.safe_load((REPO_ROOT / "knowledge" / "features.yml").read_text(encoding="utf-8"))["features"]
DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


def offered(feature: dict) -> bool:
    """Whether the domain has the forms, actions and intents that do the feature."""
    evidence = feature["evidence"]
    present = {"forms": set(DOMAIN.get("forms") or {}), "actions": set(DOMAIN.get("actions") or []),
               "intents": {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN.get("intents") or []}}
    found = [name in present[kind] for kind in ("forms", "actions", "intents") for name in evidence.get(kind, [])]
    return any(found) if evidence.get("any") else all(found)


def matches(patterns: list[str], language: str) -> list[str]:
    return [f"{text.where}: {pattern!r}" for text in applicant_texts() if text.language == language
            for pattern in patterns if re.search(pattern, text.template, re.IGNORECASE)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [name for name, feature in FEATURES.items() if "contradicts" in feature])
def test_no_text_contradicts_a_feature_the_chat_offers(name, language):
    feature = FEATURES[name]
    if not offered(feature):
        pytest.skip(f"{name} is not in the domain yet")
    assert matches(feature["contradicts"][language], language) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [name for name, feature in FEATURES.items() if "claims" in feature])
def test_a_text_promises_a_feature_only_when_the_chat_has_it(name, language):
    feature = FEATURES[name]
    if offered(feature):
        return
    assert matches(feature["claims"][language], language) == [], f"{name} is not in the domain"


def test_the_features_the_chat_offers_are_in_the_domain():
    for name in ("booking", "checking", "cancelling", "key_resend", "status_check"):
        assert offered(FEATURES[name]), name


@pytest.mark.parametrize(("language", "old_text"), [
    ("en", "Appointments can only be booked online, in our appointment system."),
    ("fi", "Älä kirjoita niitä tähän chattiin."),
    ("sv", "Skriv inte in dem i chatten."),
    ("en", "Yes, I'm a chatbot, a computer program. I answer general questions."),
])
def test_the_lists_catch_the_contradictions_the_editor_found(language, old_text):
    assert any(re.search(pattern, old_text, re.IGNORECASE)
               for feature in FEATURES.values() for pattern in feature.get("contradicts", {}).get(language, []))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_e_mail_cancellation_is_asked_for_the_same_way_everywhere(language):
    """The instruction after "{email_migri}." (what to say in the e-mail) is one sentence per language,
    so no text leaves out the reason the agency's page asks for (round 7 sv 1-2)."""
    instructions = {}
    for text in applicant_texts():
        if text.language == language and "{email_migri}." in text.template:
            after = " ".join(text.template.split()).split("{email_migri}. ", 1)[1]
            instructions[text.where] = after.split(". ")[0].rstrip(".")
    assert len(instructions) >= 5
    assert len(set(instructions.values())) == 1, instructions
