"""First come, first served: each Rasa process works on a few messages at a time.

Rasa starts on every message the moment it arrives, so under a burst dozens of
turns share the process and each step of each turn (understanding, every
action call, saving) queues behind all the others. A turn with several action
calls, such as a booking's first message, then took five times as long as a
plain question (bench/load: p99 four to five times the median). Here a few
messages are worked on at once and the rest wait in arrival order: throughput
stays the same and the slowest replies come about twice as fast (README,
"Figures"). MESSAGE_CONCURRENCY sets how many (default 4: enough to keep the
process busy while some of them wait for the action server).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

from bot.settings import get_settings

T = TypeVar("T")
# One per event loop (a semaphore belongs to the loop it first waited on).
_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def _semaphore() -> asyncio.Semaphore:
    # Python 3.11's semaphore wakes its waiters in order and lets no newcomer pass them.
    loop = asyncio.get_running_loop()
    if loop not in _turns:
        _turns[loop] = asyncio.Semaphore(get_settings().message_concurrency)
    return _turns[loop]


async def in_turn(work: Callable[[], Awaitable[T]]) -> T:
    """Runs `work` once fewer than MESSAGE_CONCURRENCY messages are being worked on."""
    async with _semaphore():
        return await work()
