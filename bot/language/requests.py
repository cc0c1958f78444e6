"""Finds an explicit request for a reply language: "in English please", "på svenska", "suomeksi".

Only consulted when the message's intent is `switch_language` (see the slot
mapping in domain.yml), so "Finnish passport" does not switch to Finnish.
"""

from __future__ import annotations

import re

from bot.knowledge.topics import normalise

# Word starts (folded: å/ä -> a, ö -> o) naming each language, in fi, sv and en.
_NAMES = {
    "fi": ("finnish", "finsk", "suomi", "suomek", "suomea", "suomen kiel", "finska"),
    "sv": ("swedish", "svensk", "ruotsi", "ruotsik", "ruotsia", "ruotsin kiel"),
    "en": ("english", "engelsk", "englanti", "englannik", "englantia", "englannin kiel", "eng "),
}
_PATTERNS = [
    (language, re.compile(r"(?<= )" + re.escape(name)))
    for language, names in _NAMES.items()
    for name in names
]


def requested_language(text: str) -> tuple[str, int, int] | None:
    """(language, start, end) of the first language named in the text, if any.

    The span is in the normalised text, which keeps the original's length apart
    from collapsed separators; callers use it only as an approximate position.
    """
    normalised = normalise(text)
    best: tuple[str, int, int] | None = None
    for language, pattern in _PATTERNS:
        match = pattern.search(normalised)
        if match and (best is None or match.start() < best[1]):
            best = (language, max(match.start() - 1, 0), max(match.end() - 1, 0))
    return best
