"""The SQLite lock store: several Rasa workers on one machine take turns on a conversation."""

import asyncio

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.runtime.lock_store import LOCK_POLL_SECONDS, SQLiteLockStore


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "locks.db")


def test_tickets_are_shared_between_workers(path):
    first, second = SQLiteLockStore(db=path), SQLiteLockStore(db=path)
    assert first.issue_ticket("c1") == 0
    assert second.issue_ticket("c1") == 1
    assert second.get_lock("c1").now_serving == 0
    first.cleanup("c1", 0)
    assert first.get_lock("c1").now_serving == 1
    second.cleanup("c1", 1)
    assert first.get_lock("c1") is None  # deleted with its last ticket


def test_one_conversation_is_handled_by_one_worker_at_a_time(path):
    workers = [SQLiteLockStore(db=path) for _ in range(3)]
    inside, order = [], []

    async def handle(store, number):
        async with store.lock("c1"):
            inside.append(number)
            assert len(inside) == 1
            await asyncio.sleep(0.01)
            order.append(number)
            inside.remove(number)

    async def main():
        await asyncio.gather(*(handle(workers[n % 3], n) for n in range(9)))

    asyncio.run(main())
    assert sorted(order) == list(range(9)) and workers[0].get_lock("c1") is None


def test_a_waiting_message_looks_again_soon(path, monkeypatch):
    store, pauses, sleep = SQLiteLockStore(db=path), [], asyncio.sleep

    async def recorded_sleep(seconds, *args):
        pauses.append(seconds)
        await sleep(seconds, *args)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)

    async def main():
        async def first():
            async with store.lock("c1"):
                await sleep(0.05)

        task = asyncio.create_task(first())
        await sleep(0.01)
        async with store.lock("c1"):
            pass
        await task

    asyncio.run(main())
    assert pauses and set(pauses) == {LOCK_POLL_SECONDS}  # Rasa's own default is a whole second


def test_configured_from_endpoints(path):
    store = LockStore.create(EndpointConfig(type="bot.runtime.lock_store.SQLiteLockStore", db=path))
    assert isinstance(store, SQLiteLockStore) and store.issue_ticket("c2") == 0
