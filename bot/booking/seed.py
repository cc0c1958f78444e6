"""Reference data on start: categories, service points and opening hours from seed_data.yml,
and bookable slots for the coming months (extended forward on every start).

Idempotent: rows are merged by id, and slots are generated only after the last
day that already has them. No slots on weekends the point is closed, on
Finland's public holidays, or after noon on the agency's noon-closing days.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.models import Category, OpeningHours, ServicePoint, Slot, service_point_categories
from bot.knowledge.hours import noon_closing_days, public_holidays

log = logging.getLogger(__name__)
SEED_FILE = Path(__file__).with_name("seed_data.yml")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NOON = dt.time(12, 0)


@lru_cache(maxsize=1)
def seed_data() -> dict[str, Any]:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def seed_reference_data(session: Session) -> None:
    """Categories, service points, their categories and opening hours, as in the seed file."""
    data = seed_data()
    for position, item in enumerate(data["categories"]):
        session.merge(Category(id=item["id"], name_fi=item["names"]["fi"], name_sv=item["names"]["sv"],
                               name_en=item["names"]["en"], urgency_possible=item["urgency_possible"],
                               position=position))
    session.flush()
    for position, item in enumerate(data["service_points"]):
        session.merge(ServicePoint(
            id=item["id"], name_fi=item["names"]["fi"], name_sv=item["names"]["sv"], name_en=item["names"]["en"],
            city_fi=item["city"]["fi"], city_sv=item["city"]["sv"], city_en=item["city"]["en"],
            address=item["address"], slot_minutes=item["slot_minutes"], slot_capacity=item["capacity"],
            position=position,
        ))
        session.flush()
        point_id = item["id"]
        session.execute(delete(service_point_categories).where(service_point_categories.c.service_point_id == point_id))
        session.execute(insert(service_point_categories),
                        [{"service_point_id": point_id, "category_id": category} for category in item["categories"]])
        session.execute(delete(OpeningHours).where(OpeningHours.service_point_id == point_id))
        for day, span in item["hours"].items():
            opens, closes = span.split("-")
            session.add(OpeningHours(service_point_id=point_id, weekday=WEEKDAYS.index(day), opens=opens,
                                     closes=closes))
    session.flush()


def day_slots(day: dt.date, opens: dt.time, closes: dt.time, minutes: int,
              zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in naive UTC of the slots one day, given local opening hours."""
    if day in noon_closing_days(day.year):
        closes = min(closes, NOON)
    slots = []
    start = dt.datetime.combine(day, opens, tzinfo=zone)
    close = dt.datetime.combine(day, closes, tzinfo=zone)
    step = dt.timedelta(minutes=minutes)
    while start + step <= close:
        end = start + step
        slots.append((start.astimezone(dt.UTC).replace(tzinfo=None), end.astimezone(dt.UTC).replace(tzinfo=None)))
        start = end
    return slots


def generate_slots(session: Session, today: dt.date, horizon_days: int, zone: ZoneInfo) -> int:
    """Adds slots from after each point's last slotted day (or today) to today + horizon; returns how many."""
    last_day = today + dt.timedelta(days=horizon_days)
    hours: dict[str, dict[int, tuple[dt.time, dt.time]]] = {}
    for row in session.execute(select(OpeningHours)).scalars():
        hours.setdefault(row.service_point_id, {})[row.weekday] = (_time(row.opens), _time(row.closes))
    latest = dict(session.execute(
        select(Slot.service_point_id, func.max(Slot.start)).group_by(Slot.service_point_id)).all())
    rows: list[dict[str, Any]] = []
    for point in session.execute(select(ServicePoint)).scalars():
        first_day = today
        if latest.get(point.id) is not None:
            last_local = latest[point.id].replace(tzinfo=dt.UTC).astimezone(zone).date()
            first_day = max(today, last_local + dt.timedelta(days=1))
        day = first_day
        while day <= last_day:
            opening = hours.get(point.id, {}).get(day.weekday())
            if opening and day not in public_holidays(day.year):
                for start, end in day_slots(day, opening[0], opening[1], point.slot_minutes, zone):
                    rows.append({"service_point_id": point.id, "start": start, "end": end,
                                 "capacity": point.slot_capacity, "booked": 0})
            day += dt.timedelta(days=1)
    for index in range(0, len(rows), 5000):
        session.execute(insert(Slot), rows[index:index + 5000])
    return len(rows)


def seed(database, today: dt.date, horizon_days: int, zone: ZoneInfo) -> int:  # type: ignore[no-untyped-def]
    """Seeds in one transaction; a second process seeding at the same moment makes us retry once."""
    def work(session: Session) -> int:
        seed_reference_data(session)
        return generate_slots(session, today, horizon_days, zone)

    try:
        added = database.transaction(work)
    except IntegrityError:
        added = database.transaction(work)
    log.info("booking seed: %d new slots up to %s", added, today + dt.timedelta(days=horizon_days))
    return added
