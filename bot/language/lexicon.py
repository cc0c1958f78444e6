"""Words that only one language's training data uses: a vote for short messages.

The general detector is unsure of very short messages ("tack", "noo",
"brexit line?", "stoppa nu"); our own training data (data/nlu/<language>/)
knows the words applicants use in each language. A word that occurs at least
twice in one language's examples, and in others' rarely (a few examples
quote another language: "på svenska tack" asks for Swedish in every file),
votes for that language; a clear majority of votes decides when the detector
cannot.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES

DATA_DIR = REPO_ROOT / "data" / "nlu"
MIN_COUNT = 2
MIN_SHARE = 0.8  # of the word's occurrences in all three languages' examples
WORD = re.compile(r"[^\W\d_]{2,}")


def _examples(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts = []
    for block in data.get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(line[2:])
    return texts


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@lru_cache(maxsize=1)
def lexicon(directory: Path = DATA_DIR) -> dict[str, str]:
    """word -> the language whose training examples use it (MIN_COUNT times, MIN_SHARE of all uses)."""
    counts = {language: Counter() for language in SUPPORTED_LANGUAGES}
    for language in SUPPORTED_LANGUAGES:
        for path in sorted((directory / language).glob("*.yml")):
            for text in _examples(path):
                counts[language].update(words(text))
    result = {}
    for language, counter in counts.items():
        for word, count in counter.items():
            total = sum(counts[other][word] for other in SUPPORTED_LANGUAGES)
            if count >= MIN_COUNT and count >= MIN_SHARE * total:
                result[word] = language
    return result


def vote(text: str) -> str | None:
    """The language most of the text's words belong to, if the majority is clear (two to one)."""
    votes = Counter(found for word in words(text) if (found := lexicon().get(word)))
    if not votes:
        return None
    (language, count), rest = votes.most_common(1)[0], sum(votes.values())
    return language if count >= 2 * (rest - count) and count > rest - count else None
