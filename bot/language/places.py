"""Place names, which say nothing of the language a message is written in.

"Helsinki" typed in an English booking form, or "Malmi" in a Swedish one, is
the name of a place, not a switch to Finnish. The names are the agency's
service points (their cities and districts in every language, from
bot/booking/seed_data.yml) and other towns and districts
(bot/language/place_names.yml). Only base forms are names: "Tampereella" is
Finnish.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

EXTRA_NAMES = Path(__file__).with_name("place_names.yml")
WORD = re.compile(r"[^\W\d_]+(?:[:-][^\W\d_]+)*")


def _words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every place name, lower-cased, as single words ("helsinki", "malmi", "åbo", "s:t", "michel")."""
    from bot.booking.seed import seed_data

    names: set[str] = set()
    for point in seed_data()["service_points"]:
        names.update(word for city in point.get("city", {}).values() for word in _words(city))
        for name in point.get("names", {}).values():
            names.update(word for district in re.findall(r"\(([^)]*)\)", name) for word in _words(district))
    extra = yaml.safe_load(EXTRA_NAMES.read_text(encoding="utf-8"))["names"]
    names.update(word for name in extra for word in _words(name))
    return frozenset(names)


def without_place_names(text: str) -> str:
    """The text with every place name blanked out (same length, so positions stay)."""
    names = place_names()
    return WORD.sub(lambda match: " " * len(match.group()) if match.group().lower() in names else match.group(), text)
