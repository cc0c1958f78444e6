"""First come, first served: each Rasa process works on a few messages at a time.

Rasa starts on every message the moment it arrives, so under a burst dozens of
turns share the process and each step of each turn (understanding, every
action call, saving) queues behind all the others. A turn with several action
calls, such as a booking's first message, then took five times as long as a
plain question (bench/load: p99 four to five times the median). Here a few
messages are worked on at once and the rest wait in arrival order: throughput
stays the same and the slowest replies come about twice as fast
(docs/performance.md). MESSAGE_CONCURRENCY sets how many (default 4: enough to keep the
process busy while some of them wait for the action server).

A message waits at most MAX_WAIT_SECONDS for its turn and then goes ahead
anyway: turns stuck on a hung action server (Rasa waits minutes for it) must
not hold up answers that need no action at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

from bot.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT_SECONDS = 5.0
_WARNING_INTERVAL_SECONDS = 60.0
_last_warning = float("-inf")
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
    semaphore = _semaphore()
    try:
        if semaphore.locked():
            await asyncio.wait_for(semaphore.acquire(), MAX_WAIT_SECONDS)
        else:
            await semaphore.acquire()  # free: no timer needed
    except TimeoutError:
        _warn_overtaken()
        return await work()
    try:
        return await work()
    finally:
        semaphore.release()


def _warn_overtaken() -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARNING_INTERVAL_SECONDS:  # once a minute, not for every message of a burst
        _last_warning = now
        logger.warning("Messages waited over %.0f s for their turn and went ahead: Rasa is overloaded or "
                       "turns are stuck (is the action server answering?)", MAX_WAIT_SECONDS)
