"""Service points named in any language or case form, and dates written in fi, sv and en."""

import datetime as dt

import pytest

from bot.booking.places import ServicePointMatcher
from bot.language.dates import parse_date

POINTS = [
    {"id": "helsinki-malmi", "names": {"fi": "Helsingin palvelupiste (Malmi)",
                                       "sv": "Helsingfors (Malm)",
                                       "en": "Helsinki service point (Malmi)"},
     "city": {"fi": "Helsinki", "sv": "Helsingfors", "en": "Helsinki"}},
    {"id": "helsinki-pasila", "names": {"fi": "Helsingin palvelupiste (Pasila)",
                                        "sv": "Helsingfors (Böle)",
                                        "en": "Helsinki service point (Pasila)"},
     "city": {"fi": "Helsinki", "sv": "Helsingfors", "en": "Helsinki"}},
] + [
    {"id": city_id, "names": {"fi": f"{fi}n palvelupiste", "sv": sv, "en": f"{fi} service point"},
     "city": {"fi": fi, "sv": sv, "en": fi}}
    for city_id, fi, sv in [("tampere", "Tampere", "Tammerfors"), ("espoo", "Espoo", "Esbo"), ("turku", "Turku", "Åbo"),
                            ("lahti", "Lahti", "Lahtis"), ("lappeenranta", "Lappeenranta", "Villmanstrand"),
                            ("vantaa", "Vantaa", "Vanda"), ("oulu", "Oulu", "Uleåborg"),
                            ("rovaniemi", "Rovaniemi", "Rovaniemi")]
]


@pytest.mark.parametrize(("text", "expected"), [
    ("Tampereella", ["tampere"]), ("Espooseen", ["espoo"]), ("i Åbo", ["turku"]), ("Lahdessa", ["lahti"]),
    ("Turussa", ["turku"]), ("Lappeenrannassa", ["lappeenranta"]), ("Vantaalla", ["vantaa"]),
    ("Rovaniemellä", ["rovaniemi"]), ("in Oulu please", ["oulu"]), ("Malmilla", ["helsinki-malmi"]),
    ("helsinki pasila", ["helsinki-pasila"]), ("Böle", ["helsinki-pasila"]),
    ("Helsingissä", ["helsinki-malmi", "helsinki-pasila"]), ("Helsingfors", ["helsinki-malmi", "helsinki-pasila"]),
    ("palvelupiste", []), ("2", []), ("Tukholma", []),
])
def test_service_points_in_any_form(text, expected):
    assert [point.id for point in ServicePointMatcher.from_api(POINTS).find(text)] == expected


TODAY = dt.date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize(("text", "expected"), [
    ("huomenna", "2026-11-23"), ("ylihuomenna", "2026-11-24"), ("ensi maanantaina", "2026-11-23"),
    ("perjantaina", "2026-11-27"), ("3.12.", "2026-12-03"), ("3.12.2026", "2026-12-03"), ("joulukuun 3.", "2026-12-03"),
    ("4. joulukuuta", "2026-12-04"), ("mahdollisimman pian", "2026-11-22"), ("i morgon", "2026-11-23"),
    ("på fredag", "2026-11-27"), ("nästa måndag", "2026-11-23"), ("den 3 december", "2026-12-03"),
    ("så snart som möjligt", "2026-11-22"), ("tomorrow", "2026-11-23"), ("next Friday", "2026-11-27"),
    ("3 December", "2026-12-03"), ("December 3rd", "2026-12-03"), ("2026-12-03", "2026-12-03"),
    ("1.1.", "2027-01-01"), ("as soon as possible", "2026-11-22"),
])
def test_dates_in_three_languages(text, expected):
    assert parse_date(text, TODAY) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("text", ["Tampere", "kolme", "31.2.", "", "asdf"])
def test_non_dates(text):
    assert parse_date(text, TODAY) is None
