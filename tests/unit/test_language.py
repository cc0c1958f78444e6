"""Language detection, explicit switch requests and the first language of a conversation."""

from types import SimpleNamespace

import pytest

from bot.dialogue.language_policy import initial_language
from bot.language.detection import Detection, LangdetectDetector, LinguaDetector, decide
from bot.language.requests import requested_language


@pytest.fixture(scope="module")
def lingua():
    return LinguaDetector()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Milloin puhelinpalvelunne on auki?", "fi"),
        ("mihin numeroon soitan perheenyhdistämisasioissa", "fi"),
        ("onks teillä auki huomenna", "fi"),
        ("När är telefontjänsten öppen?", "sv"),
        ("hur bokar jag en tid till serviceställe", "sv"),
        ("What number do I call about citizenship?", "en"),
        ("how I can book time for my permit", "en"),
    ],
)
@pytest.mark.parametrize("detector_name", ["lingua", "langdetect"])
def test_clear_messages_are_detected(lingua, detector_name, text, language):
    detector = lingua if detector_name == "lingua" else LangdetectDetector()
    decision = decide(detector, text, min_letters=4, min_confidence=0.75)
    assert decision.guess == language
    assert decision.confident == language


@pytest.mark.parametrize("text", ["ok", "?", "123", "👍", "", "   "])
def test_very_short_messages_keep_the_conversation_language(lingua, text):
    assert decide(lingua, text, min_letters=4, min_confidence=0.75).confident is None


class FixedDetector:
    def __init__(self, language, confidence):
        self.result = Detection(language, confidence)

    def detect(self, text):
        return self.result


def test_unsure_detection_is_only_a_guess():
    decision = decide(FixedDetector("sv", 0.5), "kanske", min_letters=4, min_confidence=0.75)
    assert decision.guess == "sv"
    assert decision.confident is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("in English please", "en"),
        ("can we speak Swedish", "sv"),
        ("do you speak Finnish?", "fi"),
        ("puhu englantia", "en"),
        ("voitko vastata ruotsiksi", "sv"),
        ("suomeksi kiitos", "fi"),
        ("på svenska tack", "sv"),
        ("kan du svara på finska", "fi"),
        ("på engelska", "en"),
        ("English?", "en"),
    ],
)
def test_explicit_language_requests(text, language):
    found = requested_language(text)
    assert found is not None and found[0] == language


def test_no_language_named():
    assert requested_language("what are your opening hours") is None


def tracker(language_slot=None, metadata=None, session_metadata=None, guess=None):
    entities = [{"entity": "language_guess", "value": guess}] if guess else []
    latest = SimpleNamespace(metadata=metadata, entities=entities)
    slots = {"language": language_slot, "session_started_metadata": session_metadata}
    return SimpleNamespace(latest_message=latest, get_slot=slots.get)


def test_first_language_prefers_the_chat_page_language():
    assert initial_language(tracker(metadata={"language": "sv"}, guess="en"), "fi") == "sv"
    assert initial_language(tracker(session_metadata={"language": "en"}), "fi") == "en"


def test_first_language_falls_back_to_the_guess_then_the_default():
    assert initial_language(tracker(guess="sv"), "fi") == "sv"
    assert initial_language(tracker(), "fi") == "fi"
    assert initial_language(tracker(metadata={"language": "de"}), "en") == "en"


@pytest.mark.parametrize("text", ["7KQM-2XWB-AB3D", "abcd efgh jkmn", "ABCDEFGHJKMN", "123456", "3.12.",
                                  "erik.lindqvist@example.com", "https://migri.fi/en/home"])
def test_codes_and_keys_say_nothing_about_the_language(text):
    from bot.language.detection import decide, make_detector

    assert decide(make_detector("lingua"), text, 4, 0.75).confident is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Swedish or Finnish sentences that borrow English words or phrases
        ("I got no email after booking, varför?", "sv"),
        ("my appointment is tomorrow, hur kan jag ändra den", "sv"),
        ("permit card renewal, vad ska jag göra", "sv"),
        ("residence permit card expired, mitä mun pitää tehdä", "fi"),
        ("booking code lost, miten saan uuden", "fi"),
        # a Swedish question with a Finnish noun, and a Finnish one with a Swedish noun
        ("vilket nummer gäller oleskelulupa?", "sv"),
        ("mihin numeroon soitan uppehållstillstånd asiassa", "fi"),
        # Finland-Swedish colloquial and Finnish puhekieli, misspelt without å, ä, ö
        ("ja e student å undrar om ja får jobba", "sv"),
        ("hur lange tar det att fa beslut", "sv"),
        ("mika on teidan numero", "fi"),
    ],
)
def test_mixed_and_misspelt_messages_take_the_writers_own_function_words(lingua, text, language):
    decision = decide(lingua, text, min_letters=4, min_confidence=0.75)
    assert (decision.guess, decision.confident) == (language, language)


@pytest.mark.parametrize(
    "text",
    [
        "I'll be 10 min late",                     # minutes, not Swedish "min"
        "how do I use the employer e-service",     # "e-service" holds no Swedish "e" (= är)
        "what is the number for kansalaisuus",     # a Finnish noun in an English question
        "can I book at the Helsinki service point",  # a place name
    ],
)
def test_english_with_loan_words_units_and_place_names_stays_english(lingua, text):
    assert decide(lingua, text, min_letters=4, min_confidence=0.75).guess == "en"


def test_function_words_that_two_languages_share_count_for_neither():
    from bot.language.lexicon import function_words

    words = function_words()
    assert "ja" not in words  # Finnish "and", Swedish "yes"
    assert words.get("on") != "fi" and words.get("for") != "sv"  # English too; "för" typed without ö
    assert words["varför"] == words["varfor"] == "sv"
    assert words["mikä"] == words["mika"] == "fi"


def test_the_training_vocabulary_knows_words_typed_without_diacritics():
    from bot.language.lexicon import lexicon

    assert lexicon().get("uppehallstillstand") == lexicon().get("uppehållstillstånd") == "sv"


@pytest.mark.parametrize(("text", "language"), [("kylla", "fi"), ("kiitos", "fi"), ("tack", "sv"), ("thanks", "en")])
def test_a_word_or_two_that_one_languages_training_data_uses_takes_that_language(lingua, text, language):
    # lingua reads "kylla" (kyllä without the dots) as Swedish from its letters alone
    assert decide(lingua, text, min_letters=4, min_confidence=0.75).confident == language
