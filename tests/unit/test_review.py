"""Units of the staff review tool: filters, summaries, transcripts, exports, charts, passwords, texts."""

import re

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet

from bot.review.accounts import AccountError, hash_password, validate, verify_password
from bot.review.charts import columns, horizontal_bars
from bot.review.exports import _cell, nlu_yaml
from bot.review.i18n import UI_LANGUAGES, texts, translate
from bot.review.queries import Filters, normalise_tag, search_words
from bot.review.rendering import safe_next
from bot.review.store import TrainingExample
from bot.review.summary import apply_event, new_conversation, transcript
from bot.review.tracker import StoredEvent, read_only_url
from tests.review.events import conversation, user


def stored(events, sender="s"):
    return [StoredEvent(n, sender, e.type_name, 1_700_000_000.0 + n, e.as_dict()) for n, e in enumerate(events, 1)]


def summarise(events):
    rows = stored(events)
    summary = new_conversation("s", rows[0], "Europe/Helsinki")
    for row in rows:
        apply_event(summary, row)
    apply_event(summary, rows[0])  # a re-read changes nothing
    return summary, summary.intents


def test_filters_accept_valid_values_and_name_the_invalid_ones():
    filters, errors = Filters.parse({"date_from": "2025-01-01", "date_to": "2024-12-31", "language": "fi",
                                     "fallback": "yes", "tag": "  Väärä   VASTAUS ", "q": "oleskelulupa", "page": "3"})
    assert errors == ["date_to"]
    assert (filters.date_from, filters.date_to, filters.tag, filters.page) == ("2025-01-01", "", "väärä vastaus", 3)
    _, errors = Filters.parse({"date_from": "1.1.2025", "intent": "x' OR 1=1 --", "booking": "maybe",
                               "page": "-1", "q": "x" * 201, "tag": "<script>"})
    assert sorted(errors) == ["booking", "date_from", "intent", "page", "q", "tag"]
    assert Filters(language="sv", q="hej då", page=2).query_string(page=1) == "language=sv&q=hej+d%C3%A5"


def test_tags_and_search_words_are_normalised():
    assert normalise_tag(" Väärä  Vastaus ") == "väärä vastaus"
    assert normalise_tag("") == ""
    assert normalise_tag("x" * 41) is None and normalise_tag("a; DROP") is None
    assert search_words('asiakasnumero* "NEAR(a b)" OR x') == ["asiakasnumero", "near", "a", "b", "or", "x"]


def test_summary_of_a_conversation_with_a_fallback_and_a_booking():
    events = conversation("sv", ("Hej", "greet", "Hej!"), ("boka tid", "ask_booking_how", "Förlåt?"), fallback_on=1)
    events += [ActiveLoop("booking_form"), ActionExecuted("utter_ask_verification_code")]
    summary, intents = summarise(events)
    assert (summary.language, summary.channel, summary.user_messages, summary.bot_messages) == ("sv", "rest", 2, 2)
    assert summary.fallback and summary.fallback_messages == 1 and summary.last_turn_fallback
    assert summary.booking and not summary.verification  # responses (utter_...) do not count
    assert not summary.contained
    assert intents == {"greet", "nlu_fallback"}
    assert summary.search_text.splitlines() == ["Hej", "Hej!", "boka tid", "Förlåt?"]


def test_summary_marks_verification_and_keeps_the_last_language():
    events = [user("Hei", "greet", language="fi", metadata={"verified_identity": {"verified": True}}),
              SlotSet("language", "fi"), user("in English please", "switch_language", language="en"),
              SlotSet("language", "en"), ActionExecuted("action_check_application_status"), BotUttered("Done.")]
    summary, _ = summarise(events)
    assert summary.verification and summary.language == "en" and summary.contained


def test_summary_redacts_again_what_it_indexes():
    summary, _ = summarise([user("my PIN is 482190 and phone 040 123 4567", "help")])
    assert "482190" not in summary.search_text and "123 4567" not in summary.search_text
    assert summary.first_user_text == "my PIN is [PIN] and phone [PHONE]"


