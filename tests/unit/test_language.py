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
