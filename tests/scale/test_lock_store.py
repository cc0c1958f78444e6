"""The Redis lock store shared by several Rasa servers (bot/runtime/lock_store.py), against a real
redis-server: servers taking turns on one conversation never overlap, and none is refused."""

import asyncio
import threading

import pytest

from bot.runtime.lock_store import AtomicRedisLockStore
from deploy.local import LocalRedis

pytestmark = pytest.mark.integration

SERVERS = 4
TURNS = 15


@pytest.fixture(scope="module")
def redis_server():
    server = LocalRedis().start()
    yield server
    server.cleanup()


def test_one_conversation_is_handled_by_one_server_at_a_time(redis_server):
    inside: list[int] = []
    overlaps: list[tuple[int, list[int]]] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    async def server(number: int) -> None:
        # Each "server" has its own store and Redis connection, like a separate Rasa process.
        store = AtomicRedisLockStore(host="127.0.0.1", port=redis_server.port, db=1, key_prefix="test")
        for _ in range(TURNS):
            async with store.lock("conversation-1", wait_time_in_seconds=0.005):
                with guard:
                    if inside:
                        overlaps.append((number, list(inside)))
                    inside.append(number)
                await asyncio.sleep(0.002)
                with guard:
                    inside.remove(number)

    def run(number: int) -> None:
        try:
            asyncio.run(server(number))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SERVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert not overlaps, overlaps[:5]
    # The last server out removed the lock: nothing stays behind in Redis.
    store = AtomicRedisLockStore(host="127.0.0.1", port=redis_server.port, db=1, key_prefix="test")
    assert store.get_lock("conversation-1") is None


def test_configured_from_endpoints(redis_server):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(url="127.0.0.1", type="bot.runtime.lock_store.AtomicRedisLockStore",
                            port=str(redis_server.port), db="1", password="", key_prefix="migri")
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    ticket = store.issue_ticket("c-2")
    assert store.get_lock("c-2").now_serving == ticket
    store.cleanup("c-2", ticket)
    assert store.get_lock("c-2") is None
