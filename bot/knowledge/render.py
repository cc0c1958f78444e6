"""Renders answers from the knowledge base in fi, sv or en.

Texts come only from `knowledge/`; this module fills in facts, hours and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.knowledge.hours import ServiceCalendar, public_holidays
from bot.knowledge.store import KnowledgeBase, default_knowledge
from bot.knowledge.templates import fill, placeholders
from bot.settings import SUPPORTED_LANGUAGES, get_settings


class UnknownAnswer(KeyError):
    """No answer text exists for the requested key."""


def _clock(time: dt.time) -> str:
    return f"{time.hour}.{time.minute:02d}"


def _in_running_text(name: str, proper_words: list[str]) -> str:
    """'Helatorstai' -> 'helatorstai', but 'Kristi himmelsfärdsdag' keeps its capital."""
    first_word = name.split(" ", 1)[0]
    return name if first_word in proper_words else name[:1].lower() + name[1:]


class AnswerRenderer:
    """Turns an answer key, a language and the moment into the reply text."""

    def __init__(self, knowledge: KnowledgeBase, timezone: str = "Europe/Helsinki") -> None:
        self.knowledge = knowledge
        self.calendar = ServiceCalendar(knowledge.facts["service_hours"])
        self.timezone = ZoneInfo(timezone)
        self._facts = knowledge.template_facts()

    # -- generic ---------------------------------------------------------
    def has_answer(self, key: str) -> bool:
        return key in self.knowledge.answers

    def _entry(self, key: str) -> Mapping[str, Any]:
        try:
            return self.knowledge.answers[key]
        except KeyError as error:
            raise UnknownAnswer(key) from error

    def _fill(self, template: str, language: str, **extra: str) -> str:
        values: dict[str, str] = dict(self._facts)
        values["hours"] = self.weekly_hours(language)
        values.update(self._dated_facts(language))
        if "urgent_rule" in placeholders(template):
            values["urgent_rule"] = self.part("urgency_rule", "text", language)
        values.update(extra)
        return fill(template, language, values)

    def _dated_facts(self, language: str) -> dict[str, str]:
        """Facts that change, and the day their source was checked, as dates in `language`."""
        protection = self.knowledge.facts["temporary_protection"]
        return {
            "protection_valid_until": self.full_date(_as_date(protection["valid_until_per_source"]), language),
            "protection_checked_on": self.full_date(_as_date(protection["checked_on"]), language),
        }

    def full_date(self, day: dt.date, language: str) -> str:
        """'4.3.2024' in Finnish and Swedish, '4 March 2024' in English."""
        calendar = self.knowledge.calendar
        return calendar["full_date_formats"][language].format(
            d=day.day, m=day.month, y=day.year, month=calendar["months"]["en"][day.month - 1])

    def part(self, key: str, part: str, language: str, **extra: str) -> str:
        """One language's text of `part` ("text", "title", ...) of answer `key`."""
        _check_language(language)
        return self._fill(self._entry(key)[part][language], language, **extra)

    def title(self, key: str, language: str) -> str:
        return self.part(key, "title", language)

    def answer(
        self,
        key: str,
        language: str,
        topic: str | None = None,
        now: dt.datetime | None = None,
    ) -> str:
        """The reply for an FAQ intent; topic and time are used where they matter."""
        if key == "ask_open_now":
            return self.open_now(language, now)
        if key == "ask_exceptional_hours":
            return self.exceptional_hours(language, now)
        if key == "ask_service_number":
            if topic is None:
                return self.part(key, "ask_topic", language)
            return self.service_number(topic, language, now)
        return self.part(key, "text", language)

    # -- hours -------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.now(self.timezone)

    def weekly_hours(self, language: str) -> str:
        periods = [f"{_clock(start)}–{_clock(end)}" for start, end in self.calendar.periods]
        joined = f" {self.knowledge.calendar['list_and'][language]} ".join(periods)
        return self.knowledge.calendar["weekly_hours"][language].format(periods=joined)

    def _date(self, day: dt.date, language: str, weekday_form: str = "weekdays", formats: str = "date_formats") -> str:
        calendar = self.knowledge.calendar
        return calendar[formats][language].format(
            weekday=calendar[weekday_form][language][day.weekday()],
            d=day.day,
            m=day.month,
            month=calendar["months"]["en"][day.month - 1],
        )

    def _day_on(self, day: dt.date, today: dt.date, language: str) -> str:
        """A day as running text names it: "tänään", "i morgon", "maanantaina 1.12.", "on Monday 1 December"."""
        calendar = self.knowledge.calendar
        if day == today:
            return calendar["today"][language]
        if day == today + dt.timedelta(days=1):
            return calendar["tomorrow"][language]
        return self._date(day, language, "weekdays_on", "date_on_formats")

    def _when(self, moment: dt.datetime, today: dt.date, language: str) -> str:
        clock = self.knowledge.calendar["time_format"][language].format(time=_clock(moment.time()))
        return f"{self._day_on(moment.date(), today, language)} {clock}"

    def holiday_name(self, day: dt.date, language: str) -> str:
        name = public_holidays(day.year, language)[day]
        # The library's name where the agency's language says it otherwise ("Trettondag" -> "Trettondagen").
        name = (self.knowledge.calendar.get("holiday_names", {}).get(language) or {}).get(name, name)
        if language == "en":
            return name
        return _in_running_text(name, self.knowledge.calendar["holiday_proper_words"].get(language) or [])

    def open_now(self, language: str, now: dt.datetime | None = None) -> str:
        _check_language(language)
        moment = (now or self.now()).astimezone(self.timezone)
        status = self.calendar.status(moment)
        calendar = self.knowledge.calendar
        if status.is_open:
            until = calendar["time_format"][language].format(time=_clock(status.open_until.time()))
            if language == "en":
                until = until.replace("at ", "", 1)
            return self.part("ask_open_now", "open", language, until=until)
        reason_template = calendar["closed_reasons"][status.reason][language]
        reason = reason_template.format(
            holiday=self.holiday_name(status.holiday, language) if status.holiday else "",
            day=calendar["noon_closing_days"][status.noon_closing_day][language]
            if status.noon_closing_day
            else "",
        )
        next_opening = (
            self._when(status.next_opening, moment.date(), language)
            if status.next_opening
            else "-"
        )
        return self.part(
            "ask_open_now", "closed", language, reason=reason, next_opening=next_opening
        )

    def open_on(self, day: dt.date, language: str, now: dt.datetime | None = None) -> str:
        """Whether, and when, the line is open on one day ("what about Saturday?")."""
        _check_language(language)
        today = (now or self.now()).astimezone(self.timezone).date()
        date = self._day_on(day, today, language)
        periods = self.calendar.periods_on(day)
        if not periods:
            return self.part("ask_open_now", "day_closed", language, date=date)
        joined = f" {self.knowledge.calendar['list_and'][language]} ".join(
            f"{_clock(start)}–{_clock(end)}" for start, end in periods)
        return self.part("ask_open_now", "day_open", language, date=date, periods=joined)

    def exceptional_hours(self, language: str, now: dt.datetime | None = None) -> str:
        _check_language(language)
        today = (now or self.now()).astimezone(self.timezone).date()
        calendar = self.knowledge.calendar
        noon_names = [
            calendar["noon_closing_days"][key][language]
            for key in self.knowledge.facts["service_hours"]["noon_closing_days"]
        ]
        and_word = calendar["list_and"][language]
        noon_days = ", ".join(noon_names[:-1]) + f" {and_word} " + noon_names[-1]
        upcoming = []
        for day in self.calendar.upcoming_exceptions(today):
            date = self._date(day.date, language)
            if day.closed:
                upcoming.append(
                    self.part(
                        "ask_exceptional_hours", "closed_day", language,
                        date=date, name=self.holiday_name(day.date, language),
                    )
                )
            else:
                upcoming.append(self.part("ask_exceptional_hours", "noon_day", language, date=date))
        return self.part(
            "ask_exceptional_hours", "text", language,
            noon_days=noon_days, upcoming="; ".join(upcoming),
        )

    # -- service numbers ----------------------------------------------------
    def service_number(self, topic_id: str, language: str, now: dt.datetime | None = None) -> str:
        topic = self.knowledge.topic(topic_id)
        number = self.knowledge.facts["phone"][topic["number"]]
        # Customer guidance's hours, except for a number the agency's pages give none for.
        part = "text" if topic.get("hours", True) else "text_without_hours"
        text = self.part(
            "ask_service_number", part, language,
            topic_name=topic["name"][language], number=number,
        )
        if topic.get("note"):
            text = f"{text} {self.note(topic['note'], language, now)}"
        return text

    def note(self, key: str, language: str, now: dt.datetime | None = None) -> str:
        """A note on a fact that changes by decision: what the source said while its date is
        ahead (`text`), only where to find the current decision once it has passed."""
        today = (now or self.now()).astimezone(self.timezone).date()
        valid_until = _as_date(self.knowledge.facts["temporary_protection"]["valid_until_per_source"])
        part = "text" if today <= valid_until or "text_after_date" not in self._entry(key) else "text_after_date"
        return self.part(key, part, language)

    def topic_buttons(self, language: str) -> list[tuple[str, str]]:
        """(button title, topic id) for every service-number topic."""
        _check_language(language)
        return [(topic["button"][language], topic["id"]) for topic in self.knowledge.topics]


def _as_date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _check_language(language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")


@lru_cache(maxsize=1)
def default_renderer() -> AnswerRenderer:
    """The process's renderer, built on first use (not at import)."""
    return AnswerRenderer(default_knowledge(), get_settings().timezone)
