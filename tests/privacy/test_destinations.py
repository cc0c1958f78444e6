"""One redaction pass before anything leaves the process: the conversation store, the event broker,
the logs; status answers stored as a placeholder."""

import asyncio
import logging
import sqlite3

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.logs import RedactingFilter, install_log_redaction
from bot.privacy.spans import STATUS, STATUS_ANSWER_KEY
from bot.privacy.tracker_store import RedactingSQLTrackerStore

TYPED = "Mun nimi on Omar Haddad, asun Hämeenkatu 5 A 7, 33100 Tampere, passi AB9876543, IBAN FI2112345600000785"
SECRETS = ["Omar", "Haddad", "Hämeenkatu", "AB9876543", "FI2112345600000785", "1234 5678"]


class CollectingBroker(EventBroker):
    """An event broker that keeps what it is sent (a unit-test stand-in for Pika or Kafka)."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)

    def is_ready(self) -> bool:
        return True


def conversation() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("privacy-1", [
        ActionExecuted("action_listen"), UserUttered(TYPED, parse_data={"text": TYPED}),
        BotUttered("Hakemuksesi (oleskelulupa, jätetty 3.2.2025) on käsittelyssä.",
                   metadata={STATUS_ANSWER_KEY: True}),
        BotUttered("Kiitos, Omar Haddad!"), SlotSet("customer_number", "1234 5678"),
    ])


def test_the_event_broker_gets_the_redacted_events_only(tmp_path):
    broker = CollectingBroker()
    store = RedactingSQLTrackerStore(Domain.empty(), event_broker=broker, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(store.save(conversation()))
    sent = str(broker.published)
    assert len(broker.published) == 5 and [s for s in SECRETS if s in sent] == []
    assert "[NAME]" in sent and "[ADDRESS]" in sent and "[PASSPORT]" in sent and "[IBAN]" in sent
    with sqlite3.connect(tmp_path / "t.db") as database:
        stored = " ".join(data for (data,) in database.execute("SELECT data FROM events ORDER BY id"))
    assert [s for s in SECRETS if s in stored] == []


def test_a_status_answer_is_stored_as_a_placeholder(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(store.save(conversation()))
    with sqlite3.connect(tmp_path / "t.db") as database:
        texts = [text for (text,) in database.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE type_name = 'bot' ORDER BY id")]
    assert texts == [STATUS, "Kiitos, [NAME]!"]


def test_log_lines_and_exceptions_are_redacted(caplog):
    record = logging.LogRecord("rasa", logging.ERROR, __file__, 1, "Received %r from %s", (TYPED, "040 123 4567"), None)
    try:
        raise ValueError("bad customer number 1234 5678 for Omar Haddad")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    written = record.getMessage() + (record.exc_text or "")
    assert [s for s in [*SECRETS, "040 123 4567"] if s in written] == [] and "ValueError" in written


def test_every_configured_handler_redacts(tmp_path):
    handler = logging.FileHandler(tmp_path / "sanic.log")
    sanic_access = logging.getLogger("sanic.access.test")
    sanic_access.addHandler(handler)
    sanic_access.propagate = False
    try:
        install_log_redaction()
        sanic_access.warning("GET /conversations/%s", "FI2112345600000785")
        handler.flush()
        assert "FI2112345600000785" not in (tmp_path / "sanic.log").read_text()
    finally:
        sanic_access.removeHandler(handler)
        handler.close()
