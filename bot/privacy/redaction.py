"""Finds and replaces personal data in text: the one place that knows what to redact.

Kinds: Finnish personal identity codes (henkilötunnus; the checksum is checked
to label them), e-mail addresses, phone numbers, customer numbers (8 digits,
also "1234 5678"), dates with a year (dates of birth), PINs and one-time codes
named as such ("PIN 1234", "koodi 123456"), and long digit runs. The agency's
own public numbers and addresses (knowledge/facts.yml) are left as they are.
More patterns can be added with a YAML file named by REDACTION_EXTRA_PATTERNS
({label: regex}).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HETU_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
HETU_CENTURY_SIGNS = "+-ABCDEFUVWXY"


def hetu_is_valid(code: str) -> bool:
    """Checks a Finnish personal identity code's shape, date and check character."""
    code = re.sub(r"\s", "", code).upper()
    match = re.fullmatch(r"(\d{2})(\d{2})(\d{2})([" + re.escape(HETU_CENTURY_SIGNS) + r"])(\d{3})([0-9A-Y])", code)
    if not match:
        return False
    day, month = int(match.group(1)), int(match.group(2))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    number = int(match.group(1) + match.group(2) + match.group(3) + match.group(5))
    return HETU_CHECK_CHARACTERS[number % 31] == match.group(6)


def _national_digits(text: str) -> str:
    """Digits of a number in national form: '+358 295 790 600' -> '0295790600'."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("358"):
        digits = "0" + digits[3:]
    return digits


# Order matters: the more specific kinds are replaced first.
PATTERNS: list[tuple[str, str]] = [
    ("ID_CODE", r"(?<![\w])\d{6}\s?[-+A-FU-Ya-fu-y]\s?\d{3}\s?[0-9A-Ya-y](?![\w])"),
    ("EMAIL", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("CODE", r"(?i)\b(pin|pin-koodi|pin-koodini|pin-kod|pinkod|koodi|koodini|kod|koden|code|otp|"
             r"tunnusluku|vahvistuskoodi|varmistuskoodi|verifieringskod|verification code)"
             r"(\W{0,3}(?:on|är|is)?\W{0,3})\d{4,8}\b"),
    ("DATE", r"(?<![\d.])\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:19|20)\d{2}(?!\d)"
             r"|(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)"),
    ("PHONE", r"(?<![\w+])(?:\+|00)\d[\d\s()-]{6,18}\d(?!\d)|(?<![\w+])0\d[\d\s-]{5,14}\d(?!\d)"),
    ("CUSTOMER_NUMBER", r"(?<!\d)\d{4}\s?\d{4}(?!\d)"),
    ("NUMBER", r"(?<!\d)\d{9,}(?!\d)"),
]


@dataclass
class Redactor:
    """Replaces personal data with [KIND] markers; public agency contacts are kept."""

    allowed: frozenset[str] = frozenset()
    extra_patterns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._patterns = [(kind, re.compile(p)) for kind, p in [*PATTERNS, *self.extra_patterns.items()]]
        self._allowed_numbers = {_national_digits(a) for a in self.allowed} - {""}
        self._allowed_text = {a.lower() for a in self.allowed}

    def _is_allowed(self, found: str) -> bool:
        return found.lower() in self._allowed_text or _national_digits(found) in self._allowed_numbers

    def redact(self, text: str) -> str:
        for kind, pattern in self._patterns:
            def replace(match: re.Match[str], kind: str = kind) -> str:
                found = match.group(0)
                if self._is_allowed(found):
                    return found
                if kind == "CODE":  # keep the keyword that named the code
                    return match.group(1) + match.group(2) + "[CODE]"
                return f"[{kind}]"
            text = pattern.sub(replace, text)
        return text

    def redact_value(self, value: Any) -> Any:
        """Redacts every string inside JSON-like data."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        return value


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

