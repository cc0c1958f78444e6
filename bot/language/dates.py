"""Dates as applicants write them in Finnish, Swedish and English.

"huomenna", "ensi maanantaina", "3.12.", "i morgon", "på fredag", "next Friday",
"3 December", "joulukuun 3." and "as soon as possible" all become a calendar
date (the earliest day the user wants); anything else is None, so the form can
ask again with an example. The weekday and month names are in
knowledge/calendar.yml (`reading`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from bot.booking.rules import month_names, weekday_names

ASAP = re.compile(
    r"\b(asap|as soon as possible|soonest|earliest|first (free|available)|any ?time|whenever|"
    r"mahdollisimman (pian|nopeasti|aikaisin)|heti|pikaisesti|ensimmäinen vapaa|aikaisin mahdollinen|"
    r"milloin (vain|tahansa)|så snart som möjligt|snarast|första lediga|när som helst|genast)\b")
TODAY = re.compile(r"\b(today|tänään|idag|i dag)\b")
TOMORROW = re.compile(r"\b(tomorrow|huomenna|huominen|imorgon|i morgon)\b")
DAY_AFTER = re.compile(r"\b(day after tomorrow|ylihuomenna|i övermorgon|iövermorgon)\b")
NEXT_WEEK = re.compile(r"\b(next week|ensi viikolla|ensi viikko|tulevalla viikolla|nästa vecka|kommande vecka)\b")

NUMERIC = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4})?)?(?!\d)")
ORDINAL_SUFFIX = re.compile(r"(\d{1,2})(?:st|nd|rd|th|:e|:a)\b")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zåäöé]+", text)


def _weekday(word: str) -> int | None:
    for number, names in enumerate(weekday_names()):
        for name in names:
            # Finnish case endings: maanantaina, maanantaihin; Swedish: måndagen, måndags
            if word == name or (len(name) > 3 and word.startswith(name) and len(word) - len(name) <= 4):
                return number
    return None


def _month(word: str) -> int | None:
    for number, names in enumerate(month_names(), 1):
        for name in names:
            if word == name:
                return number
            # joulukuun, joulukuuta, joulukuussa; decembers
            if len(name) > 4 and word.startswith(name) and len(word) - len(name) <= 3:
                return number
    return None


def _next_weekday(today: dt.date, weekday: int) -> dt.date:
    days = (weekday - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=days)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _with_year(today: dt.date, month: int, day: int, year: int | None) -> dt.date | None:
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """The date `text` names, relative to `today`; None when it names none."""
    lowered = unicodedata.normalize("NFC", text).lower().strip()
    if ASAP.search(lowered) or TODAY.search(lowered):
        return today
    if DAY_AFTER.search(lowered):
        return today + dt.timedelta(days=2)
    if TOMORROW.search(lowered):
        return today + dt.timedelta(days=1)
    numeric = NUMERIC.search(lowered)
    if numeric:
        if numeric.group(1):
            return _safe_date(int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
        year = int(numeric.group(6)) if numeric.group(6) else None
        return _with_year(today, int(numeric.group(5)), int(numeric.group(4)), year)
    words = _words(lowered)
    month = next((found for found in map(_month, words) if found), None)
    if month:
        day = re.search(r"\b(\d{1,2})\b", ORDINAL_SUFFIX.sub(r"\1", lowered))
        year = re.search(r"\b(20\d\d)\b", lowered)
        if day:
            return _with_year(today, month, int(day.group(1)), int(year.group(1)) if year else None)
        return None
    weekday = next((found for found in map(_weekday, words) if found is not None), None)
    if weekday is not None:
        return _next_weekday(today, weekday)
    if NEXT_WEEK.search(lowered):
        return _next_weekday(today, 0)
    return None
