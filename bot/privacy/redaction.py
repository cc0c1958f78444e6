"""Finds and replaces personal data in text: the one place that knows what to redact.

Kinds: Finnish personal identity codes (henkilötunnus), e-mail addresses,
reservation keys (12 Crockford base32 characters, "ABCD-EFGH-2JKM"), phone
numbers, customer numbers (8 digits, also "1234 5678"), dates with a year
(dates of birth, also "1. helmikuuta 1990" and "syntynyt 1.2.90"), PINs and
one-time codes named as such ("PIN-koodini on 123 456", "min pinkod är ...",
"my PIN is ...") or typed alone (six digits), and long digit runs. Keywords
are matched in their inflected forms ("asiakasnumerollani", "koodin"). The agency's
own public numbers and addresses (knowledge/facts.yml) are left as they are.
More patterns can be added with a YAML file named by REDACTION_EXTRA_PATTERNS
({label: regex}); a named group `lead` in a pattern (a keyword before the
value) stays in the text, as in the built-in keyword patterns.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.privacy.sealing import SEAL_PREFIX

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


# Words that may join a keyword to the value: "PIN-koodini on 123456", "my PIN is ...".
_JOIN = r"(?:\W{1,3}(?:on|oli|nyt|siis|är|var|nu|is|was|now))*\W{0,3}"
# Crockford base32 (no I, L, O, U), the alphabet of reservation keys.
_KEY_CHAR = "[0-9a-hjkmnp-tv-z]"
_RESERVATION_KEY = rf"{_KEY_CHAR}{{4}}[\s-]?{_KEY_CHAR}{{4}}[\s-]?{_KEY_CHAR}{{4}}(?![\w-])"
_MONTHS = (
    "tammikuuta|helmikuuta|maaliskuuta|huhtikuuta|toukokuuta|kesäkuuta|heinäkuuta|elokuuta|syyskuuta|lokakuuta|"
    "marraskuuta|joulukuuta|januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october"
)
_DATE = (
    r"\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:19|20)?\d{2}(?!\d)"
    rf"|\d{{1,2}}\.?\s+(?:{_MONTHS})\s+(?:19|20)?\d{{2}}(?!\d)"
    rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}(?!\d)"
    r"|(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)|\d{6}(?!\d)"
)

# Order matters: the more specific kinds are replaced first, and a kind named
# by its keyword ("varaustunnus ...", "asiakasnumero ...") before the bare
# shapes. A group named `lead` (the keyword) is kept in the text.
PATTERNS: list[tuple[str, str]] = [
    ("ID_CODE", r"(?<![\w])\d{6}\s?[-+A-FU-Ya-fu-y]\s?\d{3}\s?[0-9A-Ya-y](?![\w])"),
    ("EMAIL", r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("RESERVATION_KEY", r"(?i)(?P<lead>\b(?:varaustun\w*|varauskoodi\w*|varausnumero\w*|bokningskod\w*|reservationskod\w*|"
                        r"bokningsnummer\w*|bokningsnyckel\w*|reservation key|reservation code|booking key|"
                        r"booking reference|booking code)" + _JOIN + r")(?<![\w-])" + _RESERVATION_KEY),
    # A bare key: grouped with hyphens, or with at least one digit and one letter.
    ("RESERVATION_KEY", rf"(?i)(?<![\w-]){_KEY_CHAR}{{4}}-{_KEY_CHAR}{{4}}-{_KEY_CHAR}{{4}}(?![\w-])"),
    ("RESERVATION_KEY", rf"(?i)(?<![\w-])(?=(?:{_KEY_CHAR}\s?){{0,11}}\d)(?=(?:{_KEY_CHAR}\s?){{0,11}}[a-z])"
                        + _RESERVATION_KEY),
    ("CUSTOMER_NUMBER", r"(?i)(?P<lead>\b(?:asiakasnum\w*|asiakasnro|kundnummer\w*|kundnumret|kundnr|"
                        r"customer (?:number|no\.?)|client number)" + _JOIN + r")\d{4}[\s-]?\d{4}(?!\d)"),
    ("DATE", r"(?i)(?P<lead>\b(?:syntymäai\w*|syntyny\w*|synt\.|född\w*|födelse\w*|date of birth|born(?: on)?|"
             r"dob|birth ?date|birthday)" + _JOIN + r")(?:" + _DATE + ")"),
    ("CODE", r"(?i)(?P<lead>\b(?:pin|otp|passcode|tunnuslu\w*|(?:\w+-)?\w*koodi\w*|"
             r"(?:\w+-)?\w*kod(?:en|er|erna)?|(?:\w+-)?\w*code)"
             + _JOIN + r")\d(?:[\s-]?\d){3,7}(?!\d)"),
    ("DATE", r"(?<![\d.])\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:19|20)\d{2}(?!\d)"
             r"|(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)"
             rf"|(?i:(?<!\d)\d{{1,2}}\.?\s+(?:{_MONTHS})\s+(?:19|20)\d{{2}}(?!\d))"
             rf"|(?i:\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}(?!\d))"),
    ("PHONE", r"(?<![\w+])(?:\+|00)\d[\d\s()-]{6,18}\d(?!\d)|(?<![\w+])0\d[\d\s-]{5,14}\d(?!\d)"),
    ("CUSTOMER_NUMBER", r"(?<!\d)\d{4}\s?\d{4}(?!\d)"),
    # A bare six-digit number is most often a PIN or one-time code typed alone.
    ("CODE", r"(?<![\w.,])\d{6}(?![\w]|[.,]\d)"),
    ("NUMBER", r"(?<!\d)\d{9,}(?!\d)"),
]


MEMO_SIZE = 20_000  # redacted strings remembered (the process holds its conversations anyway)
MEMO_TEXT_LENGTH = 400


@dataclass
class Redactor:
    """Replaces personal data with [KIND] markers; public agency contacts are kept."""

    allowed: frozenset[str] = frozenset()
    extra_patterns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._patterns = [(kind, re.compile(p)) for kind, p in [*PATTERNS, *self.extra_patterns.items()]]
        # Intent, action and slot names, button titles and the bot's own texts recur in every
        # stored event; each string ran through every pattern again (6% of the server's time).
        self._recent: dict[str, str] = {}
        self._allowed_numbers = {_national_digits(a) for a in self.allowed} - {""}
        self._allowed_text = {a.lower() for a in self.allowed}

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
        for kind, pattern in self._patterns:
            def replace(match: re.Match[str], kind: str = kind) -> str:
                lead = match.groupdict().get("lead") or ""  # the keyword that named the value stays
                if self._is_allowed(match.group(0)[len(lead):]):
                    return match.group(0)
                return f"{lead}[{kind}]"
            text = pattern.sub(replace, text)
        return text

    def redact_value(self, value: Any) -> Any:
        """Redacts every string inside JSON-like data (sealed values are already unreadable)."""
        if isinstance(value, str):
            return value if value.startswith(SEAL_PREFIX) else self.redact(value)
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

