"""Words that tell a message's language where the general detector cannot.

Two kinds:
- the training vocabulary: the general detector is unsure of very short
  messages ("tack", "noo", "brexit line?", "stoppa nu"); our own training
  data (data/nlu/<language>/) knows the words applicants use in each
  language. A word that occurs at least twice in one language's examples,
  and in others' rarely (a few examples quote another language: "på svenska
  tack" asks for Swedish in every file), votes for that language; a clear
  majority of votes decides when the detector cannot.
- function words (function_words.yml): a Finnish or Swedish writer borrows
  English or the other language's nouns and phrases ("I booked but no email
  came, varför", "nummer för kansalaisuus"), but keeps their own question
  words, pronouns and conjunctions. They anchor a mixed message to Finnish
  or Swedish whatever most of its words are.

Both also know each word without å, ä and ö ("varfor", "mika", "uppehallstillstand"),
as applicants type on foreign keyboards, unless another language uses that spelling ("for").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES

DATA_DIR = REPO_ROOT / "data" / "nlu"
MIN_COUNT = 2
MIN_SHARE = 0.8  # of the word's occurrences in all three languages' examples
WORD = re.compile(r"[^\W\d_]{2,}")
FUNCTION_WORDS = Path(__file__).with_name("function_words.yml")
FUNCTION_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")  # "e-tjänst" is no "e" (= är)
AFTER_NUMBER = re.compile(r"\d\s*$")  # "10 min" is minutes, not Swedish "min"
ANCHORED = ("fi", "sv")  # the languages whose function words outweigh borrowed English
_PLAIN = str.maketrans("åäö", "aao")


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


def plain(word: str) -> str:
    """The word as typed without å, ä, ö."""
    return word.translate(_PLAIN)


@lru_cache(maxsize=1)
def word_counts(directory: Path = DATA_DIR) -> dict[str, Counter[str]]:
    """How often each language's training examples use each word."""
    counts = {language: Counter() for language in SUPPORTED_LANGUAGES}
    for language in SUPPORTED_LANGUAGES:
        for path in sorted((directory / language).glob("*.yml")):
            for text in _examples(path):
                counts[language].update(words(text))
    return counts


def _with_plain_spellings(owners: dict[str, str], users: dict[str, set[str]]) -> dict[str, str]:
    """Adds each word's spelling without å, ä, ö unless another language uses that spelling.

    `users`: the languages whose training data or word list has each word.
    """
    plain_owners: dict[str, set[str]] = {}
    for word, language in owners.items():
        plain_owners.setdefault(plain(word), set()).add(language)
    extra = {spelling: next(iter(languages)) for spelling, languages in plain_owners.items()
             if spelling not in owners and len(languages) == 1 and users.get(spelling, set()) <= languages}
    return {**extra, **owners}


def _users(*vocabularies: dict[str, Iterable[str]]) -> dict[str, set[str]]:
    """word -> the languages that use it, over several {language: words} vocabularies."""
    result: dict[str, set[str]] = {}
    for vocabulary in vocabularies:
        for language, words_ in vocabulary.items():
            for word in words_:
                result.setdefault(word, set()).add(language)
    return result


@lru_cache(maxsize=1)
def lexicon(directory: Path = DATA_DIR) -> dict[str, str]:
    """word -> the language whose training examples use it (MIN_COUNT times, MIN_SHARE of all uses)."""
    counts = word_counts(directory)
    result = {}
    for language, counter in counts.items():
        for word, count in counter.items():
            total = sum(counts[other][word] for other in SUPPORTED_LANGUAGES)
            if count >= MIN_COUNT and count >= MIN_SHARE * total:
                result[word] = language
    return _with_plain_spellings(result, _users(counts))


@lru_cache(maxsize=1)
def function_words(path: Path = FUNCTION_WORDS) -> dict[str, str]:
    """function word -> its language, for the words no other language's list or training data claims."""
    listed = {language: {str(word).lower() for word in words_}
              for language, words_ in yaml.safe_load(path.read_text(encoding="utf-8")).items()}
    shared = listed.pop("shared")
    counts = word_counts()
    result = {}
    for language, own in listed.items():
        for word in own:
            elsewhere = [other for other in SUPPORTED_LANGUAGES if other != language]
            if word in shared or any(word in listed.get(other, ()) for other in elsewhere):
                continue
            total = sum(counts[other][word] for other in SUPPORTED_LANGUAGES)
            if total and counts[language][word] < MIN_SHARE * total:
                continue
            result[word] = language
    return _with_plain_spellings(result, _users(counts, listed))


def vote(text: str) -> str | None:
    """The language most of the text's words belong to, if the majority is clear (two to one)."""
    votes = Counter(found for word in words(text) if (found := lexicon().get(word)))
    if not votes:
        return None
    (language, count), rest = votes.most_common(1)[0], sum(votes.values())
    return language if count >= 2 * (rest - count) and count > rest - count else None


def anchor(text: str) -> str | None:
    """Finnish or Swedish when the text's own function words say so, whatever else it borrows.

    English function words do not count against them (borrowed phrases bring their own); the
    other anchored language's do, so "myöhässä, vad händer?" is Swedish and a Finnish sentence
    quoting one Swedish word stays Finnish. A word right after a number is a unit ("10 min").
    """
    lowered = text.lower()
    found = [match for match in FUNCTION_WORD.finditer(lowered) if not AFTER_NUMBER.search(lowered, 0, match.start())]
    if len(found) < 2:
        return None  # one word is no sentence to anchor ("kanske" alone is left to the detector)
    votes = Counter(function_words().get(match.group()) for match in found)
    ranked = sorted(ANCHORED, key=lambda language: votes[language], reverse=True)
    best, other = ranked
    return best if votes[best] > votes[other] else None
