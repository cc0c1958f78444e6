"""The review tool over PostgreSQL (tracker store and review database), on a throwaway cluster."""

import json
import time

import pytest
from sqlalchemy import create_engine, insert

from bot.review.indexer import Indexer
from bot.review.queries import Filters, dashboard, list_conversations, snippets
from bot.review.retention import delete_conversation, delete_expired
from bot.review.store import ReviewDatabase
from bot.review.tracker import EVENTS, TrackerEvents
from tests.backend.postgres import postgres_cluster
from tests.review.events import conversation, user


def write(url, sender, events, start):
    engine = create_engine(url, future=True)
    EVENTS.metadata.create_all(engine)
    rows = []
    for number, event in enumerate(events):
        event.timestamp = start + number
        data = event.as_dict()
        rows.append({"sender_id": sender, "type_name": event.type_name, "timestamp": event.timestamp,
                     "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                     "action_name": data.get("name"), "data": json.dumps(data)})
    with engine.begin() as connection:
        connection.execute(insert(EVENTS), rows)
    engine.dispose()


@pytest.fixture(scope="module")
def postgres():
    with postgres_cluster("review") as url:
        yield url


def test_index_search_dashboard_and_deletion_on_postgresql(postgres):
    now = time.time()
    write(postgres, "pg-fi", conversation("fi", ("Hei, asiakasnumeroni on 1234 5678", "greet", "Hei!"),
                                          ("Mihin soitan oleskeluluvasta?", "ask_service_number", "0295 790 600")),
          now - 3600)
    write(postgres, "pg-sv", conversation("sv", ("Hej", "greet", "Hej!"), ("asdf", "ask_open_now", "Förlåt?"),
                                          fallback_on=1), now - 600)
    write(postgres, "pg-old", conversation("en", ("Hello", "greet", "Hi!")), now - 40 * 86400)
    database = ReviewDatabase(postgres, workers=1)
    database.create_schema()
    tracker = TrackerEvents(postgres)
    indexer = Indexer(database, tracker, "Europe/Helsinki")
    assert indexer.refresh() > 0
    write(postgres, "pg-fi", [user("Entä perheenjäsenet?", "ask_service_number", language="fi")], now - 3000)
    indexer.refresh()

    def found(**filters):
        filters = Filters(**filters)
        page = database.transaction(lambda s: list_conversations(s, filters, "Europe/Helsinki", False))
        return sorted(c.sender_id for c in page.conversations)

    assert found() == ["pg-fi", "pg-old", "pg-sv"]
    assert found(q="oleskelulu") == ["pg-fi"] and found(q="perheenjäsenet") == ["pg-fi"]
    assert found(q="customer_number") == ["pg-fi"] and found(q="1234") == []
    assert found(q="'; DROP TABLE events; --") == [] and found(q="%") == ["pg-fi", "pg-old", "pg-sv"]
    assert found(language="sv", fallback="yes") == ["pg-sv"] and found(intent="ask_service_number") == ["pg-fi"]
    figures = database.transaction(lambda s: dashboard(s, Filters(), "Europe/Helsinki", False))
    assert figures.conversations == 3 and figures.user_messages == 6 and figures.fallback_messages == 1
    ids = {c: i for i, c in database.transaction(lambda s: [
        (c.id, c.sender_id) for c in list_conversations(s, Filters(), "Europe/Helsinki", False).conversations])}
    marked = database.transaction(lambda s: snippets(s, Filters(q="oleskelulu"), [ids["pg-fi"]], False))
    assert "\x02oleskelulu\x03vasta" in marked[ids["pg-fi"]]

    assert delete_expired(database, indexer, days=30, now=now) == 1
    assert delete_conversation(database, indexer, ids["pg-sv"], "anna")
    assert found() == ["pg-fi"]
    assert {e.sender_id for e in tracker.after(0, 1000)} == {"pg-fi"}
    database.close()
    tracker.close()
