"""Checks and normal forms for what applicants type: phone numbers, e-mail, names, persons.

Each `parse_*` returns the value to store or raises `InvalidInput` with an error
code and an English message for the API.
"""

from __future__ import annotations

import re
import unicodedata

MIN_PERSONS, MAX_PERSONS = 1, 6
LANGUAGES = ("fi", "sv", "en")
FINNISH_COUNTRY_CODE = "358"
MAX_NAME_LENGTH = 100

_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class InvalidInput(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def parse_persons(value: object) -> int:
    """1..6 persons; integral JSON numbers only (2.0 is 2, "2" and true are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("invalid_persons", "persons must be a whole number from 1 to 6.")
    if isinstance(value, float) and not value.is_integer():
        raise InvalidInput("invalid_persons", "persons must be a whole number from 1 to 6.")
    persons = int(value)
    if persons > MAX_PERSONS:
        raise InvalidInput(
            "invalid_persons",
            f"At most {MAX_PERSONS} persons may attend one family appointment; "
            "book another appointment for the others.",
        )
    if persons < MIN_PERSONS:
        raise InvalidInput("invalid_persons", "persons must be at least 1.")
    return persons


def parse_phone(value: object) -> str:
    """E.164 (+358401234567) from Finnish (040 123 4567) or international (+44 20..., 0044 ...) input."""
    if not isinstance(value, str) or len(value) > 32:
        raise InvalidInput("invalid_phone", "Give the phone number as text, e.g. 040 123 4567 or +358 40 123 4567.")
    text = _PHONE_PUNCTUATION.sub("", value.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isascii() or not digits.isdigit() or digits.startswith("0") or not 7 <= len(digits) <= 15:
            raise InvalidInput("invalid_phone", "The phone number is not valid.")
        if digits.startswith(FINNISH_COUNTRY_CODE) and not 6 <= len(digits) - 3 <= 12:
            raise InvalidInput("invalid_phone", "The Finnish phone number is not valid.")
        return "+" + digits
    if text.startswith("0") and text.isascii() and text.isdigit() and 7 <= len(text) <= 12:
        return "+" + FINNISH_COUNTRY_CODE + text[1:]
    raise InvalidInput("invalid_phone",
                       "The phone number is not valid: use e.g. 040 123 4567 or the international form +358 ...")


def parse_email(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("invalid_email", "Give the e-mail address as text.")
    text = value.strip()
    local, _, domain = text.rpartition("@")
    if len(text) > 254 or len(local) > 64 or not _EMAIL.match(text):
        raise InvalidInput("invalid_email", "The e-mail address is not valid.")
    return f"{local}@{domain.lower()}"


def parse_name(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("invalid_name", "Give the name as text.")
    name = " ".join(value.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("invalid_name", f"The name must be 1 to {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(character).startswith("C") for character in name):
        raise InvalidInput("invalid_name", "The name contains control characters.")
    if not any(character.isalpha() for character in name):
        raise InvalidInput("invalid_name", "The name must contain letters.")
    return name


def parse_language(value: object) -> str:
    if value not in LANGUAGES:
        raise InvalidInput("invalid_language", "language must be one of fi, sv, en.")
    return str(value)


def mask_phone(phone: str | None) -> str | None:
    """+358401234567 -> '+358 40 *** **67'; other countries keep the first two digits."""
    if not phone:
        return None
    digits = phone[1:]
    if digits.startswith(FINNISH_COUNTRY_CODE):
        national = digits[3:]
        return f"+358 {national[:2]} *** **{national[-2:]}"
    return f"+{digits[:2]} *** **{digits[-2:]}"


def mask_email(email: str | None) -> str | None:
    """maria@example.com -> 'm***@example.com'."""
    if not email:
        return None
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"
