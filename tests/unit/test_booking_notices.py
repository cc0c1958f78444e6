"""Booking messages exist in fi, sv and en with the same placeholders, and times read naturally."""

import datetime as dt
import string
from zoneinfo import ZoneInfo

from bot.booking.notices import format_when, messages, render

LANGUAGES = ("fi", "sv", "en")


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_in_three_languages_with_the_same_placeholders():
    for kind, entry in messages()["kinds"].items():
        for part, texts in entry.items():
            assert set(texts) == set(LANGUAGES), (kind, part)
            assert all(texts[language].strip() for language in LANGUAGES)
            assert len({frozenset(placeholders(texts[language])) for language in LANGUAGES}) == 1, (kind, part)
    for part in ("when", "email_greeting", "email_signature"):
        assert set(messages()[part]) == set(LANGUAGES)


def test_no_message_asks_for_or_contains_a_pin_placeholder():
    for entry in messages()["kinds"].values():
        for texts in entry.values():
            assert all("pin" not in placeholders(text) for text in texts.values())


def test_times_in_helsinki_time():
    start = dt.datetime(2025, 3, 12, 7, 30)  # UTC; 9.30 in Helsinki (winter time)
    zone = ZoneInfo("Europe/Helsinki")
    assert format_when(start, "fi", zone) == "keskiviikko 12.3.2025 klo 9.30"
    assert format_when(start, "sv", zone) == "onsdag 12.3.2025 kl. 9.30"
    assert format_when(start, "en", zone) == "Wednesday 12 March 2025 at 9:30"
    assert format_when(dt.datetime(2025, 6, 12, 6, 0), "fi", zone).endswith("klo 9.00")  # summer time


def test_render_fills_every_placeholder():
    values = {"when": "W", "point": "P", "address": "A", "persons": "2", "key": "K", "category": "C"}
    for kind in messages()["kinds"]:
        if kind == "booking_keys_resend":
            continue
        for language in LANGUAGES:
            subject, text = render(kind, language, **values)
            assert subject and "{" not in text and "W" in text
            # The notice to replaced contacts (maybe a stranger's) names no key and no place.
            if kind == "booking_contact_notice":
                secret = render(kind, language, **{**values, "key": "KEY-1", "point": "POINT-1"})[1]
                assert "KEY-1" not in secret and "POINT-1" not in secret
            else:
                assert "K" in text
