"""The booking backend under load, on this machine, in one run.

Starts the real backend (`python -m bot.backend`) on a fresh temporary SQLite
database (or --db-url, e.g. a PostgreSQL database), then runs closed-loop
clients (each sends its next request when the last is answered) at 1, 8 and 32
concurrent clients and prints throughput and p50/p99 latency for:

- slot search (GET /booking/slots, random service point, persons and dates);
- booking (POST /booking/bookings on random free slots across the country);
- look-up with reservation key and PIN (POST /booking/bookings/lookup);

then a contention run: 32 clients fight over a handful of slots with families
of 1-3 persons until every slot is full, and the database is checked for
over-bookings (slots whose booked count exceeds capacity or differs from the
persons in their active bookings). That number must be 0.

Run: .venv/bin/python -m bench.booking [--requests 240]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text

from bench.common import median, percentile
from bot.backend.process import start_backend

CONCURRENCY = (1, 8, 32)
POINTS = ("helsinki-malmi", "helsinki-pasila", "espoo", "vantaa", "turku", "tampere", "oulu", "kuopio",
          "lappeenranta", "joensuu", "jyvaskyla", "rovaniemi", "vaasa", "lahti", "pori", "seinajoki", "kotka")
TOKEN = "bench-booking-token-0123456789abcdef"


def start_bench_backend(db_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    # the bench measures the service, not its abuse limits
    limits = {"BOOKING_CREATE_LIMIT": "1000000", "BOOKING_KEY_LIMIT": "1000000", "BOOKING_CAP_PER_CONTACT": "1000000"}
    running = start_backend(db_url, log_path, extra_env=limits, token=TOKEN)
    return running.process, running.url


class Client:
    def __init__(self, url: str, session: aiohttp.ClientSession, name: str) -> None:
        self.url, self.session = url, session
        self.headers = {"Authorization": f"Bearer {TOKEN}", "X-Client-Id": name}

    async def get(self, path: str, **params) -> tuple[int, dict]:
        async with self.session.get(self.url + path, params=params, headers=self.headers) as response:
            return response.status, await response.json()

    async def post(self, path: str, body: dict) -> tuple[int, dict]:
        async with self.session.post(self.url + path, json=body, headers=self.headers) as response:
            return response.status, await response.json()


def booking_body(slot: dict, persons: int, rng: random.Random) -> dict:
    return {"category": "residence_permit", "service_point": slot["service_point"], "slot_id": slot["id"],
            "persons": persons, "name": "Bench Applicant", "phone": f"+35840{rng.randrange(10**7):07d}",
            "language": rng.choice(("fi", "sv", "en"))}


async def closed_loop(url: str, clients: int, total: int, make_request) -> tuple[list[float], float, dict[int, int]]:
    """`total` requests by `clients` concurrent clients; latencies, wall time and answers by status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = [total]

    async def client(index: int, session: aiohttp.ClientSession) -> None:
        api = Client(url, session, f"bench-{index}")
        rng = random.Random(index)
        while remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            status = await make_request(api, rng)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(index, session) for index in range(clients)))
        return latencies, time.perf_counter() - started, statuses


def report(name: str, clients: int, latencies: list[float], seconds: float, statuses: dict[int, int]) -> None:
    answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"{name:14} {clients:3} clients | {len(latencies) / seconds:7.1f} req/s | "
          f"p50 {median(latencies) * 1000:6.1f} ms | p99 {percentile(latencies, 0.99) * 1000:6.1f} ms | {answers}")


async def slot_pool(url: str) -> list[dict]:
    """Free slots across all service points, for the booking runs."""
    async with aiohttp.ClientSession() as session:
        api = Client(url, session, "bench-pool")
        pool = []
        for point in POINTS:
            status, body = await api.get("/booking/slots", service_point=point, limit=200, persons=1)
            pool.extend(body["items"])
        return pool


