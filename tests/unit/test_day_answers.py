"""'Are you open?' with a day named ("entä lauantaina?", "and tomorrow?"): that day's hours, in fi, sv and en."""

import datetime as dt

import pytest

from bot.knowledge.render import default_renderer


@pytest.mark.parametrize(("language", "closed", "open_"), [
    ("fi", "Lauantaina 12.12. asiakasneuvonta on suljettu",
     "Maanantaina 14.12. asiakasneuvonta palvelee puhelimitse klo 8.30"),
    ("sv", "På lördag 12.12 är kundrådgivningen stängd",
     "På måndag 14.12 betjänar kundrådgivningen per telefon kl. 8.30"),
    ("en", "On Saturday 12 December, our customer guidance is closed",
     "On Monday 14 December, our customer guidance answers calls"),
])
def test_a_named_day_gets_that_days_hours(language, closed, open_):
    renderer = default_renderer()
    assert renderer.open_on(dt.date(2026, 12, 12), language).startswith(closed)
    assert renderer.open_on(dt.date(2026, 12, 14), language).startswith(open_)
    assert "15.30" not in renderer.open_on(dt.date(2026, 12, 23), language)  # closes at noon
    assert "8.30–12.00" in renderer.open_on(dt.date(2026, 12, 23), language)
    assert "15.30" in renderer.open_on(dt.date(2026, 12, 24), language)  # closed: the usual hours are given


async def test_the_open_now_action_answers_for_the_day_named():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.faq import ActionAnswerFaq

    latest = {"text": "entä lauantaina?", "intent": {"name": "ask_open_now", "confidence": 0.9}, "entities": []}
    tracker = Tracker("t", {"language": "fi"}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Lauantaina")
