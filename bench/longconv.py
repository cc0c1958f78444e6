"""One long conversation: does a message cost more the longer the conversation is?

Sends 1,000 messages, one after the other, to a single conversation on our
stack (the default start: SQLite tracker store with redaction) and, in the same
run, to the stock Rasa 3.6 bot of bench/load. Ours gets the normal mix of
bench/load (FAQ questions in fi/sv/en, bookings, lookups with a key and PIN)
played back to back, each block of 100 the same kinds of conversation; stock
gets its own FAQ messages. Each bot first answers one block in another
conversation (so the first block does not pay for the bot's warm-up). Prints
the median time per message of each block of 100 and the ratio of the last
block to the first.

Run: .venv/bin/python -m bench.longconv [--messages 1000] [--block 100] [--only ours|stock]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import replace

import aiohttp

from bench.common import REST_HEADERS, median
from bench.load import STOCK_DIR, WORDS, StockBot, booked_keys, build_stock_bot, our_scripts
from bot.settings import REPO_ROOT, backend_token, load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model

BENCH_DIR = REPO_ROOT / "var" / "bench" / "longconv"


async def one_conversation(url: str, messages: list[str], sender: str) -> list[float]:
    """Seconds per message, each sent when the previous one was answered."""
    latencies = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:
        for text in messages:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}, headers=REST_HEADERS) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"status {response.status} for {text!r}")
            latencies.append(time.perf_counter() - started)
    return latencies


async def warmed_up_conversation(url: str, messages: list[str], warm_up: int) -> list[float]:
    """Seconds per message of one conversation, after `warm_up` of the messages in another."""
    await one_conversation(url, messages[:warm_up], f"warm-up-{time.time_ns()}")
    return await one_conversation(url, messages, f"longconv-{time.time_ns()}")


def blocks(latencies: list[float], size: int) -> list[float]:
    """Median milliseconds per message of each block of `size` messages."""
    return [median(latencies[start:start + size]) * 1000 for start in range(0, len(latencies), size)]


def mix_block(keys: list[tuple[str, str]], seed: int, size: int) -> list[str]:
    """`size` messages of bench/load's mix, whole conversations in its order: each block of 100 holds
    the same kinds (14 FAQ conversations, 3 bookings, 1 lookup), with other questions, places and days."""
    messages: list[str] = []
    for script in our_scripts(keys, seed=seed):
        if len(messages) >= size:
            break
        messages += script
    return messages[:size]


def run_ours(count: int, block: int) -> list[float]:
    settings = replace(load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
                       sms_gateway_port=free_port(), backend_port=free_port(),
                       tracker_db=BENCH_DIR / "tracker.db",
                       backend_db_url=f"sqlite:///{BENCH_DIR / 'backend.db'}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("tracker.db", "backend.db"):
        (BENCH_DIR / name).unlink(missing_ok=True)
    supervisor = Supervisor(settings, ensure_model(), log_dir=BENCH_DIR / "logs")
    supervisor.start()
    try:
        keys = booked_keys(settings.backend_url, backend_token(), 40)
        messages = [text for number in range(-(-count // block)) for text in mix_block(keys, number + 1, block)]
        messages = messages[:count]
        url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
        return asyncio.run(warmed_up_conversation(url, messages, block))
    finally:
        supervisor.stop()


def run_stock(count: int, block: int) -> list[float]:
    stock = StockBot(build_stock_bot())
    stock.start()
    try:
        pool = ["hello", "I am great", "are you a bot?"] + [f"{w} question {n}" for n, w in enumerate(WORDS)]
        messages = [pool[index % len(pool)] for index in range(count)]
        url = f"http://127.0.0.1:{stock.rasa_port}/webhooks/rest/webhook"
        return asyncio.run(warmed_up_conversation(url, messages, block))
    finally:
        stock.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--block", type=int, default=100)
    parser.add_argument("--only", choices=("ours", "stock"))
    args = parser.parse_args()
    results = {}
    load_before = os.getloadavg()
    if args.only != "stock":
        results["ours"] = blocks(run_ours(args.messages, args.block), args.block)
    if args.only != "ours":
        results["stock Rasa 3.6"] = blocks(run_stock(args.messages, args.block), args.block)

    print(f"\nOne conversation of {args.messages} messages, one after the other (REST channel; "
          f"median ms per message of each block of {args.block}; stock bot in {STOCK_DIR.relative_to(REPO_ROOT)})\n")
    names = list(results)
    print(f"{'messages':>12} | " + " | ".join(f"{name:>16}" for name in names))
    for index in range(len(next(iter(results.values())))):
        label = f"{index * args.block + 1}-{min((index + 1) * args.block, args.messages)}"
        print(f"{label:>12} | " + " | ".join(f"{results[name][index]:13.1f} ms" for name in names))
    print(f"{'last/first':>12} | " + " | ".join(f"{results[name][-1] / results[name][0]:15.2f}x" for name in names))
    print(f"\nload average (1, 5, 15 min) before: {', '.join(f'{x:.1f}' for x in load_before)}; "
          f"after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
