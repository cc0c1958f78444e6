"""Service hours: is the telephone guidance open at a given moment, and when next.

Computed from `knowledge/facts.yml` (weekly periods, noon-closing days),
Finland's public holidays (python-holidays, country FI) and the agency's five
noon-closing days, which are not public holidays and are derived here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import holidays
from dateutil.easter import easter

Period = tuple[dt.time, dt.time]

# python-holidays names its languages a little differently from ours.
HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


def noon_closing_days(year: int) -> dict[dt.date, str]:
    """The five days a year the service closes at noon, keyed by date."""
    maundy_thursday = easter(year) - dt.timedelta(days=3)
    # Midsummer Eve is the Friday between 19 and 25 June.
    midsummer_eve = next(
        dt.date(year, 6, day) for day in range(19, 26) if dt.date(year, 6, day).weekday() == 4
    )
    return {
        maundy_thursday: "maundy_thursday",
        dt.date(year, 4, 30): "may_day_eve",
        midsummer_eve - dt.timedelta(days=1): "day_before_midsummer_eve",
        dt.date(year, 12, 23): "day_before_christmas_eve",
        dt.date(year, 12, 31): "new_years_eve",
    }


@lru_cache(maxsize=32)
def public_holidays(year: int, language: str = "en") -> Mapping[dt.date, str]:
    """Finland's public holidays of a year with their names in `language`."""
    names = holidays.Finland(years=year, language=HOLIDAY_LANGUAGES[language])
    return dict(names.items())


def _parse_time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class LineStatus:
    """Whether the line is open at a moment, and why not if it is closed."""

    is_open: bool
    open_until: dt.datetime | None
    reason: str | None  # holiday, weekend, lunch, before_hours, after_hours, noon_closing
    holiday: dt.date | None
    noon_closing_day: str | None
    next_opening: dt.datetime | None


@dataclass(frozen=True)
class ExceptionalDay:
    """A weekday on which the service is closed or closes at noon."""

    date: dt.date
    closed: bool
    noon_closing_day: str | None  # key in calendar.yml when closing at noon


class ServiceCalendar:
    """Opening periods per day, from the facts' weekly hours and exceptions."""

    def __init__(self, service_hours: Mapping) -> None:
        self.weekdays = frozenset(service_hours["weekdays"])
        self.periods: list[Period] = [
            (_parse_time(start), _parse_time(end)) for start, end in service_hours["periods"]
        ]
        self.noon = _parse_time(service_hours["noon_closing_time"])

    def is_public_holiday(self, day: dt.date) -> bool:
        return day in public_holidays(day.year)

    def periods_on(self, day: dt.date) -> list[Period]:
        """Opening periods of one day: none on weekends and public holidays."""
        if day.weekday() not in self.weekdays or self.is_public_holiday(day):
            return []
        if day in noon_closing_days(day.year):
            return [
                (start, min(end, self.noon)) for start, end in self.periods if start < self.noon
            ]
        return list(self.periods)

    def status(self, now: dt.datetime) -> LineStatus:
        """The line's status at `now` (an aware datetime in the service's zone)."""
        today = now.date()
        moment = now.time()
        periods = self.periods_on(today)
        next_opening = self.next_opening(now)
        noon_key = noon_closing_days(today.year).get(today)
        for start, end in periods:
            if start <= moment < end:
                until = dt.datetime.combine(today, end, tzinfo=now.tzinfo)
                return LineStatus(True, until, None, None, None, next_opening)
        if self.is_public_holiday(today):
            reason = "holiday"
        elif not periods:
            reason = "weekend"
        elif moment < periods[0][0]:
            reason = "before_hours"
        elif noon_key and moment >= self.noon:
            reason = "noon_closing"
        elif moment >= periods[-1][1]:
            reason = "after_hours"
        else:
            reason = "lunch"
        holiday = today if reason == "holiday" else None
        return LineStatus(False, None, reason, holiday, noon_key, next_opening)

    def next_opening(self, now: dt.datetime, horizon_days: int = 31) -> dt.datetime | None:
        """The first period start after `now`, looking ahead up to `horizon_days`."""
        for offset in range(horizon_days + 1):
            day = now.date() + dt.timedelta(days=offset)
            for start, _ in self.periods_on(day):
                opening = dt.datetime.combine(day, start, tzinfo=now.tzinfo)
                if opening > now:
                    return opening
        return None

    def upcoming_exceptions(self, today: dt.date, count: int = 3) -> list[ExceptionalDay]:
        """The next `count` weekdays (from today) that are holidays or close at noon."""
        found: list[ExceptionalDay] = []
        day = today
        while len(found) < count and day < today + dt.timedelta(days=400):
            if day.weekday() in self.weekdays:
                noon_key = noon_closing_days(day.year).get(day)
                if self.is_public_holiday(day):
                    found.append(ExceptionalDay(day, True, None))
                elif noon_key:
                    found.append(ExceptionalDay(day, False, noon_key))
            day += dt.timedelta(days=1)
        return found
