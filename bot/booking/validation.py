"""The backend's checks of what applicants type: phone numbers, e-mail, names, persons.

Each `parse_*` returns the value to store or raises `InvalidInput` with an error
code and an English message for the API. The rules themselves (the persons
limit, what a phone number or e-mail address is) are in bot/booking/rules.py,
which the chat's booking form uses too.
"""

from __future__ import annotations

import re

from bot.booking.rules import (
    EMAIL_PATTERN,
    MAX_EMAIL_LENGTH,
    MAX_PERSONS,
    MAX_PHONE_LENGTH,
    MIN_PERSONS,
    PHONE_PATTERN,
    normalise_email,
    normalise_phone,
)

__all__ = ["EMAIL_PATTERN", "MAX_EMAIL_LENGTH", "MAX_PERSONS", "MAX_PHONE_LENGTH", "MIN_PERSONS", "PHONE_PATTERN"]

LANGUAGES = ("fi", "sv", "en")
FINNISH_COUNTRY_CODE = "358"
MAX_NAME_LENGTH = 100

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What the API description says a name is (the same rule as parse_name).
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


class InvalidInput(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def parse_persons(value: object) -> int:
    """1..MAX_PERSONS persons; integral JSON numbers only (2.0 is 2, "2" and true are not numbers)."""
    wrong = f"persons must be a whole number from {MIN_PERSONS} to {MAX_PERSONS}."
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("invalid_persons", wrong)
    if isinstance(value, float) and not value.is_integer():
        raise InvalidInput("invalid_persons", wrong)
    persons = int(value)
    if persons > MAX_PERSONS:
        raise InvalidInput(
            "invalid_persons",
            f"At most {MAX_PERSONS} persons may attend one family appointment; "
            "book another appointment for the others.",
        )
    if persons < MIN_PERSONS:
        raise InvalidInput("invalid_persons", f"persons must be at least {MIN_PERSONS}.")
    return persons


def parse_phone(value: object) -> str:
    """E.164 (+358401234567) from Finnish (040 123 4567) or international (+44 20..., 0044 ...) input."""
    phone = normalise_phone(value)
    if phone is None:
        raise InvalidInput("invalid_phone",
                           "The phone number is not valid: use e.g. 040 123 4567 or the international form +358 ...")
    return phone


def parse_email(value: object) -> str:
    email = normalise_email(value)
    if email is None:
        raise InvalidInput("invalid_email", "The e-mail address is not valid.")
    return email


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
