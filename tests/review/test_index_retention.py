"""The review index kept up to date from the tracker store, retention, and the commands."""

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.review.indexer import Indexer
from bot.review.queries import Filters, list_conversations
from bot.review.retention import delete_expired
from bot.review.store import AuditEntry, Conversation, ConversationIntent, ReviewDatabase
from bot.review.tracker import TrackerEvents
from bot.settings import REPO_ROOT, load_settings
from tests.review.events import conversation, user, write


@pytest.fixture
def stores(tmp_path):
    settings = replace(load_settings(), tracker_db=tmp_path / "tracker.db")
    database = ReviewDatabase(settings.review_url, workers=1)
    database.create_schema()
    tracker = TrackerEvents(settings.tracker_url)
    yield settings, database, tracker, Indexer(database, tracker, settings.timezone)
    database.close()
    tracker.close()


def found(database, **filters):
    page = database.transaction(lambda s: list_conversations(s, Filters(**filters), "Europe/Helsinki", True))
    return sorted(c.sender_id for c in page.conversations)


def test_no_store_yet_means_nothing_to_index(stores):
    _, database, _, indexer = stores
    assert indexer.refresh() == 0
    assert found(database) == []


def test_index_grows_with_new_events(stores):
    settings, database, _, indexer = stores
    write(settings.tracker_db, "a", conversation("fi", ("Hei", "greet", "Hei!")))
    assert indexer.refresh() > 0
    assert found(database, q="hei") == ["a"] and found(database, intent="ask_open_now") == []
    write(settings.tracker_db, "a", [user("Onko palvelu auki nyt?", "ask_open_now", language="fi")])
    write(settings.tracker_db, "b", conversation("en", ("Hello", "greet", "Hi!")))
    indexer.refresh()
    assert indexer.refresh() == 0  # nothing new
    assert found(database, q="auki") == ["a"] and found(database, q="hei") == ["a"]
    assert found(database, intent="ask_open_now") == ["a"] and found(database, intent="greet") == ["a", "b"]
    a = database.transaction(
        lambda s: s.execute(select(Conversation).where(Conversation.sender_id == "a")).scalar_one())
    assert a.user_messages == 2 and a.bot_messages == 1
    intents = database.transaction(lambda s: s.execute(
        select(ConversationIntent.intent).where(ConversationIntent.conversation_id == a.id)).scalars().all())
    assert sorted(intents) == ["ask_open_now", "greet"]


def test_index_is_built_in_batches(stores, monkeypatch):
    settings, database, _, indexer = stores
    monkeypatch.setattr("bot.review.indexer.BATCH_EVENTS", 7)
    for number in range(6):
        write(settings.tracker_db, f"s{number}", conversation("sv", ("Hej", "greet", "Hej!"), ("Tack", "thank", "")))
    indexer.refresh(max_batches=2)
    assert len(found(database)) < 6
    indexer.refresh()
    assert len(found(database)) == 6
    rows = database.transaction(lambda s: s.execute(select(Conversation)).scalars().all())
    assert {row.user_messages for row in rows} == {2}


def test_retention_deletes_old_conversations_only(stores):
    settings, database, _, indexer = stores
    now = time.time()
    write(settings.tracker_db, "old", conversation("fi", ("Hei", "greet", "Hei!")), start=now - 40 * 86400)
    write(settings.tracker_db, "new", conversation("fi", ("Moi", "greet", "Hei!")), start=now - 86400)
    write(settings.tracker_db, "back", conversation("fi", ("Hei", "greet", "Hei!")), start=now - 50 * 86400)
    indexer.refresh()
    assert delete_expired(database, indexer, days=30, now=now) == 2
    # SQLite gives the next event the id after the highest one left, which the index
    # had already seen: the index must still pick it up.
    write(settings.tracker_db, "back", [user("Palasin", "greet")], start=now)
    with sqlite3.connect(settings.tracker_db) as db:
        assert {s for (s,) in db.execute("SELECT DISTINCT sender_id FROM events")} == {"new", "back"}
    indexer.refresh()
    assert found(database) == ["back", "new"]
    entries = database.transaction(lambda s: s.execute(select(AuditEntry)).scalars().all())
    assert [(e.username, e.action) for e in entries] == [("system", "retention")]
    assert delete_expired(database, indexer, days=30, now=now) == 0


def run(*args, stdin="", env=None):
    return subprocess.run([sys.executable, "-m", *args], input=stdin, capture_output=True, text=True, cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_account_and_retention_commands(tmp_path):
    env = {"TRACKER_DB": str(tmp_path / "tracker.db"), "REVIEW_DB_URL": f"sqlite:///{tmp_path / 'review.db'}"}
    created = run("bot.review.accounts", "create", "--username", "Kaisa", "--role", "admin",
                  stdin="a long enough password\n", env=env)
    assert created.returncode == 0, created.stderr
    assert "kaisa" in created.stdout and "password" not in created.stdout
    again = run("bot.review.accounts", "create", "--username", "kaisa", stdin="a long enough password\n", env=env)
    assert again.returncode == 2 and "already exists" in again.stderr
    short = run("bot.review.accounts", "create", "--username", "pekka", stdin="short\n", env=env)
    assert short.returncode == 2 and "at least 12" in short.stderr
    listed = run("bot.review.accounts", "list", env=env)
    assert listed.stdout.split() == ["kaisa", "admin", "active"]
    with sqlite3.connect(tmp_path / "review.db") as db:
        (stored_hash,) = db.execute("SELECT password_hash FROM review_accounts").fetchone()
    assert stored_hash.startswith("scrypt$") and "long enough" not in stored_hash
    assert run("bot.review.accounts", "disable", "--username", "kaisa", env=env).returncode == 0
    assert "disabled" in run("bot.review.accounts", "list", env=env).stdout

    write(tmp_path / "tracker.db", "old", conversation("fi", ("Hei", "greet", "Hei!")), start=time.time() - 9 * 86400)
    retention = run("bot.review.retention", "--days", "7", env=env)
    assert retention.returncode == 0 and "Deleted 1 conversations" in retention.stdout, retention.stderr
