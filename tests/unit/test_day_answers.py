"""'Are you open?' with a day named ("entä lauantaina?", "and tomorrow?"): that day's hours, in fi, sv and en."""

import datetime as dt

import pytest

from bot.knowledge.render import default_renderer


@pytest.mark.parametrize(("language", "closed", "open_"), [
    ("fi", "Asiakasneuvonta on lauantaina 12.12. suljettu.",
     "Asiakasneuvonta palvelee puhelimitse maanantaina 14.12. klo 8.30"),
    ("sv", "Kundrådgivningen är stängd lördagen den 12.12.",
     "Kundrådgivningen betjänar per telefon måndagen den 14.12 kl. 8.30"),
    ("en", "Our customer guidance is closed on Saturday 12 December.",
     "Our customer guidance answers calls on Monday 14 December at 8.30"),
])
def test_a_named_day_gets_that_days_hours(language, closed, open_):
    renderer = default_renderer()
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=renderer.timezone)
    assert renderer.open_on(dt.date(2026, 12, 12), language, now).startswith(closed)
    assert renderer.open_on(dt.date(2026, 12, 14), language, now).startswith(open_)
    assert "15.30" not in renderer.open_on(dt.date(2026, 12, 23), language, now)  # closes at noon
    assert "8.30–12.00" in renderer.open_on(dt.date(2026, 12, 23), language, now)
    assert "15.30" in renderer.open_on(dt.date(2026, 12, 24), language, now)  # closed: the usual hours are given


@pytest.mark.parametrize(("language", "today", "tomorrow"), [
    ("fi", "Asiakasneuvonta on tänään suljettu.", "Asiakasneuvonta palvelee puhelimitse huomenna klo 8.30"),
    ("sv", "Kundrådgivningen är stängd i dag.", "Kundrådgivningen betjänar per telefon i morgon kl. 8.30"),
    ("en", "Our customer guidance is closed today.", "Our customer guidance answers calls tomorrow at 8.30"),
])
def test_today_and_tomorrow_are_named_so_inside_the_sentence(language, today, tomorrow):
    renderer = default_renderer()
    sunday = dt.datetime(2026, 12, 13, 10, 0, tzinfo=renderer.timezone)
    assert renderer.open_on(dt.date(2026, 12, 13), language, sunday).startswith(today)
    assert renderer.open_on(dt.date(2026, 12, 14), language, sunday).startswith(tomorrow)


async def test_the_open_now_action_answers_for_the_day_named():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.faq import ActionAnswerFaq

    latest = {"text": "entä lauantaina?", "intent": {"name": "ask_open_now", "confidence": 0.9}, "entities": []}
    tracker = Tracker("t", {"language": "fi"}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Asiakasneuvonta")
    assert any(day in dispatcher.messages[0]["text"] for day in ("lauantaina", "tänään", "huomenna"))
