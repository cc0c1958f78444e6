"""What applicants type: persons, phone numbers, e-mail, names, and how contacts are masked."""

import re

import pytest

from bot.booking.validation import (
    EMAIL_PATTERN,
    MAX_PERSONS,
    NAME_PATTERN,
    PHONE_PATTERN,
    InvalidInput,
    mask_email,
    mask_phone,
    parse_email,
    parse_language,
    parse_name,
    parse_persons,
    parse_phone,
)


def test_persons_one_to_six_as_in_the_knowledge_base(knowledge):
    assert MAX_PERSONS == knowledge.facts["booking"]["family_max_persons"]
    assert [parse_persons(n) for n in range(1, 7)] == [1, 2, 3, 4, 5, 6]
    assert parse_persons(2.0) == 2


def test_seven_persons_are_told_to_book_another_appointment():
    with pytest.raises(InvalidInput) as error:
        parse_persons(7)
    assert error.value.code == "invalid_persons"
    assert "At most 6" in error.value.message and "another appointment" in error.value.message


@pytest.mark.parametrize("value", [0, -1, 2.5, "2", True, None, [], 10**9])
def test_other_persons_values_are_refused(value):
    with pytest.raises(InvalidInput):
        parse_persons(value)


@pytest.mark.parametrize("typed, stored", [
    ("040 123 4567", "+358401234567"),
    ("040-1234567", "+358401234567"),
    ("+358 40 123 4567", "+358401234567"),
    ("+358401234567", "+358401234567"),
    ("00358 40 123 4567", "+358401234567"),
    ("(09) 123 4567", "+35891234567"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+1 (415) 555-2671", "+14155552671"),
    ("\u00a0+358 40 123 4567 ", "+358401234567"),
    ("40 123 4567", "+358401234567"),   # a Finnish number without its 0
    ("358401234567", "+358401234567"),  # the country code without +
])
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "abc", "12345", "+0401234567", "+1234567890123456", "1-800-FLOWERS",
                                   "040 123 4567 ext 5", "+358 1", "٠٤٠١٢٣٤٥٦٧", 401234567, None])
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(InvalidInput) as error:
        parse_phone(typed)
    assert error.value.code == "invalid_phone"


def test_the_published_patterns_are_the_rules():
    phone, email, name = (re.compile(pattern) for pattern in (PHONE_PATTERN, EMAIL_PATTERN, NAME_PATTERN))
    # The phone pattern says what a number is made of; libphonenumber decides the rest.
    for typed in ("040 123 4567", "+44 20 7946 0958", "(09) 123 4567", "00358 40 123 4567"):
        assert phone.search(typed) and _accepts(parse_phone, typed)
    for typed in ("1-800-FLOWERS", "040 123 4567 ext 5", "٠٤٠١٢٣٤٥٦٧"):
        assert not phone.search(typed) and not _accepts(parse_phone, typed)
    for typed in ("maria@example.com", " maria@example.com", "maria@example", "a" * 65 + "@example.com"):
        assert bool(email.search(typed)) == _accepts(parse_email, typed)
    for typed in ("Maria", " ", "12345", "Maria\x00"):
        assert bool(name.search(typed)) == _accepts(parse_name, typed)


def _accepts(parse, typed):
    try:
        parse(typed)
    except InvalidInput:
        return False
    return True


def test_email_addresses():
    assert parse_email(" Maria.Virtanen@Example.FI ") == "Maria.Virtanen@example.fi"
    assert parse_email("a+tag@sub.example.com") == "a+tag@sub.example.com"
    for typed in ("", "maria", "maria@", "@example.com", "maria@example", "ma ria@example.com",
                  "maria@@example.com", "maria@exa_mple.com", "a" * 250 + "@example.com", 5):
        with pytest.raises(InvalidInput):
            parse_email(typed)


def test_names():
    assert parse_name("  Maria   Virtanen ") == "Maria Virtanen"
    assert parse_name("Åsa Öberg-Ähtäri") == "Åsa Öberg-Ähtäri"
    assert parse_name("李小龍") == "李小龍"
    for typed in ("", "   ", "x" * 101, "Maria\x00", "Maria\x85", "\t\n", None):
        with pytest.raises(InvalidInput):
            parse_name(typed)


def test_languages():
    assert [parse_language(language) for language in ("fi", "sv", "en")] == ["fi", "sv", "en"]
    with pytest.raises(InvalidInput):
        parse_language("de")


def test_contacts_are_masked():
    assert mask_phone("+358401234567") == "+358 40 *** **67"
    assert mask_phone("+442079460958") == "+44 *** **58"
    assert mask_email("maria@example.com") == "m***@example.com"
    assert mask_phone(None) is None and mask_email(None) is None
