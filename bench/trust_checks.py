"""What the trust-boundary checks added by issue 16's last part cost a message, before and after, in one run.

Per message: the REST channel counts the integrator's token (channels/limits.py), or the SMS channel
the phone; each action call Rasa makes (a message makes one to four) passes the action server's
token check (bot/action_server.py); a one-time code asked by SMS is checked against the phone's
own conversation (bot/cases/verification.py, per code, not per message). Each is timed in a loop
of many calls against the same loop doing nothing ("before"), both in this process and run, the
median of several rounds. Rasa's own handling of a message takes tens of milliseconds: the checks
must stay far under 1 ms.

    flock /work/heavy.lock nice -n 5 .venv/bin/python -m bench.trust_checks
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

from bench.common import median
from bot.action_server import require_token
from bot.backend.client import client_id
from bot.sms.gateway import conversation_id
from channels.limits import ClientLimit

CALLS = 50_000
ROUNDS = 7
ACTION_CALLS_PER_MESSAGE = 4   # the most a turn of ours makes (session start, a form's validation, its action...)


def per_call_ns(work: Callable[[int], None]) -> float:
    """Median nanoseconds of one `work(i)` over ROUNDS rounds of CALLS calls."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        for i in range(CALLS):
            work(i)
        rounds.append((time.perf_counter_ns() - started) / CALLS)
    return median(rounds)


def main() -> None:
    rest_limit, sms_limit = ClientLimit(10**9), ClientLimit(10**9)
    integrators = [f"integrator-{n}" for n in range(20)]
    phones = [f"+35840{n:07d}" for n in range(5000)]
    check = require_token("t" * 48)
    request = SimpleNamespace(path="/webhook", headers={"Authorization": "Bearer " + "t" * 48})
    key = "k" * 64

    def token_check(_: int) -> None:
        coroutine = check(request)
        try:
            coroutine.send(None)
        except StopIteration:
            pass

    def own_phone(i: int) -> None:
        client_id(conversation_id(key, phones[i % len(phones)]))

    measured = {
        "before (empty loop)": per_call_ns(lambda i: None),
        "REST: the integrator's message count": per_call_ns(lambda i: rest_limit.allow(integrators[i % 20])),
        "SMS: the phone's message count": per_call_ns(lambda i: sms_limit.allow(phones[i % len(phones)])),
        "action server: token check, per action call": per_call_ns(token_check),
        "status check: own phone's conversation, per code": per_call_ns(own_phone),
    }
    baseline = measured["before (empty loop)"]
    print(f"{'check':52} {'ns/call':>9} {'after-before ns':>16}")
    for name, value in measured.items():
        print(f"{name:52} {value:9.0f} {value - baseline:16.0f}")
    rest = measured["REST: the integrator's message count"] - baseline
    action = measured["action server: token check, per action call"] - baseline
    worst = rest + ACTION_CALLS_PER_MESSAGE * action
    print(f"\nA REST message with {ACTION_CALLS_PER_MESSAGE} action calls: {worst / 1000:.1f} µs "
          f"({worst / 1e6:.4f} ms) of new checks")


if __name__ == "__main__":
    main()
