"""Place names in the reply's language: the case register's "Vaasa" is "Vasa" in Swedish.

A service point's city comes from bot/booking/seed_data.yml (`city`), any other place a
reply names (the city of a Finnish mission abroad) from knowledge/places.yml. A name is
recognised in any of its languages; a name listed nowhere is given as it came.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import get_settings


def folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def listed_places(knowledge_dir: Path | None = None) -> list[Mapping[str, str]]:
    """Every place with names per language: the service points' cities, then knowledge/places.yml."""
    from bot.booking.seed import seed_data

    path = (knowledge_dir or get_settings().knowledge_dir) / "places.yml"
    places = [point["city"] for point in seed_data()["service_points"] if point.get("city")]
    return places + list(yaml.safe_load(path.read_text(encoding="utf-8"))["places"].values())


@lru_cache(maxsize=1)
def _index() -> dict[str, Mapping[str, str]]:
    index: dict[str, Mapping[str, str]] = {}
    for names in listed_places():
        for name in names.values():
            index.setdefault(folded(name), names)
    return index


def place_name(name: str, language: str) -> str:
    """`name` (in any language) as `language` writes it; unchanged when the place is not listed."""
    names = _index().get(folded(name))
    return names.get(language, name) if names else name