async def run(url: str, db_url: str, requests: int) -> None:
    today = dt.date.today()

    async def search(api: Client, rng: random.Random) -> int:
        start = today + dt.timedelta(days=rng.randrange(60))
        status, _ = await api.get("/booking/slots", service_point=rng.choice(POINTS), persons=rng.randint(1, 2),
                                  date_from=str(start), date_to=str(start + dt.timedelta(days=14)), limit=20)
        return status

    print(f"\nBooking backend, {requests} requests per level, closed loop (one run, this machine)\n")
    for clients in CONCURRENCY:
        report("slot search", clients, *await closed_loop(url, clients, requests, search))

    pool = await slot_pool(url)
    random.Random(1).shuffle(pool)
    created: list[tuple[str, str]] = []

    async def book(api: Client, rng: random.Random) -> int:
        slot = pool.pop() if pool else None
        if slot is None:
            return 0
        status, body = await api.post("/booking/bookings", booking_body(slot, 1, rng))
        if status == 201:
            created.append((body["reservation_key"], body["pin"]))
        return status

    for clients in CONCURRENCY:
        report("booking", clients, *await closed_loop(url, clients, requests, book))

    async def lookup(api: Client, rng: random.Random) -> int:
        key, pin = rng.choice(created)
        status, _ = await api.post("/booking/bookings/lookup", {"reservation_key": key, "pin": pin})
        return status

    for clients in CONCURRENCY:
        report("key+PIN lookup", clients, *await closed_loop(url, clients, requests // 2, lookup))

    # Contention: a few slots, 32 clients, families of 1-3, until all are full.
    async with aiohttp.ClientSession() as session:
        api = Client(url, session, "bench-contention")
        # beyond the days the booking runs used, so every contested slot starts empty
        _, body = await api.get("/booking/slots", service_point="helsinki-malmi", persons=6, limit=12,
                                date_from=str(today + dt.timedelta(days=60)))
        contested = body["items"]
    full: set[str] = set()

    async def contend(api: Client, rng: random.Random) -> int:
        candidates = [slot for slot in contested if slot["id"] not in full] or contested
        slot = rng.choice(candidates)
        status, body = await api.post("/booking/bookings", booking_body(slot, rng.randint(1, 3), rng))
        if status == 409 and body.get("error") == "slot_full":
            full.add(slot["id"])
        return status

    latencies, seconds, statuses = await closed_loop(url, 32, 12 * 12, contend)
    report("contention", 32, latencies, seconds, statuses)
    engine = create_engine(db_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT s.id, s.capacity, s.booked, COALESCE(SUM(b.persons), 0) AS persons FROM booking_slots s "
            "LEFT JOIN booking_bookings b ON b.slot_id = s.id AND b.status = 'active' GROUP BY s.id, s.capacity, "
            "s.booked HAVING s.booked > s.capacity OR s.booked <> COALESCE(SUM(b.persons), 0)")).all()
        contested_ids = [int(slot["id"]) for slot in contested]
        filled = connection.execute(text(
            f"SELECT SUM(booked), SUM(capacity) FROM booking_slots WHERE id IN ({','.join(map(str, contested_ids))})"
        )).one()
    engine.dispose()
    print(f"\nContention: {len(contested)} slots, {filled[0]}/{filled[1]} places taken by families of 1-3; "
          f"over-bookings or capacity mismatches in the whole database: {len(rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=240, help="requests per concurrency level")
    parser.add_argument("--db-url", help="database to use instead of a fresh temporary SQLite file")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-booking-"))
    db_url = args.db_url or f"sqlite:///{directory / 'backend.db'}"
    started = time.monotonic()
    process, url = start_bench_backend(db_url, directory / "backend.log")
    print(f"backend with {'a fresh SQLite database' if not args.db_url else args.db_url.split('@')[-1]} "
          f"started and seeded in {time.monotonic() - started:.1f} s")
    try:
        asyncio.run(run(url, db_url, args.requests))
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
