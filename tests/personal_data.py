"""The personal data the test suites type, kept in one place: the tests that type them take them
from here, and tests/security/test_var_scan.py looks for every one of them in the files the test
stacks left behind (none may be there in clear)."""

from __future__ import annotations

from bot.cases.seed import seed_data

# Typed into the chat by tests/integration/test_privacy_live.py: each value, and each piece of it
# that would give it away.
PRIVACY_LIVE = {
    "fi": ["Aino Korhonen", "Korhonen", "Mannerheimintie", "XP1234567", "FI21 1234 5600 0007 85", "FI2112345600000785",
           "5600 0007"],
    "sv": ["Sven Lindqvist", "Lindqvist", "Storgatan 7", "PA7654321", "SE45 5000 0000 0583 9825 7466",
           "SE4550000000058398257466", "9825 7466"],
    "en": ["John Smith", "Smith", "Baker Street", "123456789", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432",
           "5698 7654"],
}
# Typed by tests/integration/test_review_privacy.py (identifiers the redactor must catch).
REVIEW_PRIVACY = ["020190-123A", "1234 5678", "7K3M-9PQR-T2VW", "482 190", "123 456", "1.2.1990",
                  "matti.meikalainen@example.com", "040 123 4567", "8765 4321", "654321", "abcd efgh jkmn",
                  "24.12.1985", "anna.svensson@exempel.se", "908172", "2HJK-MNPQ-RSTV", "554433", "+358 50 765 4321",
                  "765 4321", "2468 1357"]
# The name and contact each booking conversation gives (tests/integration/test_booking_chat.py).
BOOKING_CONTACTS = {
    "fi": ("Aino Virtanen", "040 123 4567"),
    "sv": ("Erik Lindqvist", "erik.lindqvist@example.com"),
    "en": ("John Smith", "+358 50 765 4321"),
}


def _register_people() -> list[str]:
    """What the status tests type of the demo register's people: customer numbers and dates of birth."""
    values = []
    for person in seed_data()["applicants"] + seed_data()["representatives"]:
        day = person["date_of_birth"]
        values += [person["customer_number"], day.isoformat(), f"{day.day}.{day.month}.{day.year}",
                   f"{day.day:02d}.{day.month:02d}.{day.year}"]
    return values


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit() or c == "+")


# Everything above, each phone number also as digits only.
TYPED_PERSONAL_DATA: tuple[str, ...] = tuple(dict.fromkeys(
    [value for values in PRIVACY_LIVE.values() for value in values]
    + REVIEW_PRIVACY
    + [value for contact in BOOKING_CONTACTS.values() for value in contact]
    + [_digits(phone) for _, phone in BOOKING_CONTACTS.values() if "@" not in phone]
    + _register_people()
))
