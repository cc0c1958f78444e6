"""Templates that survive filled-in values: every text rendered with short, long, singular
and plural values in each language leaves no placeholder, double space or "1 attempts"; with
the real values the code fills in (dates ending in a full stop, names in brackets), and as the
code builds whole replies, no ".." and no bracket inside a bracket."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.booking import time_label
from bot.booking.notices import format_when, messages, render
from bot.cases.messages import status_messages
from bot.cases.seed import seed_data as case_seed
from bot.knowledge.catalogue import all_texts
from bot.knowledge.hours import public_holidays
from bot.knowledge.places import listed_places, place_name
from bot.knowledge.render import AnswerRenderer, default_renderer
from bot.knowledge.store import load_knowledge
from bot.knowledge.templates import fill, placeholders
from bot.settings import REPO_ROOT
from tests.conftest import LANGUAGES

NUMBERS = (1, 2, 12)
# Values as long as real ones get: the longest service point, address and time label.
SHORT, LONG = "A", "Helsingin palvelupiste (Pasila), Malmin raitti 17 A, 00700 Helsinki"
NUMERIC = re.compile(r"^(attempts|minutes|persons|count|limit|page|pages|d|m|y|hour|minute|months|"
                     r"family_max_persons|booking_months_ahead|booking_search_days|urgent_within_months|employer_reply_weeks)$")
# A number 1 followed by a plural word form, per language.
SINGULAR_MISTAKES = {
    "fi": re.compile(r"(?<![\d.,])1 (henkilöä|yritystä|minuuttia|kuukautta|viikkoa|päivää|tuntia|merkkiä|numeroa|"
                     r"keskustelua|viestiä)\b"),
    "sv": re.compile(r"(?<![\d.,])1 (personer|minuter|månader|veckor|dagar|timmar|tecken|samtal|försöken)\b"),
    "en": re.compile(r"(?<![\d.,])1 (attempts|minutes|months|weeks|days|hours|people|persons|characters|digits|"
                     r"conversations|messages)\b"),
}


def plural_names(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+):[^{}]*\|[^{}]*\}", template))


def value_sets(template: str) -> list[dict[str, object]]:
    names = placeholders(template)
    numeric = {name for name in names if NUMERIC.match(name)} | plural_names(template)
    return [{name: (number if name in numeric else text) for name in names}
            for number in NUMBERS for text in (SHORT, LONG)]


def problems(text: str, language: str) -> list[str]:
    found = []
    if "{" in text or "}" in text:
        found.append("placeholder left")
    if re.search(r"[^\S\n]{2,}", text):
        found.append("double space")
    if re.search(r"\s[,.;:!?)](?!\w)", text) or "()" in text:
        found.append("space before punctuation or empty brackets")
    if SINGULAR_MISTAKES[language].search(text):
        found.append("plural form after 1")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_cleanly_with_short_long_singular_and_plural_values(language):
    failures = []
    for text in all_texts():
        if text.language != language:
            continue
        for values in value_sets(text.template):
            rendered = fill(text.template, language, values)
            failures += [f"{text.where} {values}: {problem}: {rendered!r}" for problem in problems(rendered, language)]
    assert failures == []


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_answer_renders_with_its_facts_at_one_and_more(language, number):
    """The numbers in facts.yml (months, weeks, persons) may become 1 one day: the answers still read right."""
    knowledge = load_knowledge()
    facts = copy.deepcopy(dict(knowledge.facts))
    facts["booking"].update(family_max_persons=number, months_ahead=number, urgent_within_months=number,
                            search_days=number)
    facts["employer_reply_weeks"] = number
    renderer = AnswerRenderer(dataclasses.replace(knowledge, facts=facts))
    failures = []
    for key, entry in knowledge.answers.items():
        for part, texts in entry.items():
            if not isinstance(texts, dict) or part == "buttons":
                continue  # e.g. an answer's button payloads: no text of any language
            template = texts[language]
            values = value_sets(template)[-1]
            values = {name: value for name, value in values.items() if name not in renderer._facts}
            rendered = renderer.part(key, part, language, **values)
            failures += [f"{key}.{part}: {problem}: {rendered!r}" for problem in problems(rendered, language)]
    assert failures == []


@pytest.mark.parametrize(("language", "one", "two"), [
    ("fi", "Koodi on voimassa 1 minuutin.", "Koodi on voimassa 2 minuuttia."),
    ("sv", "Koden gäller i 1 minut.", "Koden gäller i 2 minuter."),
    ("en", "It is valid for 1 minute.", "It is valid for 2 minutes."),
])
def test_plural_forms_follow_the_number(language, one, two):
    templates = {"fi": "Koodi on voimassa {n} {n:minuutin|minuuttia}.", "sv": "Koden gäller i {n} {n:minut|minuter}.",
                 "en": "It is valid for {n} {n:minute|minutes}."}
    assert fill(templates[language], language, {"n": 1}) == one
    assert fill(templates[language], language, {"n": "2"}) == two


def test_the_check_catches_what_the_editor_found():
    assert problems("You have 1 attempts left.", "en") and problems("Yrityksiä on 1 henkilöä", "fi")
    assert problems("Lediga tider ():", "sv") and problems("a  b", "en") and problems("{x}", "en")
    assert not problems("Yrityksiä jäljellä: 1.", "fi")


# A day value: "tänään" / "i dag" / "today" or "maanantaina 1.12." / "måndagen den 1.12" / "on Monday
# 1 December" (knowledge/calendar.yml date_on_formats), so it never starts a sentence and takes no
# preposition of its own. A Swedish numeric date in running text takes "den" ("den 3.12.2025"), and
# the preterite, not the perfect ("avgjordes den", not "har avgjorts").
DAY_VALUE = r"\{(date|next_opening)\}"
SV_DATE_VALUE = (r"\{(event_on|due|decision_made_on|decision_delivered_on|"
                 r"protection_checked_on|protection_valid_until)\}")


def day_value_problems(template: str, language: str) -> list[str]:
    found = []
    if re.search(r"[.!?]\s+" + DAY_VALUE, template) or (
            re.match(DAY_VALUE, template) and template.rstrip().endswith((".", "?", "!"))):
        found.append("a sentence starts with a day value")
    if language == "sv" and re.search(r"\b[Pp]å " + DAY_VALUE, template):
        found.append("'på' before a day value")
    if language == "en" and re.search(r"\b[Oo]n " + DAY_VALUE, template):
        found.append("'on' before a day value that has it")
    if language == "sv" and re.search(r"(?<![Dd]en )(?<!: )" + SV_DATE_VALUE, template):
        found.append("a Swedish date without 'den'")
    if language == "sv" and re.search(r"\bhar \w+( \w+){0,3} den \{(event_on|decision_made_on|decision_delivered_on)\}",
                                      template):
        found.append("perfect tense with a date")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_day_and_date_values_sit_where_any_value_reads_right(language):
    failures = [f"{text.where}: {problem}" for text in all_texts() if text.language == language
                for problem in day_value_problems(text.template, language)]
    assert failures == []


def test_the_day_value_check_catches_what_the_editors_found():
    assert day_value_problems("{date} asiakasneuvonta on suljettu.", "fi")
    assert day_value_problems("På {date} är kundrådgivningen stängd.", "sv")
    assert day_value_problems("On {date}, our customer guidance is closed.", "en")
    assert day_value_problems("Ansökan har avgjorts {decision_made_on}.", "sv")
    assert day_value_problems("Vi har begärt en tilläggsutredning den {event_on}.", "sv")
    assert not day_value_problems("Kundrådgivningen är stängd {date}. Ansökan avgjordes den {decision_made_on}.", "sv")
    assert not day_value_problems("{date} suljettu ({name})", "fi")


# -- Real values: what the code fills in, with its edges ---------------------------------------------------
# A Finnish date without a year ends in a full stop ("lauantaina 12.12."), initials too ("A. B."), and the
# service points' names carry brackets ("Helsingin palvelupiste (Pasila)"). Every text is rendered with each
# real value of each of its placeholders (the others at their first real value), and every whole reply the
# code builds is rendered for every day of a year: no ".." and no bracket inside a bracket (round 6: "suljettu
# lauantaina 12.12..", "alkaen (Helsingin palvelupiste (Pasila))").
SEED = yaml.safe_load((REPO_ROOT / "bot" / "booking" / "seed_data.yml").read_text(encoding="utf-8"))
ZONE = ZoneInfo("Europe/Helsinki")
YEAR = [dt.date(2026, 1, 1) + dt.timedelta(days=offset) for offset in range(366)]
PLAIN = "Esimerkki Arvo"  # a value no list below knows: no full stop, no bracket


def punctuation_problems(text: str) -> list[str]:
    found = []
    if re.search(r"(?<!\.)\.\.(?!\.)", text):
        found.append("double full stop")
    depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth > 1:
            found.append("a bracket inside a bracket")
            break
    return found


@lru_cache(maxsize=3)
def real_values(language: str) -> dict[str, list[str]]:
    """Each placeholder's real values in `language`, as the code makes them."""
    renderer = default_renderer()
    calendar = renderer.knowledge.calendar
    today = YEAR[0]
    points = [point["names"][language] for point in SEED["service_points"]]
    cities = sorted({point["city"][language] for point in SEED["service_points"]})
    moments = [dt.datetime.combine(day, dt.time(9, 30)) for day in YEAR[:14]]
    full_dates = [renderer.full_date(day, language) for day in (dt.date(2026, 1, 1), dt.date(2026, 12, 31))]
    holidays = sorted({renderer.holiday_name(day, language) for day in public_holidays(2026, language)})
    initials = ["A. B.", "M."]
    place = [place_name(name, language) for names in listed_places() for name in names.values()]
    values = {
        "point": points,
        "address": [point["address"] for point in SEED["service_points"]],
        "place": place,
        "cities": [", ".join(cities), cities[0]],
        "category": [category["names"][language] for category in SEED["categories"]],
        "when": [format_when(moment, language, ZONE) for moment in moments],
        "time": [time_label(moment.replace(tzinfo=dt.UTC).isoformat(), language) for moment in moments]
        + ["8.30", "12.00"],
        "date": [renderer._day_on(day, today, language) for day in YEAR[:10]]
        + [renderer._date(day, language) for day in YEAR[:10]],
        "next_opening": [renderer._when(dt.datetime.combine(day, dt.time(8, 30)), today, language)
                         for day in YEAR[:10]],
        "until": [calendar["time_format"][language].format(time="15.30")],
        "periods": ["8.30–12.00", f"8.30–12.00 {calendar['list_and'][language]} 13.00–15.30"],
        "holiday": holidays, "name": holidays,
        "day": [names[language] for names in calendar["noon_closing_days"].values()],
        "event_on": full_dates, "due": full_dates, "decision_made_on": full_dates,
        "decision_delivered_on": full_dates, "submitted_on": full_dates,
        "initials": initials,
        "client": ["", *(renderer.part("status_chat", "client", language, initials=i) for i in initials)],
        "route": [renderer.part("status_terms", key, language) for key in
                  ("route_online", "route_service_point_unnamed", "route_mission_unnamed")]
        + [renderer.part("status_terms", key, language, place=where) for where in place
           for key in ("route_service_point", "route_mission")],
        "type": [renderer.part("status_terms", "first_permit_work", language)],
        "stage": [renderer.part("status_terms", f"stage_{stage}", language, event_on=full_dates[0],
                                due=full_dates[0], decision_made_on=full_dates[0],
                                decision_delivered_on=full_dates[0])
                  for stage in ("received", "processing", "additional_info_requested", "decision_made",
                                "decision_delivered")],
        "topic_name": [topic["name"][language] for topic in renderer.knowledge.topics],
        "number": list(renderer.knowledge.facts["phone"].values()),
        "contact": ["etunimi.sukunimi@esimerkki.fi", "+358 40 123 4567"],
        "new": ["etunimi.sukunimi@esimerkki.fi", "+358 40 123 4567"],
        "old": ["e***@esimerkki.fi", "+358 40 *** **67"],
        "status": [renderer.part("booking_chat", name, language) for name in ("status_active", "status_cancelled")],
        "key": ["ABCD-EFGH-JKMN"], "reservation_key": ["ABCD-EFGH-JKMN"], "pin": ["123456"], "code": ["123456"],
    }
    line = messages()["kinds"]["booking_keys_resend"]["line"][language]
    values["lines"] = ["\n".join(fill(line, language, {"key": "ABCD-EFGH-JKMN", "when": when, "point": point})
                                 for when, point in zip(values["when"][:3], points[:3], strict=True))]
    return values


