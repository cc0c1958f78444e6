"""Found personal data as spans of a text, and the one rule for choosing among overlapping finds.

Every finder (identifiers, names, addresses) returns `Span`s; `choose` keeps the
strongest of any overlapping ones (a value named by its keyword beats a bare
shape, a longer find beats a shorter one), and `replace` writes the typed
placeholder ("[NAME]", "[IBAN]" ...) in their place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The kinds and their placeholders, as staff see them in transcripts and exports.
PLACEHOLDERS = {
    "name": "[NAME]", "address": "[ADDRESS]", "passport": "[PASSPORT]", "permit_card": "[PERMIT_CARD]",
    "iban": "[IBAN]", "pin": "[PIN]", "identity_code": "[ID_CODE]", "personnummer": "[ID_CODE]",
    "date_of_birth": "[DATE_OF_BIRTH]", "phone": "[PHONE]", "email": "[EMAIL]", "reservation_key": "[KEY]",
    "customer_number": "[CUSTOMER_NUMBER]", "number": "[NUMBER]",
}
STATUS = "[STATUS]"  # a status answer of the bot, stored as the fact that one was given
# The metadata key by which an action marks a message as a status answer (actions/status.py).
STATUS_ANSWER_KEY = "status_answer"
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in sorted({*PLACEHOLDERS.values(), STATUS, "[REDACTED]"})))

# Strength of a find: passing a check digit > named by its keyword > validated shape > bare shape.
CHECKED, NAMED, VALIDATED, SHAPE, WEAK = 40, 30, 20, 10, 0


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    strength: int = SHAPE

    @property
    def length(self) -> int:
        return self.end - self.start


def choose(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, the strongest (then longest) first; in text order."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.strength, -s.length, s.start)):
        if span.length > 0 and all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def replace(text: str, spans: list[Span]) -> str:
    """The text with each chosen span replaced by its placeholder; neighbouring finds of
    one kind separated by spaces only ("Omar" "Haddad") become one placeholder."""
    parts: list[str] = []
    position = 0
    previous: Span | None = None
    for span in spans:
        gap = text[position:span.start]
        if previous is not None and previous.kind == span.kind and gap.strip() == "" and gap:
            position = span.end
            previous = span
            continue
        parts.append(gap)
        parts.append(PLACEHOLDERS.get(span.kind, f"[{span.kind.upper()}]"))
        position = span.end
        previous = span
    parts.append(text[position:])
    return "".join(parts)
