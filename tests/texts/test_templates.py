"""Templates that survive filled-in values: every text rendered with short, long, singular
and plural values in each language leaves no placeholder, double space or "1 attempts"."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from bot.knowledge.catalogue import all_texts
from bot.knowledge.render import AnswerRenderer
from bot.knowledge.store import load_knowledge
from bot.knowledge.templates import fill, placeholders
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
