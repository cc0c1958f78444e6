"""The tracker cache of the redacting SQL tracker store: used only while the database agrees with it."""

import asyncio
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.privacy.tracker_store import RedactingSQLTrackerStore


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def database(tmp_path):
    return tmp_path / "tracker.db"


def new_store(database):
    return RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database))


def stored_types(database, sender="s1"):
    with sqlite3.connect(database) as db:
        return [t for (t,) in db.execute("SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


def turn(tracker, text):
    tracker.update(UserUttered(text))
    tracker.update(BotUttered(f"re: {text}"))
    tracker.update(ActionExecuted("action_listen"))


def start(store):
    tracker = run(store.get_or_create_tracker("s1", append_action_listen=False))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "hei")
    run(store.save(tracker))
    return tracker


def test_a_saved_tracker_is_used_again_and_only_new_events_are_written(database):
    store = new_store(database)
    first = start(store)
    again = run(store.retrieve("s1"))
    assert again is first
    turn(again, "kiitos")
    run(store.save(again))
    assert stored_types(database) == ["action", "session_started", "action", "user", "bot", "action",
                                      "user", "bot", "action"]
    assert [e.text for e in run(new_store(database).retrieve("s1")).events if isinstance(e, UserUttered)] == [
        "hei", "kiitos"]


def test_another_worker_writing_to_the_conversation_is_seen(database):
    ours, theirs = new_store(database), new_store(database)
    cached = start(ours)
    tracker = run(theirs.retrieve("s1"))
    turn(tracker, "from the other worker")
    run(theirs.save(tracker))
    fresh = run(ours.retrieve("s1"))
    assert fresh is not cached
    assert fresh.latest_message.text == "from the other worker"
    turn(fresh, "back here")
    run(ours.save(fresh))
    assert stored_types(database).count("user") == 3


def test_a_turn_that_was_not_saved_is_not_served_from_memory(database):
    store = new_store(database)
    tracker = start(store)
    turn(tracker, "this turn failed before it was stored")
    tracker.update(SlotSet("language", "sv"))
    fresh = run(store.retrieve("s1"))
    assert fresh is not tracker and fresh.latest_message.text == "hei" and fresh.get_slot("language") is None


def test_a_deleted_conversation_is_not_served_from_memory(database):
    store = new_store(database)
    start(store)
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM events WHERE sender_id = 's1'")
    assert run(store.retrieve("s1")) is None


def test_a_new_model_rebuilds_trackers(database):
    store = new_store(database)
    tracker = start(store)
    store.domain = Domain.empty()
    assert run(store.retrieve("s1")) is not tracker


def _start_store(database, start, errors):
    import logging

    class Errors(logging.Handler):
        def emit(self, record):
            errors.put(record.getMessage())

    logging.getLogger("rasa.core.tracker_store").addHandler(Errors(logging.ERROR))
    start.wait()
    new_store(database)


def test_workers_starting_together_create_the_tables_without_errors(database):
    import multiprocessing

    context = multiprocessing.get_context("fork")  # as Sanic starts Rasa's workers
    start, errors = context.Event(), context.Queue()
    workers = [context.Process(target=_start_store, args=(database, start, errors)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert errors.empty()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (0,)


def three_sessions(store):
    """A conversation of three sessions, each saved turn by turn, the way Rasa stores them."""
    tracker = start(store)
    for number in (2, 3):
        tracker = run(store.retrieve("s1"))
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(SlotSet("language", "fi"))
        tracker.update(ActionExecuted("action_listen"))
        turn(tracker, f"session {number}")
        run(store.save(tracker))
        tracker = run(store.retrieve("s1"))
        turn(tracker, f"again in session {number}")
        run(store.save(tracker))
    return tracker


def test_the_current_session_is_read_as_rasa_reads_it(database):
    from rasa.core.tracker_store import SQLTrackerStore

    store = new_store(database)
    three_sessions(store)
    with store.session_scope() as session:
        ours = [row.id for row in store._event_query(session, "s1", fetch_events_from_all_sessions=False)]
        rasas = [row.id for row in SQLTrackerStore._event_query(store, session, "s1", False)]
        everything = [row.id for row in store._event_query(session, "s1", fetch_events_from_all_sessions=True)]
    assert ours == rasas and len(everything) > len(ours)
    fresh = run(new_store(database).retrieve("s1"))
    assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == ["session 3", "again in session 3"]
    assert isinstance(fresh.events[0], SessionStarted)


def test_a_cached_tracker_holds_the_current_session_and_is_used_again(database):
    store = new_store(database)
    tracker = three_sessions(store)
    assert run(store.retrieve("s1")) is tracker
    assert sum(isinstance(e, SessionStarted) for e in tracker.events) == 1


def query_plans(database, store):
    """SQLite's plan of each query the store runs every message or every session."""
    from sqlalchemy.dialects import sqlite

    with store.session_scope() as session:
        queries = [store._event_query(session, "s1", fetch_events_from_all_sessions=False).statement,
                   store.cache._marker_query.params(sender_id="s1")]
        compiled = [str(q.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})) for q in queries]
    with sqlite3.connect(database) as db:
        return [" / ".join(step for *_, step in db.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in compiled]


def test_reads_of_the_current_session_do_not_scan_the_whole_conversation(database):
    """Every query of a message searches an index from the latest session start: its cost follows
    the session's length, not the conversation's (Rasa's scanned every row of the conversation)."""
    store = new_store(database)
    three_sessions(store)
    for plan in query_plans(database, store):
        assert "SCAN" not in plan, plan
        assert "(sender_id=? AND rowid>?)" in plan and "ix_events_type_sender_id" in plan, plan
