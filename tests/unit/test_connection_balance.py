"""Connections passed between Rasa workers: who gets one, and the socket itself arriving whole."""

import socket
import time

from bot.runtime.connection_balance import SERVING_WITHIN_SECONDS, ConnectionBalancer, pick_target

NOW = 1000.0
SERVING = [NOW, NOW, NOW]


def test_a_connection_goes_to_the_least_busy_worker_only_when_keeping_it_would_leave_two_ahead():
    assert pick_target([0, 0], SERVING[:2], 0, NOW) is None  # 1 against 0 after it: kept
    assert pick_target([1, 0], SERVING[:2], 0, NOW) == 1  # 2 against 0: passed
    assert pick_target([3, 2, 1], SERVING, 0, NOW) == 2
    assert pick_target([2, 2, 5], SERVING, 0, NOW) is None


def test_a_worker_that_stopped_beating_gets_no_connections():
    stale = NOW - SERVING_WITHIN_SECONDS - 1
    assert pick_target([5, 0], [NOW, stale], 0, NOW) is None
    assert pick_target([5, 0, 3], [NOW, stale, NOW], 0, NOW) == 2
    assert pick_target([5, 0], [NOW, float("-inf")], 0, NOW) is None  # not serving yet


class SocketTransport:
    def __init__(self, sock):
        self.sock = sock

    def get_extra_info(self, name):
        return self.sock if name == "socket" else None


def joined(balancer, index):
    balancer.index = index
    return balancer


def test_a_passed_connection_reaches_the_other_worker_and_both_ends_still_talk():
    balancer = joined(ConnectionBalancer(2), 0)
    balancer.counts[0] = 1
    balancer.heartbeats[1] = time.monotonic()
    client, accepted = socket.socketpair()
    try:
        assert balancer.pass_on(SocketTransport(accepted))
        assert balancer.counts[:] == [1, 1]
        accepted.close()  # what the passing worker does with its own handle
        _, fds, _, _ = socket.recv_fds(balancer.inboxes[1][1], 1, 1)
        with socket.socket(fileno=fds[0]) as taken_over:
            client.sendall(b"GET / HTTP/1.1\r\n\r\n")
            assert taken_over.recv(100) == b"GET / HTTP/1.1\r\n\r\n"
            taken_over.sendall(b"HTTP/1.1 200 OK\r\n")
            assert client.recv(100) == b"HTTP/1.1 200 OK\r\n"
    finally:
        client.close()


def test_a_connection_is_kept_and_counted_when_no_other_worker_serves():
    balancer = joined(ConnectionBalancer(2), 0)
    balancer.counts[0] = 4
    client, accepted = socket.socketpair()
    with client, accepted:
        assert not balancer.pass_on(SocketTransport(accepted))
    assert balancer.counts[:] == [5, 0]
    balancer.closed()
    assert balancer.counts[:] == [4, 0]


def test_a_connection_is_kept_when_the_other_worker_cannot_be_reached():
    balancer = joined(ConnectionBalancer(2), 0)
    balancer.counts[0] = 3
    balancer.heartbeats[1] = time.monotonic()
    balancer.inboxes[1][1].close()  # the receiving end is gone: sending fails
    client, accepted = socket.socketpair()
    with client, accepted:
        assert not balancer.pass_on(SocketTransport(accepted))
    assert balancer.counts[:] == [4, 0]


def test_outside_a_worker_nothing_is_counted_or_passed():
    balancer = ConnectionBalancer(2)
    client, accepted = socket.socketpair()
    with client, accepted:
        assert not balancer.pass_on(SocketTransport(accepted))
    balancer.closed()
    assert balancer.counts[:] == [0, 0]


def test_a_serving_worker_takes_over_a_passed_connection_with_its_own_protocol():
    import asyncio

    async def scenario():
        received = asyncio.get_running_loop().create_future()

        class Echo(asyncio.Protocol):
            def connection_made(self, transport):
                self.transport = transport

            def data_received(self, data):
                self.transport.write(data.upper())
                received.set_result(data)

        balancer = ConnectionBalancer(2)
        balancer.join(asyncio.get_running_loop(), Echo)
        balancer.join(asyncio.get_running_loop(), Echo)  # the second worker to join is number 1
        assert balancer.index == 1
        balancer.start_serving()
        assert time.monotonic() - balancer.heartbeats[1] < 1
        client, accepted = socket.socketpair()
        socket.send_fds(balancer.inboxes[1][0], [b"c"], [accepted.fileno()])
        accepted.close()
        client.sendall(b"hello")
        assert await asyncio.wait_for(received, 5) == b"hello"
        client.settimeout(5)
        assert client.recv(10) == b"HELLO"
        client.close()
        balancer.stop_serving()
        assert balancer.heartbeats[1] == float("-inf")

    asyncio.run(scenario())
