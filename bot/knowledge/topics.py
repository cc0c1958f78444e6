"""Recognises which service-number topic a message is about, from word stems.

The stems live in `knowledge/topics.yml`, in all three languages; a message may
mix languages, so every language's stems are tried. A stem written with a
leading "~" only qualifies its topic (a refugee's travel document): it counts
half, so a topic named by its own words wins a tie, whatever the list order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from re import Pattern

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_NOT_WORD = re.compile(r"[^a-z0-9\-]+")


def normalise(text: str) -> str:
    """Lower-cases, folds Nordic letters and pads words with spaces for matching."""
    folded = text.lower().translate(_FOLD)
    return " " + _NOT_WORD.sub(" ", folded).strip() + " "


_QUALIFIER_WEIGHT = 0.5


def _stem_pattern(stem: str) -> Pattern[str]:
    stem = stem.removeprefix("~")
    if stem.startswith("*"):
        return re.compile(re.escape(normalise(stem[1:]).strip()))
    body = stem.lower().translate(_FOLD)
    return re.compile(r"(?<=[ ])" + re.escape(body))


class TopicMatcher:
    """Picks the topic whose own words match most; qualifier stems count half."""

    def __init__(self, topics: Iterable[Mapping]) -> None:
        self._topics: list[tuple[str, list[tuple[Pattern[str], float]]]] = []
        for topic in topics:
            patterns = [
                (_stem_pattern(stem), _QUALIFIER_WEIGHT if stem.startswith("~") else 1.0)
                for stems in topic["stems"].values()
                for stem in stems
            ]
            self._topics.append((topic["id"], patterns))

    def match(self, text: str) -> str | None:
        normalised = normalise(text)
        # A word counts once however many of a topic's stems it matches: "jobba" is one word
        # about work, though both the Swedish "jobb" and the English "job" match it.
        word_starts = [match.start() for match in re.finditer(r"(?<= )\S", normalised)]
        best_id, best_hits = None, 0
        for topic_id, patterns in self._topics:
            weights: dict[int, float] = {}
            for pattern, weight in patterns:
                for found in pattern.finditer(normalised):
                    word = _word_at(word_starts, found.start())
                    weights[word] = max(weights.get(word, 0.0), weight)
            hits = sum(weights.values())
            if hits > best_hits:
                best_id, best_hits = topic_id, hits
        return best_id


def _word_at(word_starts: list[int], position: int) -> int:
    """The index of the word a match position falls in (a stem may start with the word's space)."""
    index = 0
    for number, start in enumerate(word_starts):
        if start <= position + 1:
            index = number
    return index
