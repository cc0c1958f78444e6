"""The booking rules, each defined once: the chat's booking form (actions/booking.py) and the
backend's checks (bot/booking/validation.py) both use these.

- persons: 1 to the family limit stated in knowledge/facts.yml (what the chat tells users);
- horizon: how far ahead appointments can be booked (BOOKING_HORIZON_DAYS, the days the
  backend opens slots for);
- search: how many days from the chosen day the chat looks for free times (knowledge/facts.yml,
  stated by the no-free-times reply);
- phone numbers: parsed, checked and normalised to E.164 by the `phonenumbers` library
  (Google's libphonenumber metadata), Finnish when no country code is given;
- e-mail addresses: one pattern, which the backend's API description also publishes;
- words: numbers and dates written as words, from knowledge/calendar.yml (`reading`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from bot.knowledge.store import default_knowledge
from bot.settings import get_settings

MIN_PERSONS = 1
PHONE_REGION = "FI"  # numbers without a country code are Finnish
MAX_PHONE_LENGTH = 32
MAX_EMAIL_LENGTH = 254
# What a phone number may be made of: digits, a leading + and the usual separators (no letters:
# libphonenumber would read "1-800-FLOWERS" as digits, and no extensions). Published in the API
# description; `normalise_phone` decides the rest.
PHONE_PATTERN = r"^[\s().\-/]*\+?[0-9\s().\-/]{5,31}$"
EMAIL_PATTERN = (r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\s*$")
_PHONE = re.compile(PHONE_PATTERN, re.ASCII)
_EMAIL = re.compile(EMAIL_PATTERN)


def max_persons() -> int:
    """The most persons one family appointment may be for (knowledge/facts.yml)."""
    return int(default_knowledge().facts["booking"]["family_max_persons"])


MAX_PERSONS = max_persons()


def search_days() -> int:
    """How many days from the chosen day the chat's booking form looks for free times (knowledge/facts.yml,
    which the no-free-times reply states)."""
    return int(default_knowledge().facts["booking"]["search_days"])


def horizon_days() -> int:
    """How many days ahead appointments can be booked (the backend opens slots this far)."""
    return get_settings().booking_horizon_days


def normalise_phone(text: object) -> str | None:
    """+358401234567 from "040 123 4567", "40 123 4567", "+358 40 123 4567", "00358...", "358401234567"
    or any valid international number; None when it is not a valid phone number."""
    if not isinstance(text, str) or len(text) > MAX_PHONE_LENGTH:
        return None
    text = text.strip()
    if not _PHONE.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: object) -> str | None:
    """The address with its domain in lower case, or None when it is not an e-mail address."""
    if not isinstance(text, str) or len(text) > MAX_EMAIL_LENGTH or not _EMAIL.search(text):
        return None
    local, _, domain = text.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


@lru_cache(maxsize=1)
def _number_words() -> dict[str, int]:
    reading = default_knowledge().calendar["reading"]
    return {word: int(number) for number, words in reading["numbers"].items() for word in words}


def persons_in_text(text: str) -> int | None:
    """The number of persons a message gives, in digits or as a word in any of our languages."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    words = _number_words()
    for word in re.findall(r"\w+", text.lower()):
        if word in words:
            return words[word]
    return None


def weekday_names() -> list[list[str]]:
    """Each weekday's names and short forms in every language, Monday first (lower case)."""
    return default_knowledge().calendar["reading"]["weekdays"]


def month_names() -> list[list[str]]:
    """Each month's names and short forms in every language, January first (lower case)."""
    return default_knowledge().calendar["reading"]["months"]
