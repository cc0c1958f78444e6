"""Every outbound SMS kind fits, in every language, with the longest real values: booking
messages (confirmation, cancellation, move, contact change, reminder) in under three GSM-7
segments, a key resend listing the most bookings a contact may have in at most three, the
verification code in one; and every chat reply an SMS conversation can get is sent whole
with its buttons as the SMS channel sends them, a numbered list after the text (the channel
cuts at three segments from the end, where a warning would be lost)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.booking import OFFERED_TIMES, time_label
from actions.faq import MAX_SUGGESTIONS
from bot.booking.notices import format_when, messages, render_sms
from bot.knowledge.domain_export import buttons
from bot.knowledge.render import default_renderer
from bot.knowledge.templates import fill, placeholders
from bot.settings import REPO_ROOT, get_settings
from bot.sms.text import format_sms, segment_count, to_gsm7
from tests.conftest import LANGUAGES

SEED = yaml.safe_load((REPO_ROOT / "bot" / "booking" / "seed_data.yml").read_text(encoding="utf-8"))
ZONE = ZoneInfo("Europe/Helsinki")
LONGEST_WHEN = dt.datetime(2025, 11, 12, 12, 30)  # a Wednesday ("keskiviikko") in a two-digit month


def longest(values: list[str]) -> str:
    return max(values, key=len)


def longest_values(language: str) -> dict[str, str]:
    return {
        "when": format_when(LONGEST_WHEN, language, ZONE),
        "point": longest([point["names"][language] for point in SEED["service_points"]]),
        "address": longest([point["address"] for point in SEED["service_points"]]),
        "category": longest([category["names"][language] for category in SEED["categories"]]),
        "persons": "6",
        "key": "ABCD-EFGH-JKMN",
    }


SINGLE_BOOKING_KINDS = [kind for kind in messages()["kinds"] if kind != "booking_keys_resend"]


@pytest.mark.parametrize("kind", SINGLE_BOOKING_KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_booking_sms_takes_under_three_segments_uncut(kind, language):
    raw = fill(messages()["kinds"][kind]["sms"][language], language, longest_values(language))
    body = render_sms(kind, language, **longest_values(language))
    assert body == to_gsm7(raw), "the text was cut"
    assert segment_count(body) < 3, (len(body), body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_key_resend_with_the_most_bookings_a_contact_can_have_fits_in_three_segments(language):
    entry = messages()["kinds"]["booking_keys_resend"]
    line = fill(entry["line"][language], language, longest_values(language))
    cap = get_settings().booking_cap_per_contact
    raw = fill(entry["sms"][language], language, {"lines": "\n".join([line] * cap)})
    assert format_sms(raw) == to_gsm7(raw) and segment_count(raw) <= 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_verification_code_sms_is_one_segment(language):
    text = default_renderer().part("status_chat", "code_sms", language, code="123456", minutes=10)
    assert segment_count(to_gsm7(text)) == 1, text


def chat_replies(language: str) -> list[tuple[str, str, list[str]]]:
    """Every answer and chat text an SMS user can get, filled with long values, with the
    titles of the buttons it is sent with."""
    renderer = default_renderer()
    values = {"point": longest_values(language)["point"], "address": longest_values(language)["address"],
              "time": "ke 12.11. klo 12.30", "category": longest_values(language)["category"], "persons": 6,
              "contact": "etunimi.sukunimi@esimerkki.fi", "reservation_key": "ABCD-EFGH-JKMN", "pin": "123456",
              "cities": "Espoo, Helsinki, Joensuu, Jyväskylä, Kuopio, Lahti, Lappeenranta, Oulu, Tampere, Turku",
              "minutes": 10, "attempts": 2, "months": 3, "reason": "x", "next_opening": "y", "until": "z",
              "noon_days": "x", "upcoming": "y", "date": "x", "name": "y", "topic_name": "x", "number": "y",
              "event_on": "1.2.2025", "due": "1.3.2025", "decision_made_on": "1.2.2025",
              "decision_delivered_on": "1.2.2025", "client": "", "type": "x", "submitted_on": "1.2.2025",
              "route": "y", "stage": "z", "initials": "A. B.", "place": "Helsinki", "code": "123456",
              "status": "voimassa", "new": "etunimi.sukunimi@esimerkki.fi", "old": "e***@esimerkki.fi"}

    def titles(key: str) -> list[str]:
        return [button["title"] for button in buttons(renderer, key, language)]

    def part(key: str, name: str) -> str:
        # A value this list does not know yet (a newer text's) gets a plain number.
        texts = renderer.knowledge.answers[key][name]
        extra = {name: 1000 for name in placeholders(texts[language]) if name not in values}
        return renderer.part(key, name, language, **values, **extra)

    replies = [(intent, renderer.answer(intent, language), titles(intent)) for intent in renderer.knowledge.answers
               if intent.startswith("ask_")]
    for key, entry in renderer.knowledge.answers.items():
        if key.startswith("ask_"):
            continue
        for name, texts in entry.items():
            if name not in ("title", "buttons") and isinstance(texts, dict):
                replies.append((f"{key}.{name}", part(key, name), titles(key) if name == "text" else []))
    replies += hand_written_responses(language)
    replies += built_in_code(language, part)
    return replies


def hand_written_responses(language: str) -> list[tuple[str, str, list[str]]]:
    """domain.yml's responses (the rest of the domain is built from knowledge/)."""
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    replies = []
    for name, variations in domain["responses"].items():
        for variation in variations:
            conditions = {c["value"] for c in variation.get("condition") or [] if c.get("name") == "language"}
            if conditions == {language} or (not conditions and language == "en"):
                replies.append((name, variation.get("text") or "",
                                [button["title"] for button in variation.get("buttons") or []]))
    return replies


def built_in_code(language: str, part) -> list[tuple[str, str, list[str]]]:
    """The prompts actions/ build with buttons: topics, categories, suggestions, yes/no, offered times."""
    renderer = default_renderer()
    yes_no = [part("booking_chat", "answer_yes"), part("booking_chat", "answer_no")]
    longest_titles = sorted((renderer.title(key, language) for key, entry in renderer.knowledge.answers.items()
                             if "title" in entry), key=len)[-MAX_SUGGESTIONS:]
    times = [time_label("2025-11-12T12:30:00+02:00", language)] * OFFERED_TIMES
    return [
        ("topic list", renderer.answer("ask_service_number", language),
         [title for title, _ in renderer.topic_buttons(language)]),
        ("categories", part("booking_chat", "ask_category"),
         [category["names"][language] for category in SEED["categories"]]),
        ("suggestions", part("did_you_mean", "text"), [*longest_titles, renderer.title("something_else", language)]),
        ("booking summary", part("booking_chat", "summary"), yes_no),
        ("cancel confirmation", part("booking_chat", "cancel_confirm"), yes_no),
        ("offered times", "\n".join([part("booking_chat", "slots_offer"),
                                      *(f"{n}. {t}" for n, t in enumerate(times, start=1)),
                                      part("booking_chat", "slots_choose")]), times),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chat_reply_is_sent_whole_by_sms(language):
    """As the SMS channel sends it: the text, then its buttons as a numbered list."""
    cut = [(where, segment_count(to_gsm7(text)), len(titles)) for where, text, titles in chat_replies(language)
           if format_sms(text, titles) != format_sms(text, titles, max_segments=99)]
    assert cut == []
