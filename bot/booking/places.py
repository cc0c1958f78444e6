"""Finds the service point a user means, whatever the language or case ending.

"Tampereella", "Espooseen", "i Åbo", "Lahdessa" and "helsinki malmi" must all
land on a service point. Finnish words are reduced to their base form with
Voikko when it is installed; a prefix rule covers the common endings
otherwise, and Swedish and English names match as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.language.lemmas import voikko_lemmatizer


@dataclass(frozen=True)
class ServicePoint:
    id: str
    names: Mapping[str, str]
    city: Mapping[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.id


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zåäöéü]+", _fold(text))


@lru_cache(maxsize=1)
def _lemmatizer() -> Callable[[str], str] | None:
    return voikko_lemmatizer()


def _forms(word: str) -> set[str]:
    forms = {word}
    lemma = _lemmatizer()
    if lemma is not None:
        forms.add(lemma(word))
    if word.endswith("s") and len(word) > 4:  # Swedish genitive: Åbos, Esbos
        forms.add(word[:-1])
    return forms


def _matches(alias: str, forms: set[str]) -> bool:
    if alias in forms:
        return True
    # Finnish endings without Voikko: Espoo+seen, Vantaa+lla, Oulu+ssa, Tampere+ella
    stem = alias[:-1] if len(alias) > 5 else alias
    return len(alias) >= 4 and any(form.startswith(stem) and len(form) - len(alias) <= 5 for form in forms)


class ServicePointMatcher:
    def __init__(self, points: Iterable[ServicePoint]) -> None:
        self.points = list(points)

    @classmethod
    def from_api(cls, items: Iterable[Mapping[str, Any]]) -> ServicePointMatcher:
        return cls(ServicePoint(item["id"], item.get("names") or {}, item.get("city") or {}) for item in items)

    def _aliases(self, point: ServicePoint) -> tuple[set[str], set[str]]:
        """(city words, district words): "Helsinki (Malmi)" gives {"helsinki"}, {"malmi"}."""
        city = {word for name in point.city.values() for word in _words(name)}
        # Only the part in brackets names a district ("Helsingin palvelupiste (Malmi)"); the rest
        # of a name is generic ("palvelupiste") or the city itself.
        districts = {word for name in point.names.values() for part in re.findall(r"\(([^)]*)\)", name)
                     for word in _words(part)}
        districts |= set(_words(point.id.replace("-", " ")))
        return city, districts - city

    def find(self, text: str) -> list[ServicePoint]:
        """Every point the text names; a bare city with several points gives them all."""
        forms = [_forms(word) for word in _words(text)]
        if not forms:
            return []
        by_district, by_city = [], []
        for point in self.points:
            city, districts = self._aliases(point)
            if any(_matches(alias, word) for alias in districts for word in forms):
                by_district.append(point)
            elif any(_matches(alias, word) for alias in city for word in forms):
                by_city.append(point)
        return by_district or by_city
