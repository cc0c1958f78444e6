"""Soak run: many messages through the REST channel against the real assistant, watching memory.

Starts the usual processes (backend, action server, Rasa server; SQLite
stores in var/bench/soak) and sends `--messages` messages from a few
concurrent users: the held-out NLU test sentences of all three languages, a
new conversation every 20 messages, so conversations keep being created and
the tracker store keeps growing. Every `--every` messages it prints the
resident memory of the Rasa server, the action server and the backend, the
throughput and any failed requests; at the end, the growth of each from the
first sample after warm-up to the last.

Not part of `make test` (about 15 minutes for 20,000 messages on 2 cores).

Run: .venv/bin/python -m bench.soak [--messages 20000] [--every 2000] [--users 4]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import time
from dataclasses import replace

import aiohttp

from bench.common import REST_HEADERS, held_out_sets, median, percentile
from bench.load import free_port, memory_mb
from bot.settings import REPO_ROOT, load_settings
from bot.supervisor import Supervisor
from bot.training import ensure_model

SOAK_DIR = REPO_ROOT / "var" / "bench" / "soak"
PARTS = ("rasa", "actions", "backend")


async def send_batch(session: aiohttp.ClientSession, url: str, messages: list[str], start: int, count: int,
                     users: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    positions = iter(range(start, start + count))

    async def user(index: int) -> None:
        nonlocal failures
        for position in positions:
            sender = f"soak-{index}-{position // (20 * users)}"
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender,
                                                   "message": messages[position % len(messages)]},
                                        headers=REST_HEADERS) as response:
                    body = await response.json(content_type=None)
                    if response.status != 200 or not body:
                        failures += 1
            except (aiohttp.ClientError, TimeoutError, ValueError):
                failures += 1
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(user(i) for i in range(users)))
    return latencies, failures


async def soak(url: str, supervisor: Supervisor, messages: list[str], total: int, every: int,
               users: int) -> list[dict]:
    samples = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        memory = {part: memory_mb(supervisor.service(part).process.pid)[1] for part in PARTS}
        samples.append({"sent": 0, "memory": memory, "rate": 0.0, "p50": 0.0, "p99": 0.0, "failures": 0})
        print(f"{'messages':>8} | {'Rasa MB':>8} | {'actions MB':>10} | {'backend MB':>10} | {'msg/s':>6} "
              f"| {'p50 ms':>6} | {'p99 ms':>6} | failed", flush=True)
        sent = 0
        while sent < total:
            count = min(every, total - sent)
            started = time.perf_counter()
            latencies, failures = await send_batch(session, url, messages, sent, count, users)
            seconds = time.perf_counter() - started
            sent += count
            memory = {part: memory_mb(supervisor.service(part).process.pid)[1] for part in PARTS}
            sample = {"sent": sent, "memory": memory, "rate": count / seconds, "p50": median(latencies) * 1000,
                      "p99": percentile(latencies, 0.99) * 1000, "failures": failures}
            samples.append(sample)
            print(f"{sent:8} | {memory['rasa']:8.0f} | {memory['actions']:10.0f} | {memory['backend']:10.0f} "
                  f"| {sample['rate']:6.1f} | {sample['p50']:6.0f} | {sample['p99']:6.0f} | {failures}", flush=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--every", type=int, default=2_000, help="messages between memory samples")
    parser.add_argument("--users", type=int, default=4, help="concurrent users")
    args = parser.parse_args()
    sets = held_out_sets()
    messages = [text for language in ("fi", "sv", "en") for _, text in sets[language]]
    random.Random(3).shuffle(messages)

    shutil.rmtree(SOAK_DIR, ignore_errors=True)
    SOAK_DIR.mkdir(parents=True)
    settings = replace(load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
                       sms_gateway_port=free_port(), backend_port=free_port(), tracker_db=SOAK_DIR / "tracker.db",
                       backend_db_url=f"sqlite:///{SOAK_DIR / 'backend.db'}")
    supervisor = Supervisor(settings, ensure_model(), log_dir=SOAK_DIR / "logs")
    supervisor.start()
    try:
        started = time.monotonic()
        url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
        samples = asyncio.run(soak(url, supervisor, messages, args.messages, args.every, args.users))
        minutes = (time.monotonic() - started) / 60
    finally:
        supervisor.stop()

    baseline, last = samples[1], samples[-1]
    print(f"\nSoak: {args.messages} messages, {args.users} concurrent users, {minutes:.1f} min, "
          f"{sum(s['failures'] for s in samples)} failed requests; tracker store "
          f"{(SOAK_DIR / 'tracker.db').stat().st_size / 1e6:.0f} MB")
    for part in PARTS:
        growth = last["memory"][part] - baseline["memory"][part]
        per_10k = growth / max(1, last["sent"] - baseline["sent"]) * 10_000
        print(f"  {part:8} PSS {samples[0]['memory'][part]:6.0f} MB at start, {baseline['memory'][part]:6.0f} MB "
              f"after {baseline['sent']} messages, {last['memory'][part]:6.0f} MB at the end: "
              f"{growth:+.0f} MB ({per_10k:+.1f} MB per 10,000 messages after warm-up)")
    print(f"  throughput {samples[1]['rate']:.1f} msg/s in the first batch, {last['rate']:.1f} msg/s in the last")


if __name__ == "__main__":
    main()
