"""Every response of the domain speaks Finnish, Swedish and English."""

import pytest
import yaml

from bot.settings import REPO_ROOT

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


def variation_languages(variations):
    languages = set()
    for variation in variations:
        conditions = variation.get("condition") or []
        values = [c["value"] for c in conditions if c.get("name") == "language"]
        languages.update(values or ["en"])  # the unconditioned variation is English
    return languages


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_response_has_fi_sv_en(name):
    assert variation_languages(DOMAIN["responses"][name]) == {"fi", "sv", "en"}


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_buttons_are_in_every_variation_or_none(name):
    has_buttons = [bool(variation.get("buttons")) for variation in DOMAIN["responses"][name]]
    assert all(has_buttons) or not any(has_buttons)


def test_greeting_says_it_is_a_bot_and_warns_about_personal_data():
    texts = {variation_languages([v]).pop(): v["text"] for v in DOMAIN["responses"]["utter_greet"]}
    assert "chatbot" in texts["fi"] and "henkilötietojasi" in texts["fi"]
    assert "chattbot" in texts["sv"] and "personuppgifter" in texts["sv"]
    assert "chatbot" in texts["en"] and "personal data" in texts["en"]


def test_the_bot_disclosure_states_it_without_a_yes_or_no_first():
    """utter_bot answers "are you human?", "am I talking to a person?" and "can I talk to a human?"
    alike (intent bot_challenge): a leading yes or no word contradicts one of them (round 6)."""
    from actions.forms import NO, YES

    texts = {variation_languages([v]).pop(): v["text"] for v in DOMAIN["responses"]["utter_bot"]}
    assert set(texts) == {"fi", "sv", "en"}
    assert [language for language, text in texts.items() if YES.match(text) or NO.match(text)] == []
    assert YES.match("Kyllä, olen chatbot") and YES.match("Ja, jag är en chattbot") and YES.match("Yes, I'm a chatbot")


def test_chat_page_texts_exist_in_three_languages():
    import json

    texts = json.loads((REPO_ROOT / "channels/web/static/i18n.json").read_text(encoding="utf-8"))
    assert set(texts) == {"fi", "sv", "en"}
    assert set(texts["fi"]) == set(texts["sv"]) == set(texts["en"])


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_language_buttons_render_with_json_payloads_and_no_error(language, monkeypatch):
    import asyncio

    from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    errors = []
    monkeypatch.setattr(interpolator.structlogger, "exception", lambda event, **_: errors.append(event))
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", language)], slots=domain.slots)
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    rendered = asyncio.run(generator.generate("utter_which_language", tracker, "rest"))
    assert [button["payload"] for button in rendered["buttons"]] == [
        f'/switch_language{{"requested_language": "{code}"}}' for code in ("fi", "sv", "en")]
    assert errors == []
