"""Is the telephone guidance open: hours, holidays and the five noon closings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.knowledge.hours import noon_closing_days, public_holidays

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2026, {dt.date(2026, 4, 2), dt.date(2026, 4, 30), dt.date(2026, 6, 18),
                dt.date(2026, 12, 23), dt.date(2026, 12, 31)}),
        (2027, {dt.date(2027, 3, 25), dt.date(2027, 4, 30), dt.date(2027, 6, 24),
                dt.date(2027, 12, 23), dt.date(2027, 12, 31)}),
    ],
)
def test_noon_closing_days(year, expected):
    assert set(noon_closing_days(year)) == expected


@pytest.mark.parametrize(
    ("moment", "is_open", "reason"),
    [
        (at(2026, 11, 23, 9, 0), True, None),            # ordinary Monday morning
        (at(2026, 11, 23, 8, 29), False, "before_hours"),
        (at(2026, 11, 23, 12, 30), False, "lunch"),
        (at(2026, 11, 23, 15, 30), False, "after_hours"),  # closes at 15.30 sharp
        (at(2026, 11, 22, 10, 0), False, "weekend"),
        (at(2026, 4, 2, 11, 59), True, None),             # Maundy Thursday morning
        (at(2026, 4, 2, 13, 30), False, "noon_closing"),  # ... but not after noon
        (at(2026, 4, 3, 10, 0), False, "holiday"),        # Good Friday
        (at(2026, 6, 18, 14, 0), False, "noon_closing"),  # day before Midsummer Eve
        (at(2026, 6, 19, 10, 0), False, "holiday"),       # Midsummer Eve
        (at(2026, 12, 6, 10, 0), False, "holiday"),       # Independence Day (a Sunday)
        (at(2026, 12, 8, 10, 0), True, None),
    ],
)
def test_line_status(renderer, moment, is_open, reason):
    status = renderer.calendar.status(moment)
    assert status.is_open is is_open
    assert status.reason == reason


def test_next_opening_skips_easter(renderer):
    status = renderer.calendar.status(at(2026, 4, 2, 12, 30))
    assert status.next_opening == at(2026, 4, 7, 8, 30)


@pytest.mark.parametrize(
    ("language", "day", "service"),
    [("fi", "kiirastorstai", "asiakasneuvonta"), ("sv", "skärtorsdagen", "kundrådgivningen"),
     ("en", "Maundy Thursday", "customer guidance")],
)
def test_open_now_explains_a_noon_closing_naming_the_service_once(renderer, language, day, service):
    # The closed reason is put into a sentence that already names the service (review round 2).
    reply = renderer.open_now(language, at(2026, 4, 2, 12, 30))
    assert day in reply
    assert reply.lower().count(service) == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "juhannusaatto"), ("sv", "midsommarafton"), ("en", "Midsummer Eve")],
)
def test_open_now_names_the_holiday(renderer, language, expected):
    assert expected in renderer.open_now(language, at(2026, 6, 19, 10))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "klo 12.00 asti"), ("sv", "till kl. 12.00"), ("en", "until 12.00")],
)
def test_open_now_says_until_when(renderer, language, expected):
    assert expected in renderer.open_now(language, at(2026, 11, 23, 9))


def test_exceptional_hours_lists_the_coming_exceptions(renderer):
    text = renderer.exceptional_hours("en", at(2026, 11, 22, 10))
    assert "Wednesday 23 December open until 12.00" in text
    assert "Thursday 24 December closed (Christmas Eve)" in text


def test_a_holiday_named_after_a_person_keeps_its_capital_in_running_swedish(renderer):
    ascension = next(day for day, name in public_holidays(2026, "en").items() if name == "Ascension Day")
    assert renderer.holiday_name(ascension, "sv") == "Kristi himmelsfärdsdag"
    assert renderer.holiday_name(ascension, "fi") == "helatorstai"


def test_holiday_names_read_as_finland_swedish_writes_them(renderer):
    assert renderer.holiday_name(dt.date(2026, 1, 6), "sv") == "trettondagen"
    assert renderer.holiday_name(dt.date(2026, 12, 25), "sv") == "juldagen"
