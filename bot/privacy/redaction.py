"""Finds and replaces personal data in text: the one place that knows what to redact.

What is found, by whom: identifiers and contact details (bot/privacy/identifiers.py:
identity codes, personnummer, IBAN, passport and permit card numbers, PINs and codes,
dates of birth, phone numbers, e-mail addresses, reservation keys, customer numbers),
street addresses (bot/privacy/addresses.py) and person names (bot/privacy/names.py).
Each find becomes a typed placeholder ("[NAME]", "[ADDRESS]", "[IBAN]" ...,
bot/privacy/spans.py) so a reviewer still follows the conversation. The agency's own
public numbers and addresses (knowledge/facts.yml, the service points) and business IDs
are left as they are. More patterns can be added with a YAML file named by
REDACTION_EXTRA_PATTERNS ({label: regex}); a named group `lead` in a pattern (a keyword
before the value) stays in the text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from stdnum.fi import hetu

from bot.privacy.addresses import find_addresses
from bot.privacy.identifiers import find_identifiers
from bot.privacy.names import find_names
from bot.privacy.sealing import is_sealed
from bot.privacy.spans import PLACEHOLDER, Span, choose, replace

KEEP = "keep"  # a find that is public (an agency number, a business ID): left in the text
_BUSINESS_ID = re.compile(r"(?<![\w-])\d{7}-\d(?![\w-])")
# A company named with its legal form: "Kebab Palace Oy", "Bygg & Montage Ab", "Nordic Build Ltd".
_COMPANY = re.compile(r"(?:(?:[A-ZÅÄÖ][\w'.-]*|&)\s+){1,4}(?:Oyj?|Abp?|Ky|Ay|Tmi|Ltd|Inc|LLC|GmbH|AB|OY|Oy Ab)(?![\w])")


def hetu_is_valid(code: str) -> bool:
    """Checks a Finnish personal identity code's shape, date and check character."""
    return hetu.is_valid(re.sub(r"\s", "", code))


def _national_digits(text: str) -> str:
    """Digits of a number in national form: '+358 295 790 600' -> '0295790600'."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("358"):
        digits = "0" + digits[3:]
    return digits


MEMO_SIZE = 20_000  # redacted strings remembered (the process holds its conversations anyway)
MEMO_TEXT_LENGTH = 400


@dataclass
class Redactor:
    """Replaces personal data with [KIND] markers; public agency contacts are kept."""

    allowed: frozenset[str] = frozenset()
    extra_patterns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._patterns = [(kind, re.compile(p)) for kind, p in self.extra_patterns.items()]
        # Intent, action and slot names, button titles and the bot's own texts recur in every
        # stored event; each string ran through every pattern again (6% of the server's time).
        self._recent: dict[str, str] = {}
        self._allowed_numbers = {_national_digits(a) for a in self.allowed} - {""}
        self._allowed_text = {a.lower() for a in self.allowed}

    def warm_up(self) -> None:
        """Loads the name list, the place words and Voikko now (a second or so) rather than on the
        first message."""
        self._redact("Hei, nimeni on Omar Haddad, asun Hämeenkatu 5 A 7, 33100 Tampere")

    def _is_allowed(self, found: str) -> bool:
        return found.lower() in self._allowed_text or _national_digits(found) in self._allowed_numbers

    def redact(self, text: str) -> str:
        known = self._recent.get(text)
        if known is not None:
            return known
        redacted = self._redact(text)
        if len(text) <= MEMO_TEXT_LENGTH:
            if len(self._recent) >= MEMO_SIZE:
                self._recent.clear()
            self._recent[text] = redacted
        return redacted

    def _redact(self, text: str) -> str:
        if not any(character.isalnum() for character in text):
            return text
        return replace(text, [span for span in choose(self.spans(text)) if span.kind != KEEP])

    def spans(self, text: str) -> Iterator[Span]:
        """Every candidate find, overlapping; public ones as KEEP spans that outweigh the rest."""
        for span in [*find_identifiers(text, self._is_allowed), *find_addresses(text), *self._extra_spans(text)]:
            if self._is_allowed(text[span.start:span.end]):
                yield Span(span.start, span.end, KEEP, 100)
            else:
                yield span
        for pattern in (_BUSINESS_ID, _COMPANY, PLACEHOLDER):  # placeholders stay as they are
            for match in pattern.finditer(text):
                yield Span(match.start(), match.end(), KEEP, 100)
        yield from find_names(text)

    def _extra_spans(self, text: str) -> Iterator[Span]:
        for kind, pattern in self._patterns:
            for match in pattern.finditer(text):
                lead = match.groupdict().get("lead") or ""  # the keyword that named the value stays
                yield Span(match.start() + len(lead), match.end(), kind.lower(), 90)

    def redact_value(self, value: Any) -> Any:
        """Redacts every string inside JSON-like data (sealed values are already unreadable)."""
        if isinstance(value, str):
            return value if is_sealed(value) else self.redact(value)
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        return value


def value_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """Matches any of `values` as typed, in any case and with or without spaces and
    hyphens between characters ("1234 5678" finds "12345678")."""
    alternatives = []
    for value in sorted({re.sub(r"[\s-]", "", v) for v in values}, key=len, reverse=True):
        if len(value) >= 3:
            alternatives.append(r"[\s-]?".join(re.escape(character) for character in value))
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def agency_contacts(facts: Mapping[str, Any]) -> set[str]:
    """The agency's public numbers and addresses, which are not personal data."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and (re.search(r"\d{3}", value) or "@" in value):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({key: facts[key] for key in ("phone", "email", "sms_sender") if key in facts})
    return found


def load_extra_patterns(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    patterns = {str(kind).upper(): str(regex) for kind, regex in data.items()}
    for regex in patterns.values():
        re.compile(regex)  # fail at start-up, not on the first message
    return patterns


@lru_cache(maxsize=1)
def default_redactor() -> Redactor:
    from bot.knowledge.store import default_knowledge

    return Redactor(
        allowed=frozenset(agency_contacts(default_knowledge().facts)),
        extra_patterns=load_extra_patterns(os.environ.get("REDACTION_EXTRA_PATTERNS")),
    )