def test_transcript_shows_language_intent_confidence_and_best_guess():
    events = conversation("fi", ("Hei", "greet", "Hei!"), ("varaus jotain", "ask_booking_check", "En ymmärtänyt."),
                          fallback_on=1)
    turns = [t for t in transcript(stored(events)) if t.kind != "session"]
    assert [t.kind for t in turns] == ["user", "bot", "user", "bot"]
    first, fallback = turns[0], turns[2]
    assert (first.language, first.intent, round(first.confidence, 2)) == ("fi", "greet", 0.93)
    assert fallback.fallback and fallback.intent == "nlu_fallback"
    assert (fallback.guess, fallback.guess_confidence) == ("ask_booking_check", 0.21)
    assert "action_suggest_topics" in fallback.actions


def test_a_short_message_shows_the_conversation_language():
    turns = transcript(stored([user("ok", "affirm"), SlotSet("language", "sv")]))
    assert turns[0].language == "" and turns[0].conversation_language == "sv"


def test_nlu_yaml_is_valid_rasa_training_data():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    examples = [TrainingExample(text="mihin  numeroon\nsoitan", intent="ask_service_number"),
                TrainingExample(text="mihin numeroon soitan", intent="ask_service_number"),
                TrainingExample(text="kundnummer 1234 5678: status?", intent="ask_application_status"),
                TrainingExample(text="- [x] 'quoted' # not a comment", intent="help")]
    text = nlu_yaml(examples, "Labelled in the review tool.")
    data = RasaYAMLReader().reads(text)
    found = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert found == {("ask_service_number", "mihin numeroon soitan"),
                     ("ask_application_status", "kundnummer [CUSTOMER_NUMBER]: status?"),
                     ("help", "- [x] 'quoted' # not a comment")}
    assert RasaYAMLReader().reads(nlu_yaml([])).intent_examples == []


def test_csv_cells_are_not_run_as_formulas():
    assert _cell('=HYPERLINK("x")') == "'=HYPERLINK(\"x\")"
    assert _cell("+358") == "'+358" and _cell("hei") == "hei" and _cell(3) == 3


def test_charts_are_svg_with_titles_and_escaped_labels():
    svg = str(horizontal_bars("c1", "Kielet", [("<b>fi</b>", 3), ("sv", 0)]))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "&lt;b&gt;fi&lt;/b&gt;" in svg and "<b>" not in svg
    assert str(columns("c2", "Per day", [])).endswith("</svg>")
    assert svg.count('class="chart-bar"') == 2


def test_passwords_are_hashed_with_scrypt_and_checked():
    stored_hash = hash_password("correct horse battery", n=2**12)
    assert stored_hash.startswith("scrypt$") and "correct" not in stored_hash
    assert verify_password("correct horse battery", stored_hash)
    assert not verify_password("correct horse batterz", stored_hash)
    assert not verify_password("x", "garbage") and not verify_password("x", "md5$1$2$3$4$5")
    assert hash_password("same password", n=2**12) != hash_password("same password", n=2**12)  # salted


@pytest.mark.parametrize(("username", "password", "role"), [
    ("A", "long enough password", "admin"), ("anna", "short", "admin"), ("anna", "long enough password", "root")])
def test_account_rules(username, password, role):
    with pytest.raises(AccountError):
        validate(username, password, role)


def test_every_interface_text_exists_in_three_languages():
    for key, versions in texts().items():
        assert set(versions) == set(UI_LANGUAGES), key
        placeholders = {re.findall(r"{(\w+)}", text).__str__() for text in versions.values()}
        assert len(placeholders) == 1, f"{key}: placeholders differ between languages"
    assert translate("sv", "transcript_title", id=5) == "Samtal 5"


def test_only_pages_of_the_tool_are_redirect_targets():
    assert safe_next("/review/conversations?q=x") == "/review/conversations?q=x"
    for target in ("https://evil.example/", "//evil.example/review/", "/review//evil", "/other", "/review\\x"):
        assert safe_next(target) == "/review/conversations"


def test_sqlite_store_is_opened_read_only():
    assert read_only_url("sqlite:////var/t.db") == "sqlite:///file:/var/t.db?mode=ro&uri=true"
    assert read_only_url("postgresql://u@h/db") == "postgresql://u@h/db"
