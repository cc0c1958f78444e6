"""The review tool's interface texts in Finnish, Swedish and English (bot/review/texts.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.templates import fill

UI_LANGUAGES = ("fi", "sv", "en")
DEFAULT_UI_LANGUAGE = "fi"
TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def translate(language: str, key: str, **values: Any) -> str:
    """The text `key` in `language`, with {name} placeholders filled in."""
    entry = texts()[key]
    text = entry.get(language) or entry[DEFAULT_UI_LANGUAGE]
    return fill(text, language if entry.get(language) else DEFAULT_UI_LANGUAGE, values) if values else text
