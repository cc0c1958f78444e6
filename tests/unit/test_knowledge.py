"""The knowledge base: every fact present, every answer in fi, sv and en."""

import re

import pytest
import yaml

from bot.knowledge.store import LANGUAGE_FREE_PARTS, international_number
from bot.settings import REPO_ROOT
from tests.conftest import LANGUAGES

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
FAQ_INTENTS = [intent for intent in DOMAIN["intents"] if intent.startswith("ask_")]


def test_every_faq_intent_has_an_answer(renderer):
    missing = [intent for intent in FAQ_INTENTS if not renderer.has_answer(intent)]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", FAQ_INTENTS)
def test_every_faq_answer_renders_in_every_language(renderer, intent, language):
    text = renderer.answer(intent, language)
    assert text.strip()
    assert "{" not in text and "}" not in text
    assert renderer.title(intent, language).strip()


def test_every_answer_part_exists_in_all_three_languages(knowledge):
    for key, entry in knowledge.answers.items():
        for part, texts in entry.items():
            if part in LANGUAGE_FREE_PARTS:
                continue
            assert set(texts) == set(LANGUAGES), f"{key}.{part} lacks a language"


@pytest.mark.parametrize(
    ("topic", "number"),
    [
        ("eu_registration", "0295 790 600"),
        ("brexit", "0295 790 600"),
        ("studies_work", "0295 790 602"),
        ("family", "0295 790 603"),
        ("card_renewal", "0295 790 604"),
        ("entry_ban", "0295 790 600"),
        ("citizenship", "0295 790 604"),
        ("asylum_work", "0295 790 600"),
        ("travel_documents", "0295 790 600"),
        ("ukraine", "0295 790 605"),
        ("switchboard", "0295 430 431"),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_topic_gets_its_own_number_only(renderer, topic, number, language):
    text = renderer.service_number(topic, language)
    assert number in text
    other_numbers = set(re.findall(r"0295 \d{3} \d{3}", text)) - {number}
    assert other_numbers == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_numbers_with_known_hours_state_hours(renderer, knowledge, language):
    """The switchboard's hours are on none of the agency's pages: its answer states none (round 6)."""
    hours = renderer.weekly_hours(language)
    stated = {topic["id"]: hours in renderer.service_number(topic["id"], language) for topic in knowledge.topics}
    assert stated.pop("switchboard") is False
    assert all(stated.values())


def test_the_sms_sender_the_answer_names_is_the_one_the_chat_sends_from(knowledge):
    """ask_sms_sender says the codes, booking messages and SMS replies come from {sms_sender} (round 6):
    the default of the settings and the channel and the deployment's SMS_SENDER must be that number."""
    from bot.settings import Settings

    sender = knowledge.facts["sms_sender"]
    channel = (REPO_ROOT / "channels" / "sms.py").read_text(encoding="utf-8")
    helm = yaml.safe_load((REPO_ROOT / "deploy" / "helm" / "values-rasa.yml").read_text(encoding="utf-8"))
    deployed = {item["name"]: item.get("value") for item in helm["extraEnv"]}
    assert Settings().sms_sender == sender
    assert re.search(r'value\("sender", "SMS_SENDER", "(\d+)"\)', channel).group(1) == sender
    assert deployed["SMS_SENDER"] == sender


def test_a_number_question_without_topic_offers_every_topic(renderer):
    buttons = renderer.topic_buttons("sv")
    assert len(buttons) == 11
    assert renderer.answer("ask_service_number", "fi") == renderer.part(
        "ask_service_number", "ask_topic", "fi"
    )


@pytest.mark.parametrize(
    ("intent", "facts"),
    [
        ("ask_sms_sender", ["18135"]),
        ("ask_call_from_abroad", ["+358", "+358 295 790 600"]),
        ("ask_employer_right_to_work", ["tto@migri.fi", "securemail.migri.fi", "2"]),
        ("ask_employer_technical", ["esupport@migri.fi"]),
        ("ask_booking_cancel", ["migri@migri.fi"]),
        ("ask_booking_family", ["6"]),
        ("ask_booking_availability", ["3"]),
        ("ask_urgent_matter", ["2"]),
        ("ask_asylum", ["0295 790 600"]),
        ("ask_service_hours", ["8.30", "12.00", "13.00", "15.30"]),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_carry_their_facts(renderer, intent, facts, language):
    text = renderer.answer(intent, language)
    for fact in facts:
        assert fact in text


@pytest.mark.parametrize(
    ("language", "names"),
    [("en", ("Finnish", "Swedish", "English")),
     ("fi", ("suomeksi", "ruotsiksi", "englanniksi")),
     ("sv", ("finska", "svenska", "engelska"))],
)
def test_every_language_names_the_three_guidance_languages(renderer, language, names):
    text = renderer.answer("ask_guidance_languages", language)
    assert all(name in text for name in names)


def test_urgency_uses_the_months_of_the_pages_specific_section_and_records_its_source(knowledge):
    # The page says two months in its section on waiting numbers and three in its summary box.
    assert knowledge.facts["booking"]["urgent_within_months"] == 2
    assert "Waiting numbers are only meant for customers with urgent matters" in \
        knowledge.facts["booking"]["urgent_within_months_source"]


def test_each_phone_number_is_stored_once():
    text = (REPO_ROOT / "knowledge").rglob("*.yml")
    occurrences = sum(path.read_text(encoding="utf-8").count("0295 790 603") for path in text)
    assert occurrences == 1


def test_international_number():
    assert international_number("0295 790 600", "+358") == "+358 295 790 600"


def test_unknown_language_is_refused(renderer):
    with pytest.raises(ValueError):
        renderer.answer("ask_call_cost", "de")


def test_questions_an_answer_also_answers_are_known_intents(knowledge):
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {name if isinstance(name, str) else next(iter(name)) for name in domain["intents"]}
    answering = {key: entry["also_answers"] for key, entry in knowledge.answers.items() if "also_answers" in entry}
    assert answering
    for key, also in answering.items():
        assert key in intents and set(also) <= intents and key not in also, key
