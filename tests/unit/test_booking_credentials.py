"""Reservation keys and PINs: format, input forms, salted hashes."""

import re

from bot.booking.credentials import (
    ALPHABET,
    display_key,
    hash_pin,
    is_pin_shaped,
    new_pin,
    new_reservation_key,
    normalise_key,
    pin_matches,
)


def test_keys_are_12_crockford_characters_and_differ():
    keys = {new_reservation_key() for _ in range(500)}
    assert len(keys) == 500
    for key in keys:
        assert len(key) == 12 and set(key) <= set(ALPHABET)
    assert not set("ILOU") & set(ALPHABET)


def test_keys_are_shown_in_groups_of_four():
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", display_key(new_reservation_key()))


def test_keys_are_accepted_in_any_case_with_or_without_separators():
    key = "ABCD2345EFGH"
    for typed in ("ABCD-2345-EFGH", "abcd-2345-efgh", "abcd 2345 efgh", "ABCD2345EFGH", " abcd2345efgh "):
        assert normalise_key(typed) == key


def test_letters_read_as_digits_are_read_so():
    assert normalise_key("oooo-iiii-llll") == "000011111111"


def test_malformed_keys_are_refused():
    for typed in ("", "ABCD-2345", "ABCD-2345-EFGH-J", "ABCD-2345-EFGU", "ÄBCD-2345-EFGH", "A" * 100, None, 12):
        assert normalise_key(typed) is None


def test_pins_are_six_digits():
    pins = {new_pin() for _ in range(200)}
    assert all(is_pin_shaped(pin) for pin in pins) and len(pins) > 150
    assert not is_pin_shaped("12345") and not is_pin_shaped("12345a") and not is_pin_shaped(123456)
    assert not is_pin_shaped("１２３４５６")  # full-width digits are not ASCII digits


def test_pins_are_stored_as_salted_hashes():
    first_hash, first_salt = hash_pin("123456")
    second_hash, second_salt = hash_pin("123456")
    assert "123456" not in first_hash and first_salt != second_salt and first_hash != second_hash
    assert pin_matches("123456", first_hash, first_salt)
    assert not pin_matches("123457", first_hash, first_salt)
    assert not pin_matches("123456", first_hash, second_salt)
    assert not pin_matches("123456", "garbage", first_salt)
