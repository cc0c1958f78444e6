"""Fitting replies into SMS: the GSM-7 alphabet, segment counting, shortening, numbered buttons.

Finnish and Swedish letters (ä, ö, å, é) are in GSM-7. One character outside
it (a typographic dash or quote, an emoji) would switch the whole message to
UCS-2 and more than double its segments, so such characters are replaced.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"  # each costs two septets
_GSM7 = set(GSM7_BASIC) | set(GSM7_EXTENSION)

REPLACEMENTS = {
    "–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-",
    "‘": "'", "’": "'", "‚": "'", "′": "'", "´": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"',
    "…": "...", "•": "*", "·": "*", "×": "x",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
}

SINGLE_SEGMENT, MULTI_SEGMENT = 160, 153          # GSM-7 septets
UCS2_SINGLE_SEGMENT, UCS2_MULTI_SEGMENT = 70, 67  # UTF-16 units
MAX_SEGMENTS = 3
ELLIPSIS = "..."


def to_gsm7(text: str) -> str:
    """Replaces every character outside GSM-7 with its closest GSM-7 form."""
    result = []
    for character in text:
        character = REPLACEMENTS.get(character, character)
        if all(c in _GSM7 for c in character):
            result.append(character)
            continue
        base = unicodedata.normalize("NFKD", character)
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        if stripped and all(c in _GSM7 for c in stripped):
            result.append(stripped)
        elif unicodedata.category(character).startswith(("S", "C")):
            continue  # emoji, symbols and control characters are dropped
        else:
            result.append("?")
    return re.sub(r"[ ]{2,}", " ", "".join(result))


def is_gsm7(text: str) -> bool:
    return all(character in _GSM7 for character in text)


def septets(text: str) -> int:
    return sum(2 if character in GSM7_EXTENSION else 1 for character in text)


def segment_count(text: str) -> int:
    """How many SMS segments the text takes (GSM-7 if it can, else UCS-2)."""
    if not text:
        return 1
    if is_gsm7(text):
        length, single, multi = septets(text), SINGLE_SEGMENT, MULTI_SEGMENT
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi = UCS2_SINGLE_SEGMENT, UCS2_MULTI_SEGMENT
    return 1 if length <= single else math.ceil(length / multi)


def _budget(max_segments: int) -> int:
    return SINGLE_SEGMENT if max_segments == 1 else MULTI_SEGMENT * max_segments


def shorten_urls(text: str) -> str:
    """Links without scheme and 'www.': 'https://www.migri.fi/en/x' -> 'migri.fi/en/x'."""
    return re.sub(r"https?://(?:www\.)?([^\s]+?)/?(?=[\s.,;:!?)]*(?:\s|$))", r"\1", text)


def shorten(text: str, budget: int) -> str:
    """The longest run of whole sentences within `budget` septets; a hard cut with
    an ellipsis only when even the first sentence is too long."""
    if septets(text) <= budget:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}".strip()
        if septets(candidate) > budget:
            break
        kept = candidate
    if kept:
        return kept
    words = text.split(" ")
    cut = ""
    for word in words:
        candidate = f"{cut} {word}".strip()
        if septets(candidate) + len(ELLIPSIS) > budget:
            break
        cut = candidate
    return cut + ELLIPSIS


def numbered_buttons(titles: Sequence[str]) -> str:
    return "\n".join(f"{number} {title}" for number, title in enumerate(titles, start=1))


def format_sms(text: str, button_titles: Sequence[str] = (), max_segments: int = MAX_SEGMENTS) -> str:
    """One SMS body of at most `max_segments` GSM-7 segments; buttons become a numbered list."""
    body = shorten_urls(to_gsm7(text or "")).strip()
    options = to_gsm7(numbered_buttons(button_titles)) if button_titles else ""
    budget = _budget(max_segments)
    if options:
        room = budget - septets(options) - 1
        if room <= 0:
            return shorten(options, budget)
        return f"{shorten(body, room)}\n{options}" if body else options
    return shorten(body, budget)
