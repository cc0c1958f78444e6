"""How throughput and latency scale with 1 and 2 Rasa servers behind nginx (the scale-out mode).

Each setting is started cold with deploy/scale.py's throwaway stack (PostgreSQL
tracker store, Redis lock store, nginx round robin, as many action servers as
Rasa servers), warmed up, then loaded closed-loop through nginx's REST
endpoint with the held-out NLU test sentences of all three languages (a new
conversation every 10 messages). Prints p50/p99 latency, throughput and the
share each Rasa server took, at 8 and 32 concurrent conversations.

On this 2-core machine every process (Rasa servers, action servers,
PostgreSQL, Redis, nginx, the load generator) shares the same two cores, so
the figures say how far a second server helps here, not on a bigger host.

Run: .venv/bin/python -m bench.scale [--messages 600] [--servers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter

import aiohttp

from bench.common import REST_HEADERS, held_out_sets, median, percentile
from bot.settings import REPO_ROOT
from bot.training import ensure_model
from deploy.scale import ScaleStack

CONCURRENCY = (8, 32)


async def closed_loop(url: str, messages: list[str], users: int, total: int,
                      tag: str) -> tuple[list[float], float, Counter]:
    latencies: list[float] = []
    upstreams: Counter = Counter()
    counter = iter(range(total))

    async def user(index: int, session: aiohttp.ClientSession) -> None:
        sent = 0
        for position in counter:
            sender = f"{tag}-{users}-{index}-{sent // 10}"
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": messages[position % len(messages)]},
                                    headers=REST_HEADERS) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"status {r.status}")
                upstreams[r.headers.get("X-Upstream", "?")] += 1
            latencies.append(time.perf_counter() - started)
            sent += 1

    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(i, session) for i in range(users)))
        return latencies, time.perf_counter() - started, upstreams


def run_setting(servers: int, messages: list[str], total: int) -> tuple[float, dict[int, tuple]]:
    log_dir = REPO_ROOT / "var" / "bench" / f"scale-{servers}"
    stack = ScaleStack(ensure_model(), rasa=servers, actions=servers, log_dir=log_dir)
    started = time.monotonic()
    stack.start()
    cold = time.monotonic() - started
    url = f"{stack.url}/webhooks/rest/webhook"
    results = {}
    try:
        asyncio.run(closed_loop(url, messages, 4, 40 * servers, f"warm{servers}"))  # every server warmed, not counted
        for users in CONCURRENCY:
            latencies, seconds, upstreams = asyncio.run(closed_loop(url, messages, users, total, f"s{servers}"))
            shares = "/".join(f"{100 * count / len(latencies):.0f}%" for _, count in sorted(upstreams.items()))
            results[users] = (median(latencies) * 1000, percentile(latencies, 0.99) * 1000,
                              len(latencies) / seconds, shares)
    finally:
        stack.stop()
    return cold, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600, help="messages per concurrency level")
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2], help="Rasa server counts to compare")
    args = parser.parse_args()
    sets = held_out_sets()
    messages = [text for language in ("fi", "sv", "en") for _, text in sets[language]]
    random.Random(1).shuffle(messages)

    figures = {servers: run_setting(servers, messages, args.messages) for servers in args.servers}

    print(f"\nScale-out, {args.messages} messages per level, closed loop, REST through nginx, "
          f"PostgreSQL tracker store, Redis lock store (one run, this 2-core machine)\n")
    print(f"{'Rasa servers':>12} | {'cold start':>10} | {'conversations':>13} | {'p50 ms':>7} | {'p99 ms':>7} "
          f"| {'msg/s':>6} | share per server")
    base = figures[args.servers[0]][1]
    for servers, (cold, results) in figures.items():
        for users, (p50, p99, rate, shares) in results.items():
            ratio = rate / base[users][2]
            print(f"{servers:>12} | {cold:8.0f} s | {users:>13} | {p50:7.0f} | {p99:7.0f} | {rate:6.1f} "
                  f"| {shares} ({ratio:.2f}x throughput)")


if __name__ == "__main__":
    main()
