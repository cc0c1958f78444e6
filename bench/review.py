"""Staff review tool: list, filter, search and dashboard latency over 100,000 stored conversations.

Writes the conversations straight into a temporary SQLite tracker store in
Rasa's `events` schema (the events as Rasa stores them), builds the review
index from it with the real indexer (timed), then times the queries the pages
run, and whole pages over HTTP (in-process server, signed in).
Run: .venv/bin/python -m bench.review [--conversations 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench.common import median, percentile
from bot.review.queries import Filters, dashboard, list_conversations
from bot.settings import load_settings

INTENTS = ["greet", "ask_service_number", "ask_service_hours", "ask_open_now", "ask_processing_time",
           "ask_application_status", "ask_booking_how", "ask_booking_cancel", "ask_call_cost", "thank", "goodbye"]
PHRASES = {
    "fi": ["Hei, mihin numeroon soitan oleskeluluvasta", "Milloin puhelinpalvelu on auki", "Miten varaan ajan",
           "Kuinka kauan käsittely kestää", "Asiakasnumeroni on 1234 5678, missä hakemukseni on", "Kiitos avusta"],
    "sv": ["Hej, vilket nummer ringer jag om uppehållstillstånd", "När är telefontjänsten öppen",
           "Hur bokar jag en tid", "Hur länge tar behandlingen", "Mitt kundnummer är 12345678", "Tack för hjälpen"],
    "en": ["Hello, which number do I call about a residence permit", "When is the phone service open",
           "How do I book an appointment", "How long does processing take", "My customer number is 8765 4321",
           "Thanks for the help"],
}
REPLIES = {"fi": "Soita numeroon 0295 790 600 arkisin klo 9–16.", "sv": "Ring 0295 790 600 vardagar kl. 9–16.",
           "en": "Call 0295 790 600 on weekdays 9–16."}
SCHEMA = """CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT);
CREATE INDEX ix_events_sender_id ON events (sender_id);"""
# Rare words, one per 100 conversations, make a selective search.
RARE_WORDS = [f"harvinainen{n:03d}" for n in range(1000)]


def _action(name: str, ts: float) -> tuple:
    data = {"event": "action", "timestamp": ts, "metadata": {"model_id": "bench"}, "name": name,
            "policy": "RulePolicy", "confidence": 1.0, "action_text": None, "hide_rule_turn": False}
    return ("action", ts, None, name, json.dumps(data))


def _user(text: str, intent: str, confidence: float, language: str, channel: str, ts: float) -> tuple:
    parse = {"intent": {"name": intent, "confidence": confidence},
             "entities": [{"entity": "language", "value": language, "start": 0, "end": len(text),
                           "confidence_entity": 0.98, "extractor": "LanguageDetector"}],
             "text": text, "message_id": uuid.uuid4().hex, "metadata": {},
             "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "help", "confidence": 0.05}]}
    data = {"event": "user", "timestamp": ts, "metadata": {}, "text": text, "parse_data": parse,
            "input_channel": channel, "message_id": parse["message_id"]}
    return ("user", ts, intent, None, json.dumps(data, ensure_ascii=False))


def _bot(text: str, ts: float) -> tuple:
    data = {"event": "bot", "timestamp": ts, "metadata": {"utter_action": "utter_answer"}, "text": text,
            "data": {"elements": None, "quick_replies": None, "buttons": None, "attachment": None, "image": None,
                     "custom": None}}
    return ("bot", ts, None, None, json.dumps(data, ensure_ascii=False))


def conversation_events(number: int, rng: random.Random, now: float) -> list[tuple]:
    language = rng.choices(["fi", "sv", "en"], weights=[70, 10, 20])[0]
    channel = rng.choices(["socketio", "rest", "sms"], weights=[70, 10, 20])[0]
    ts = now - rng.uniform(0, 180 * 86400)
    events = [_action("action_session_start", ts), ("session_started", ts, None, None,
              json.dumps({"event": "session_started", "timestamp": ts})), _action("action_listen", ts)]
    for turn in range(rng.choice([1, 1, 2, 2, 3, 4])):
        ts += rng.uniform(5, 60)
        text = rng.choice(PHRASES[language])
        if number % 100 == 0 and turn == 0:
            text += " " + RARE_WORDS[(number // 100) % len(RARE_WORDS)]
        if rng.random() < 0.1:
            events.append(_user(text + " jotain epäselvää", "nlu_fallback", 0.2, language, channel, ts))
            events += [_action("action_suggest_topics", ts), _bot(REPLIES[language], ts)]
        else:
            events.append(_user(text, rng.choice(INTENTS), rng.uniform(0.5, 1.0), language, channel, ts))
            if turn == 0:
                events.append(("slot", ts, None, None, json.dumps({"event": "slot", "timestamp": ts,
                                                                   "name": "language", "value": language})))
            if rng.random() < 0.05:
                events.append(_action("booking_form", ts))
            events += [_action("action_answer_faq", ts), _bot(REPLIES[language], ts)]
        events.append(_action("action_listen", ts))
    return events


def generate(path: Path, conversations: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    now = time.time()
    written = 0
    with sqlite3.connect(path) as database:
        database.executescript(SCHEMA)
        batch: list[tuple] = []
        for number in range(conversations):
            sender = f"bench-{number:06d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}"
            batch.extend((sender, *event) for event in conversation_events(number, rng, now))
            if len(batch) > 50_000 or number == conversations - 1:
                database.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name,"
                                     " data) VALUES (?, ?, ?, ?, ?, ?)", batch)
                written += len(batch)
                batch = []
    return written


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    work()  # warm the caches once
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return median(times), percentile(times, 0.95)


QUERIES: list[tuple[str, dict[str, str]]] = [
    ("list, newest first (page 1)", {}),
    ("list, page 500", {"page": "500"}),
    ("filter: language sv", {"language": "sv"}),
    ("filter: channel sms + fallback", {"channel": "sms", "fallback": "yes"}),
    ("filter: intent ask_booking_cancel", {"intent": "ask_booking_cancel"}),
    ("filter: booking happened", {"booking": "yes"}),
    ("filter: last 7 days", {"date_from": time.strftime("%Y-%m-%d", time.localtime(time.time() - 7 * 86400))}),
    ("filter: tag (none tagged)", {"tag": "vaara vastaus"}),
    ("search: common word 'oleskeluluv'", {"q": "oleskeluluv"}),
    ("search: rare word", {"q": "harvinainen042"}),
    ("search: two words 'kundnummer mitt'", {"q": "kundnummer mitt"}),
    ("search + filters (fi, rest, 30 d)", {"q": "numeroon", "language": "fi", "channel": "rest",
                                           "date_from": time.strftime("%Y-%m-%d",
                                                                      time.localtime(time.time() - 30 * 86400))}),
]


async def http_figures(settings, repeat: int, conversations: int) -> list[tuple[str, float, float]]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.review.accounts import create_account
    from bot.review.store import ReviewDatabase
    from bot.web.app import create_app

    database = ReviewDatabase(settings.review_url, workers=1)
    database.transaction(lambda s: create_account(s, "bench", "bench-password-123", "reviewer"))
    database.close()
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        page = await (await client.get("/review/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        await client.post("/review/login", data={"username": "bench", "password": "bench-password-123",
                                                 "csrf_token": token})
        results = []
        for label, path in [("page: conversation list", "/review/conversations"),
                            ("page: list, search 'oleskeluluv'", "/review/conversations?q=oleskeluluv"),
                            ("page: list, sv + fallback", "/review/conversations?language=sv&fallback=yes"),
                            ("page: transcript", f"/review/conversations/{conversations // 2}"),
                            ("page: dashboard (all 180 days)", "/review/dashboard")]:
            times = []
            for _ in range(repeat + 1):
                start = time.perf_counter()
                response = await client.get(path)
                await response.read()
                assert response.status == 200, (path, response.status)
                times.append((time.perf_counter() - start) * 1000)
            results.append((label, median(times[1:]), percentile(times[1:], 0.95)))
        return results
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="build the stores in this folder and keep them (default: temporary)")
    args = parser.parse_args()

    from bot.review.indexer import Indexer
    from bot.review.store import ReviewDatabase
    from bot.review.tracker import TrackerEvents

    with tempfile.TemporaryDirectory(prefix="bench-review-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        settings = replace(load_settings(), tracker_db=folder / "tracker.db", review_index_seconds=3600.0)
        for stale in folder.glob("*.db*"):
            stale.unlink()
        start = time.perf_counter()
        events = generate(settings.tracker_db, args.conversations)
        print(f"Generated {args.conversations:,} conversations ({events:,} events) in "
              f"{time.perf_counter() - start:.1f} s; tracker DB {settings.tracker_db.stat().st_size / 1e6:.0f} MB")

        database = ReviewDatabase(settings.review_url, workers=1)
        database.create_schema()
        tracker = TrackerEvents(settings.tracker_url)
        indexer = Indexer(database, tracker, settings.timezone)
        start = time.perf_counter()
        indexer.refresh()
        took = time.perf_counter() - start
        review_db = Path(settings.review_url.removeprefix("sqlite:///"))
        print(f"Indexed them in {took:.1f} s ({events / took:,.0f} events/s); review DB "
              f"{review_db.stat().st_size / 1e6:.0f} MB")
        with sqlite3.connect(settings.tracker_db) as db:
            rng = random.Random(1)
            rows = [(f"late-{n}", *e) for n in range(100) for e in conversation_events(n + 1, rng, time.time())]
            db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                           "VALUES (?, ?, ?, ?, ?, ?)", rows)
        start = time.perf_counter()
        indexer.refresh()
        print(f"Incremental refresh after 100 new conversations ({len(rows)} events): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms\n")

        print(f"Query latency over {args.conversations:,} conversations (SQLite, ms; median / p95 of {args.repeat})")
        print(f"{'query':42} {'matches':>8} {'median':>8} {'p95':>8}")
        for label, query in QUERIES:
            filters, errors = Filters.parse(query)
            assert not errors, errors
            page = database.transaction(lambda s, f=filters: list_conversations(s, f, settings.timezone, True))
            mid, p95 = timed(lambda f=filters: database.transaction(
                lambda s: list_conversations(s, f, settings.timezone, True)), args.repeat)
            print(f"{label:42} {page.total:>8,} {mid:>8.1f} {p95:>8.1f}")
        for label, query in [("dashboard: all", {}), ("dashboard: last 30 days", {"date_from": time.strftime(
                "%Y-%m-%d", time.localtime(time.time() - 30 * 86400))})]:
            filters, _ = Filters.parse(query)
            mid, p95 = timed(lambda f=filters: database.transaction(
                lambda s: dashboard(s, f, settings.timezone, True)), max(3, args.repeat // 3))
            print(f"{label:42} {'':>8} {mid:>8.1f} {p95:>8.1f}")
        database.close()
        tracker.close()

        print("\nWhole pages over HTTP (in-process server, signed in; ms)")
        for label, mid, p95 in asyncio.run(http_figures(settings, max(3, args.repeat // 2), args.conversations)):
            print(f"{label:42} {'':>8} {mid:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