def real_renderings(template: str, language: str) -> list[tuple[dict[str, object], str]]:
    """The template filled with each real value of each of its placeholders in turn (facts as they are)."""
    renderer = default_renderer()
    known = real_values(language)
    facts = {**renderer._facts, **renderer._dated_facts(language), "hours": renderer.weekly_hours(language),
             "urgent_rule": renderer.part("urgency_rule", "text", language)}
    names = placeholders(template) - set(facts)
    numeric = {name for name in names if NUMERIC.match(name)} | plural_names(template)
    base = {name: 12 if name in numeric or name in ("d", "m", "y", "hour", "minute") else
            (known[name][0] if name in known else PLAIN) for name in names}
    variants = [base] + [{**base, name: value} for name in names if name in known for value in known[name][1:]]
    return [(values, fill(template, language, {**facts, **values})) for values in variants]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_reads_right_with_every_real_value(language):
    failures = [f"{text.where} {values}: {problem}: {rendered!r}"
                for text in all_texts() if text.language == language
                for values, rendered in real_renderings(text.template, language)
                for problem in problems(rendered, language) + punctuation_problems(rendered)]
    assert failures == []


def whole_replies(language: str) -> list[tuple[str, str]]:
    """Replies as the code builds them: hours for every day of a year, every service number, status answers,
    booking messages for every service point."""
    renderer = default_renderer()
    replies = []
    for day in YEAR:
        for hour in (7, 10, 12, 14, 17):
            now = dt.datetime.combine(day, dt.time(hour, 15), tzinfo=renderer.timezone)
            replies.append((f"open_now {now}", renderer.open_now(language, now)))
        now = dt.datetime.combine(day, dt.time(9), tzinfo=renderer.timezone)
        replies.append((f"open_on {day}", renderer.open_on(day + dt.timedelta(days=3), language, now)))
        replies.append((f"open_on today {day}", renderer.open_on(day, language, now)))
        if day.day in (1, 15):
            replies.append((f"exceptional_hours {day}", renderer.exceptional_hours(language, now)))
    replies += [(f"service_number {topic['id']}", renderer.service_number(topic["id"], language))
                for topic in renderer.knowledge.topics]
    people = case_seed()["applicants"]
    for person in people:
        for index, application in enumerate(person["applications"]):
            case = {"type": application["type"], "stage": application["stage"], "submitted_on": "2026-01-02",
                    "submitted_via": application["via"], "submitted_place": application.get("place"),
                    "last_event_on": "2026-03-01", "additional_info_due": "2026-04-01",
                    "decision_made_on": "2026-03-02", "decision_delivered_on": "2026-03-09",
                    "client_initials": "A. B." if index else None}
            if application["type"] in ("asylum", "refugee_travel_document"):
                continue  # never shown (bot/cases/status.py)
            replies += [(f"status {person['customer_number']}", text)
                        for text in status_messages({"role": "applicant", "applications": [case]}, language,
                                                    renderer)]
    for point in SEED["service_points"]:
        values = {"when": format_when(dt.datetime(2026, 3, 4, 7, 30), language, ZONE),
                  "point": point["names"][language], "address": point["address"], "persons": "2",
                  "key": "ABCD-EFGH-JKMN", "category": SEED["categories"][1]["names"][language]}
        for kind, entry in messages()["kinds"].items():
            if kind != "booking_keys_resend":
                replies.append((f"{kind} {point['id']}", render(kind, language, **values)[1]))
                replies.append((f"{kind}.sms {point['id']}", fill(entry["sms"][language], language, values)))
        replies.append((f"no_slots {point['id']}",
                        renderer.part("booking_chat", "no_slots", language, point=point["names"][language])))
    return replies


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_the_code_builds_reads_right(language):
    failures = [f"{where}: {problem}: {text!r}" for where, text in whole_replies(language)
                for problem in problems(text, language) + punctuation_problems(text)]
    assert failures == []


def test_the_real_value_checks_catch_what_the_editors_found():
    assert punctuation_problems("Asiakasneuvonta on suljettu lauantaina 12.12.. Palveluajat ovat …")
    assert punctuation_problems("Vapaita aikoja ei ole alkaen (Helsingin palvelupiste (Pasila)).")
    assert not punctuation_problems("Asiakasneuvonta on lauantaina 12.12. suljettu. Odota... (Pasila) (Malmi)")
    old_day_closed = "Asiakasneuvonta on suljettu {date}. Palveluajat ovat {hours}."
    assert any(punctuation_problems(text) for _, text in real_renderings(old_day_closed, "fi"))
    old_no_slots = "Vapaita aikoja ei ole valitsemastasi päivästä alkaen ({point}). Uusia aikoja tulee."
    assert any(punctuation_problems(text) for _, text in real_renderings(old_no_slots, "fi"))
