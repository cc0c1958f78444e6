"""Customer numbers, dates of birth and one-time codes as people type them, in fi, sv and en.

"1234 5678", "asiakasnumeroni on 12345678"; "1.2.1990", "01.02.1990",
"1990-02-01", "1/2/1990", "1. helmikuuta 1990", "1 februari 1990",
"February 1, 1990"; "123 456". Each parser returns the normalised value or
None; the form then asks again with an explanation.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

CUSTOMER_NUMBER = re.compile(r"(?<![\d.\-/])(\d{4})[ -]?(\d{4})(?![\d.\-/])")
CODE = re.compile(r"(?<![\d.\-/])(\d{3}) ?(\d{3})(?![\d.\-/])")
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[./-]\s?(\d{1,2})\s?[./-]\s?(\d{2,4})(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
DAY_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})(?:\.|st|nd|rd|th|:e|:a)?\s+(?:of\s+)?([a-zåäö]+)\s+(\d{4})(?!\d)")
MONTH_DAY_YEAR = re.compile(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")

# Finnish months by stem ("helmikuuta", "helmikuun"), Swedish and English by name or abbreviation.
MONTH_WORDS = {
    1: ("tammikuu", "januari", "january", "jan"), 2: ("helmikuu", "februari", "february", "feb"),
    3: ("maaliskuu", "mars", "march", "mar"), 4: ("huhtikuu", "april", "apr"),
    5: ("toukokuu", "maj", "may"), 6: ("kesäkuu", "juni", "june", "jun"),
    7: ("heinäkuu", "juli", "july", "jul"), 8: ("elokuu", "augusti", "august", "aug"),
    9: ("syyskuu", "september", "sept", "sep"), 10: ("lokakuu", "oktober", "october", "okt", "oct"),
    11: ("marraskuu", "november", "nov"), 12: ("joulukuu", "december", "dec"),
}
EARLIEST_BIRTH_YEAR = 1900


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().strip()


def parse_customer_number(text: str) -> str | None:
    """The one 8-digit customer number in `text` ("1234 5678" too), else None."""
    found = {first + second for first, second in CUSTOMER_NUMBER.findall(_plain(text))}
    return found.pop() if len(found) == 1 else None


def parse_code(text: str) -> str | None:
    """The one 6-digit one-time code in `text` ("123 456" too), else None."""
    found = {first + second for first, second in CODE.findall(_plain(text))}
    return found.pop() if len(found) == 1 else None


def _month(word: str) -> int | None:
    for number, names in MONTH_WORDS.items():
        for name in names:
            if word == name or (name.endswith("kuu") and word.startswith(name) and len(word) - len(name) <= 3):
                return number
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _candidates(text: str) -> list[dt.date | None]:
    found: list[dt.date | None] = []
    for year, month, day in ISO_DATE.findall(text):
        found.append(_date(int(year), int(month), int(day)))
    for day, month, year in NUMERIC_DATE.findall(ISO_DATE.sub(" ", text)):
        found.append(_date(int(year), int(month), int(day)) if len(year) == 4 else None)
    for day, word, year in DAY_MONTH_YEAR.findall(text):
        month = _month(word)
        if month:
            found.append(_date(int(year), month, int(day)))
    for word, day, year in MONTH_DAY_YEAR.findall(text):
        month = _month(word)
        if month:
            found.append(_date(int(year), month, int(day)))
    return found


def parse_birth_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The one plausible date of birth in `text` (four-digit year, in the past), else None."""
    today = today or dt.date.today()
    dates = {found for found in _candidates(_plain(text))}
    if len(dates) != 1:
        return None
    date = dates.pop()
    if date is None or not (dt.date(EARLIEST_BIRTH_YEAR, 1, 1) <= date <= today):
        return None
    return date


def parse_iso_date(value: object) -> dt.date | None:
    """A date given as YYYY-MM-DD in an API request, else None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    return _date(int(value[:4]), int(value[5:7]), int(value[8:]))
