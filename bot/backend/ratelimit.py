"""In-process sliding-window rate limits, keyed by client, phone, customer number..."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

# Calls of `allow` between forgetting idle keys, so a limiter keyed on clients stays bounded by itself.
PRUNE_EVERY = 10_000


class RateLimiter:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._calls = 0

    def _recent(self, key: str) -> deque[float]:
        events = self._events[key]
        cutoff = self.clock() - self.window
        while events and events[0] <= cutoff:
            events.popleft()
        return events

    def allow(self, key: str) -> bool:
        """Counts one event for `key`; False when the key is over its limit."""
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self.prune()
        events = self._recent(key)
        if len(events) >= self.limit:
            return False
        events.append(self.clock())
        return True

    def retry_after(self, key: str) -> float:
        events = self._recent(key)
        return max(0.0, events[0] + self.window - self.clock()) if len(events) >= self.limit else 0.0

    def prune(self) -> None:
        """Forgets idle keys so memory stays bounded."""
        for key in [key for key in self._events if not self._recent(key)]:
            del self._events[key]
