"""Place names are not a change of language (bot/language/places.py, bot/language/detection.py)."""

import pytest

from bot.language.detection import decide
from bot.language.places import place_names, without_place_names
from bot.settings import get_settings


@pytest.fixture(scope="module")
def detector():
    from bot.language.detection import make_detector

    return make_detector("lingua")


def decision(detector, text):
    settings = get_settings()
    return decide(detector, text, settings.language_min_letters, settings.language_min_confidence)


@pytest.mark.parametrize("text", ["Helsinki", "Malmi", "Tampere", "Espoo", "Åbo", "helsinki malmi", "Helsingfors",
                                  "Pasila", "Tammerfors", "Lahti"])
def test_a_place_name_alone_has_no_language(detector, text):
    assert decision(detector, text).confident is None


def test_words_around_a_place_name_still_count(detector):
    assert decision(detector, "I would like to go to the Helsinki office please").confident == "en"
    assert decision(detector, "jag vill boka en tid i Helsingfors tack").confident == "sv"
    assert decision(detector, "Tampereella olisi kiva asioida").confident == "fi"  # inflected: Finnish


def test_names_come_from_the_service_points_and_the_list():
    names = place_names()
    assert {"helsinki", "helsingfors", "malmi", "malm", "espoo", "esbo", "åbo", "turku", "lahti"} <= names
    assert without_place_names("Malmi, please") == "     , please"


@pytest.mark.parametrize(("text", "language"), [("tack", "sv"), ("kiitos", "fi"), ("stoppa nu", "sv"),
                                                ("brexit line?", "en"), ("hjälp", "sv"), ("apua", "fi")])
def test_short_messages_in_words_one_language_uses_get_that_language(detector, text, language):
    assert decision(detector, text).confident == language


@pytest.mark.parametrize("text", ["ok", "ja", "2"])
def test_words_every_language_uses_decide_nothing(detector, text):
    assert decision(detector, text).confident is None
