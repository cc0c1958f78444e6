"""Messages are worked on a few at a time, in the order they came (bot/runtime/admission.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime import admission
from bot.runtime.admission import in_turn


@pytest.fixture(autouse=True)
def two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESSAGE_CONCURRENCY", "2")
    admission.get_settings.cache_clear()
    yield
    admission.get_settings.cache_clear()


async def test_at_most_the_limit_run_at_once_and_the_rest_start_in_arrival_order() -> None:
    running, most, started = 0, 0, []

    async def message(number: int) -> int:
        nonlocal running, most
        started.append(number)
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01 if number % 3 else 0.03)
        running -= 1
        return number

    results = await asyncio.gather(*(in_turn(lambda n=n: message(n)) for n in range(10)))
    assert results == list(range(10))
    assert most == 2
    assert started == list(range(10))


async def test_a_failed_or_cancelled_message_gives_its_turn_to_the_next() -> None:
    gate = asyncio.Event()

    async def fails() -> None:
        raise RuntimeError("action server down")

    async def waits() -> str:
        await gate.wait()
        return "done"

    with pytest.raises(RuntimeError):
        await in_turn(fails)
    first = asyncio.create_task(in_turn(waits))
    second = asyncio.create_task(in_turn(waits))
    queued = asyncio.create_task(in_turn(waits))
    await asyncio.sleep(0)
    queued.cancel()  # e.g. the client went away while it waited
    first.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await second == "done"
    assert await asyncio.wait_for(asyncio.gather(in_turn(waits), in_turn(waits)), 1) == ["done", "done"]


def test_the_limit_must_be_at_least_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    monkeypatch.setenv("MESSAGE_CONCURRENCY", "0")
    with pytest.raises(ValueError, match="MESSAGE_CONCURRENCY"):
        load_settings()


async def test_a_message_goes_ahead_when_stuck_turns_keep_it_waiting(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(admission, "MAX_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(admission, "_last_warning", float("-inf"))
    hung = asyncio.Event()

    async def stuck() -> None:
        await hung.wait()  # e.g. a hung action server

    async def faq() -> str:
        return "answer"

    stuck_turns = [asyncio.create_task(in_turn(stuck)) for _ in range(2)]
    await asyncio.sleep(0)
    assert await asyncio.wait_for(in_turn(faq), 1) == "answer"
    assert "went ahead" in caplog.text
    hung.set()
    await asyncio.gather(*stuck_turns)
    assert await in_turn(faq) == "answer"  # the stuck turns' places were given back
