"""The generated domain: fixed FAQ answers as responses in fi, sv and en, from knowledge/ only."""

import pytest

from bot.knowledge.domain_export import DYNAMIC_ANSWERS, FLOW_INTENTS, build_domain, response_name, static_faq_intents


@pytest.fixture(scope="module")
def domain():
    return build_domain()


def test_every_fixed_faq_answer_is_a_response_in_three_languages(domain, renderer):
    intents = static_faq_intents(domain)
    faq_intents = [intent for intent in domain["intents"] if intent.startswith("ask_")]
    not_fixed = DYNAMIC_ANSWERS | FLOW_INTENTS
    assert len(intents) == len(faq_intents) - len(not_fixed) and not set(intents) & not_fixed
    for intent in intents:
        variations = domain["responses"][response_name(intent)]
        by_language = {(v.get("condition") or [{"value": "en"}])[0]["value"]: v["text"] for v in variations}
        assert by_language == {language: renderer.answer(intent, language) for language in ("fi", "sv", "en")}


def test_hand_written_responses_are_kept(domain):
    assert "utter_greet" in domain["responses"] and "utter_help" in domain["responses"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_reminder_answer_offers_the_contact_correction_it_names(language):
    # The answer says the contact details can be corrected here in the chat; its button starts that.
    variations = build_domain()["responses"]["utter_ask_booking_reminder"]
    by_language = {(v.get("condition") or [{"value": "en"}])[0]["value"]: v for v in variations}
    assert [button["payload"] for button in by_language[language]["buttons"]] == ["/change_booking_contact"]
