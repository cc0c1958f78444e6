"""Detects whether a message is Finnish, Swedish or English.

Two detectors share one interface: lingua (the default; most accurate on short
messages in bench/langid) and langdetect (selectable with LANGUAGE_DETECTOR).
Both are restricted to the three languages we serve.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.language import lexicon
from bot.language.places import without_place_names
from bot.settings import SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class Detection:
    """The most likely language (None if nothing detectable) and its confidence 0-1."""

    language: str | None
    confidence: float


NOTHING = Detection(None, 0.0)


class Detector(Protocol):
    def detect(self, text: str) -> Detection: ...


class LinguaDetector:
    """lingua-language-detector restricted to fi/sv/en, high-accuracy mode."""

    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._codes = {Language.FINNISH: "fi", Language.SWEDISH: "sv", Language.ENGLISH: "en"}
        self._detector = (
            LanguageDetectorBuilder.from_languages(*self._codes)
            .with_preloaded_language_models()
            .build()
        )

    def detect(self, text: str) -> Detection:
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return NOTHING
        best = values[0]
        if best.value <= 0.0:
            return NOTHING
        return Detection(self._codes[best.language], float(best.value))


class LangdetectDetector:
    """langdetect (seeded for repeatable answers), its estimates renormalised to fi/sv/en."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0

    def detect(self, text: str) -> Detection:
        from langdetect import detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        try:
            with self._lock:  # langdetect's factory is shared module state
                estimates = detect_langs(text)
        except LangDetectException:
            return NOTHING
        ours: dict[str, float] = {
            estimate.lang: estimate.prob
            for estimate in estimates
            if estimate.lang in SUPPORTED_LANGUAGES
        }
        if not ours:
            return NOTHING
        total = sum(ours.values())
        language = max(ours, key=ours.get)
        return Detection(language, ours[language] / total)


DETECTORS: dict[str, Callable[[], Detector]] = {
    "lingua": LinguaDetector,
    "langdetect": LangdetectDetector,
}


def make_detector(name: str) -> Detector:
    """A detector by its configuration name ("lingua" or "langdetect")."""
    try:
        return DETECTORS[name]()
    except KeyError as error:
        raise ValueError(f"unknown language detector {name!r}; use one of {list(DETECTORS)}") from error


def letter_count(text: str) -> int:
    return sum(1 for character in text if character.isalpha())


@dataclass(frozen=True)
class LanguageDecision:
    """What a message says about the conversation's language."""

    guess: str | None        # the detector's best language, however unsure
    confident: str | None    # set only when the message is long and clear enough
    confidence: float


MAX_DETECTED_CHARACTERS = 1000  # the start of a long text tells its language well enough
SHORT_WORDS = 2  # up to this many words, a word only one language's training data uses decides


# Words with digits in them are codes, keys or addresses ("7KQM-2XWB", "3.12."), and e-mail
# and web addresses are names: none of them says which language the user writes.
CODE_LIKE = re.compile(r"\S*\d\S*|\S+@\S+|\S*(?:https?://|www\.)\S*"
                       r"|\b[0-9A-Za-z]{4}(?:[- ]?[0-9A-Za-z]{4}){2}\b(?=\s*$)|^\s*[A-Z]{8,}\s*$")


def decide(detector: Detector, text: str, min_letters: int, min_confidence: float) -> LanguageDecision:
    """Very short or unclear messages get no confident language: they keep the conversation's.

    Codes, addresses and place names are left out first: "Helsinki" or "Malmi" alone is no language.
    Finnish or Swedish function words decide a mixed message; the training vocabulary decides a
    short one the detector is unsure of (bot/language/lexicon.py).
    """
    text = without_place_names(text[:MAX_DETECTED_CHARACTERS])
    anchored = lexicon.anchor(text)  # with its numbers, which tell "10 min" from Swedish "min"
    text = CODE_LIKE.sub(" ", text)
    if letter_count(text) == 0:
        return LanguageDecision(None, None, 0.0)
    detection = detector.detect(text)
    clear = (
        detection.language is not None
        and letter_count(text) >= min_letters
        and detection.confidence >= min_confidence
    )
    if anchored and letter_count(text) >= min_letters:
        # A Finnish or Swedish sentence with borrowed English (or the other language's) words: the
        # detector and the vocabulary count the borrowed words, the writer's own function words
        # tell the language.
        return LanguageDecision(anchored, anchored, detection.confidence)
    if (not clear or len(text.split()) <= SHORT_WORDS) and (known := lexicon.vote(text)):
        # Too short or unclear for the detector, but written in words only one language uses: on a
        # word or two the detector guesses from a few letters ("kylla" looks Swedish to it), while
        # the training vocabulary knows the word itself.
        return LanguageDecision(known, known, detection.confidence)
    return LanguageDecision(detection.language, detection.language if clear else None, detection.confidence)
