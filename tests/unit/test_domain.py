"""Every response of the domain speaks Finnish, Swedish and English."""

import re

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


# A reply's first word as an answer: a yes word in any use, a no word on its own ("Ei," but not
# "Ei vapaita aikoja", a statement). "Selvä", "Visst" and "Sure" acknowledge a request instead.
ANSWER_WORD_FIRST = {
    "fi": re.compile(r"^\W*(kyllä|joo|juu)\b|^\W*ei\b(?!\s+\w)", re.IGNORECASE),
    "sv": re.compile(r"^\W*(ja|jo|japp)\b|^\W*nej\b(?!\s+\w)", re.IGNORECASE),
    "en": re.compile(r"^\W*(yes|yeah|yep)\b|^\W*(no|nope)\b(?!\s+\w)", re.IGNORECASE),
}
# Labels, not replies: topic titles, buttons and the yes / no words of the booking summary.
NOT_REPLIES = re.compile(r"\.(title|buttons|answer_yes|answer_no)$|\.button ")


def test_answer_word_pattern_catches_the_reviewed_cases():
    assert ANSWER_WORD_FIRST["fi"].match("Kyllä, asiakasneuvonta palvelee nyt puhelimitse klo 12.00 asti.")
    assert ANSWER_WORD_FIRST["fi"].match("Kyllä, olen chatbot")
    assert ANSWER_WORD_FIRST["sv"].match("Ja, kundrådgivningen betjänar per telefon just nu")
    assert ANSWER_WORD_FIRST["en"].match("Yes, our customer guidance is open for calls now")
    assert ANSWER_WORD_FIRST["fi"].match("Ei, tämä ei ole kiireellinen asia.")
    assert not ANSWER_WORD_FIRST["fi"].match("Ei vapaita aikoja – {point}")
    assert not ANSWER_WORD_FIRST["en"].match("No free times – {point}")
    assert not ANSWER_WORD_FIRST["sv"].match("Jag är en chattbot")


def test_no_reply_starts_with_a_yes_or_no_word():
    """A reply answers every phrasing of its intent's question, and those come in both
    polarities: "onko auki?" and "onko kiinni?" (ask_open_now), "are you human?" and "can I talk
    to a human?" (utter_bot). A leading "Kyllä," / "Ja," / "Yes," contradicts one of them, and a
    reader who reads only the first word gets the opposite answer (round 6 fi 1, round 7 fi 2).
    So no reply opens with an answer word; it states the fact instead ("Asiakasneuvonta palvelee
    nyt …", "Olen chatbot …")."""
    from bot.knowledge.catalogue import applicant_texts

    replies = [text for text in applicant_texts()
               if text.where.startswith(("knowledge/answers/", "domain.yml:", "bot/booking/messages.yml"))
               and not NOT_REPLIES.search(text.where)]
    assert {text.where for text in replies} >= {
        "knowledge/answers/phone_service.yml.ask_open_now.open", "domain.yml:utter_bot"}
    assert [(text.where, text.language, text.template[:40]) for text in replies
            if ANSWER_WORD_FIRST[text.language].match(text.template)] == []

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
