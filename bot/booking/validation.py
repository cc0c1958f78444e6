"""Checks and normal forms for what applicants type: phone numbers, e-mail, names, persons.

Each `parse_*` returns the value to store or raises `InvalidInput` with an error
code and an English message for the API.
"""

from __future__ import annotations

import re

MIN_PERSONS, MAX_PERSONS = 1, 6
LANGUAGES = ("fi", "sv", "en")
FINNISH_COUNTRY_CODE = "358"
MAX_NAME_LENGTH = 100

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What the API description says a name is (the same rule as parse_name).
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
# The patterns below are both the rule and what the API description publishes.
_SEPARATORS = r"[\s().\-]*"
PHONE_PATTERN = (rf"^{_SEPARATORS}(?:(?:\+|00){_SEPARATORS}[1-9](?:{_SEPARATORS}[0-9]){{6,14}}"
                 rf"|0{_SEPARATORS}[1-9](?:{_SEPARATORS}[0-9]){{5,10}}){_SEPARATORS}$")
MAX_PHONE_LENGTH = 32
EMAIL_PATTERN = (r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\s*$")
MAX_EMAIL_LENGTH = 254
_PHONE = re.compile(PHONE_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)
_NOT_DIGITS = re.compile(r"[^0-9]")
_SEPARATOR = re.compile(r"[\s().\-]")


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
    if not isinstance(value, str) or len(value) > MAX_PHONE_LENGTH or not _PHONE.search(value):
        raise InvalidInput("invalid_phone",
                           "The phone number is not valid: use e.g. 040 123 4567 or the international form +358 ...")
    text = _SEPARATOR.sub("", value)
    digits = _NOT_DIGITS.sub("", value)
    if text.startswith("+"):
        return "+" + digits
    if text.startswith("00"):
        return "+" + digits[2:]
    return "+" + FINNISH_COUNTRY_CODE + digits[1:]


def parse_email(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH or not _EMAIL.search(value):
        raise InvalidInput("invalid_email", "The e-mail address is not valid.")
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_name(value: object) -> str:
    """Printable text of 1..100 characters, not only spaces; runs of spaces become one."""
    if not isinstance(value, str):
        raise InvalidInput("invalid_name", "Give the name as text.")
    if len(value) > MAX_NAME_LENGTH or _CONTROL.search(value):
        raise InvalidInput("invalid_name", f"The name must be 1 to {MAX_NAME_LENGTH} printable characters.")
    name = " ".join(value.split())
    if not name:
        raise InvalidInput("invalid_name", "Give the name.")
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
