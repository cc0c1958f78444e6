"""Each booking rule once (bot/booking/rules.py): what the chat accepts, the backend accepts."""

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from actions.booking import parse_contact, time_label
from bot.booking import rules
from bot.booking.validation import InvalidInput, parse_email, parse_phone
from bot.settings import REPO_ROOT


def backend_accepts(contact):
    try:
        stored = parse_email(contact["email"]) if "email" in contact else parse_phone(contact["phone"])
    except InvalidInput:
        return False
    return stored == next(iter(contact.values()))


finnish_numbers = st.builds(
    lambda prefix, rest, separator: prefix + separator + separator.join(re.findall(".{1,3}", rest)),
    st.sampled_from(["040", "041", "044", "045", "046", "050", "09", "+358 40", "+35850", "00358 44", "40", "358 40"]),
    st.text("0123456789", min_size=7, max_size=7), st.sampled_from([" ", "-", "", "."]))
typed_anything = st.text(st.characters(whitelist_categories=("Nd", "Zs", "Pd", "Ps", "Pe", "Ll", "Lu", "Po"),
                                       whitelist_characters="+@"), max_size=40)
emails = st.emails()


@settings(max_examples=400, deadline=None)
@given(st.one_of(finnish_numbers, typed_anything, emails, st.builds(str.upper, emails)))
def test_every_contact_the_chat_accepts_the_backend_stores_unchanged(typed):
    contact = parse_contact(typed)
    if contact is not None:
        assert backend_accepts(contact), (typed, contact)


@settings(max_examples=200, deadline=None)
@given(finnish_numbers)
def test_finnish_numbers_as_people_type_them_are_accepted_by_both(typed):
    phone = rules.normalise_phone(typed)
    if phone is not None:  # some generated numbers are not in use in Finland
        assert parse_contact(typed) == {"phone": phone}
        assert phone.startswith("+358")


def test_the_numbers_the_issue_named_now_pass_both_sides():
    for typed in ("40 123 4567", "358401234567", "040 123 4567", "+358 40 123 4567"):
        assert parse_contact(typed) == {"phone": "+358401234567"}
        assert parse_phone(typed) == "+358401234567"


def test_the_persons_limit_is_the_one_users_are_told(knowledge):
    assert rules.MAX_PERSONS == knowledge.facts["booking"]["family_max_persons"]
    assert rules.persons_in_text("kolme") == 3 and rules.persons_in_text("vi är fyra") == 4
    assert rules.persons_in_text("two of us") == 2 and rules.persons_in_text("2 henkeä") == 2
    assert rules.persons_in_text("joku") is None


def test_offered_times_use_the_calendar_words():
    start = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC).isoformat()  # 9.00 in Helsinki
    assert time_label(start, "fi") == "ti 1.12. klo 9.00"
    assert time_label(start, "sv") == "tis 1.12 kl. 9.00"  # Finland-Swedish: no dot after the month
    assert time_label(start, "en") == "Tue 1 Dec at 9:00"


def test_no_booking_rule_is_written_a_second_time():
    """The limits and word lists live in bot/booking/rules.py and knowledge/ only."""
    patterns = {
        "a persons limit": re.compile(r"MAX_PERSONS\s*=\s*\d|BETWEEN 1 AND 6"),
        "a booking horizon": re.compile(r"MAX_DAYS_AHEAD|days_ahead\s*=\s*\d"),
        "a slot search length": re.compile(r"(?<!MAX_)SEARCH_DAYS\s*=\s*\d"),
        "a phone pattern": re.compile(r"PHONE\s*=\s*re\.compile|PHONE_PATTERN\s*=\s*\("),
        "an e-mail pattern": re.compile(r"EMAIL\s*=\s*re\.compile"),
        "number words": re.compile(r"[\"']kaksi[\"']|[\"']två[\"']"),
        "weekday words": re.compile(r"[\"']maanantai[\"']|[\"']tis[\"']"),
    }
    found = []
    for folder in ("actions", "bot", "channels"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if path == REPO_ROOT / "bot" / "booking" / "rules.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(REPO_ROOT)}: {what}" for what, pattern in patterns.items()
                      if pattern.search(text)]
    assert found == []


async def test_the_no_free_times_reply_names_the_days_the_chat_searched(monkeypatch):
    """The search's length is one fact (facts.yml booking.search_days): the request and the reply use it."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import booking
    from bot.booking.client import Outcome

    asked = []

    class NoTimes:
        async def slots(self, **query):
            asked.append(query)
            return Outcome(200, {"items": []})

    monkeypatch.setattr(booking, "booking_client", lambda: NoTimes())
    day = dt.date(2030, 3, 4)
    for language in ("fi", "sv", "en"):
        tracker = Tracker("s", {"language": language, "booking_service_point": "tampere",
                                "booking_service_point_name": "Tampere", "booking_persons": 1.0}, {}, [], False,
                          None, {"name": "booking_form"}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = await booking.ValidateBookingForm()._offer(dispatcher, tracker, day)
        assert events["booking_date"] is None
        assert f" {rules.search_days()} " in dispatcher.messages[0]["text"]
    assert {query["date_to"] for query in asked} == {(day + dt.timedelta(days=rules.search_days())).isoformat()}
