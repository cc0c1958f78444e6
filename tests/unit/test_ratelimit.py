"""The sliding-window limiter counts per key and forgets idle keys by itself."""

from bot.backend import ratelimit
from bot.backend.ratelimit import RateLimiter


def test_a_key_over_its_limit_waits_for_the_window():
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")
    now[0] = 61.0
    assert limiter.allow("a")


def test_idle_keys_are_forgotten_every_so_many_calls(monkeypatch):
    monkeypatch.setattr(ratelimit, "PRUNE_EVERY", 5)
    now = [0.0]
    limiter = RateLimiter(1, 60.0, clock=lambda: now[0])
    for client in ("a", "b", "c"):
        limiter.allow(client)
    now[0] = 61.0
    limiter.allow("d")
    assert len(limiter._events) == 4   # four calls: nothing forgotten yet
    limiter.allow("d")                 # the fifth call prunes the idle ones first
    assert set(limiter._events) == {"d"}
