"""Even out client connections between the Rasa server's worker processes.

Sanic's workers share one listening socket, and whichever worker is awake
first accepts the connections waiting. Clients keep their connection for the
next message, so a burst decides the split for as long as it lasts: with 32
clients starting together, one worker's messages waited a median 253 ms for
their turn and the other's 51 ms (bench/load, timed inside each worker).

Here a worker that accepts a connection while it holds more than another
serving worker passes the socket to that worker (SCM_RIGHTS over a Unix socket
pair made before the workers start) before reading a byte from it. Clients see
nothing: the connection is the same. A worker counts as serving while it beats
a shared heartbeat; a stopped or stuck one gets no connections.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
import time
from collections.abc import Callable
from functools import partial
from typing import Any

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
SERVING_WITHIN_SECONDS = 5.0  # a worker silent this long is not handed connections
_MAX_FDS_PER_READ = 16


def pick_target(counts: list[int], heartbeats: list[float], me: int, now: float) -> int | None:
    """The serving worker to pass a newly accepted connection to, or None to keep it.

    `counts` are the connections each worker holds, not counting the new one: it is
    passed on only if keeping it would leave this worker two or more ahead.
    """
    serving = [i for i in range(len(counts)) if i != me and now - heartbeats[i] <= SERVING_WITHIN_SECONDS]
    if not serving:
        return None
    target = min(serving, key=lambda i: counts[i])
    return target if counts[me] >= counts[target] + 1 else None


class ConnectionBalancer:
    """State shared by the workers (made in the main process, inherited by each fork)."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.counts = context.Array("i", workers)  # its lock guards counts and heartbeats
        self.heartbeats = context.Array("d", [float("-inf")] * workers, lock=False)
        self._next_index = context.Value("i", 0)
        # One inbox per worker: any worker sends to it, only its owner reads it.
        self.inboxes = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(workers)]
        for sender, receiver in self.inboxes:
            sender.setblocking(False)
            receiver.setblocking(False)
        self.index: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._adopt_factory: Any = None
        self._serving = False

    # -- in a worker, before it serves -------------------------------------
    def join(self, loop: asyncio.AbstractEventLoop, adopt_factory: Any) -> None:
        with self._next_index.get_lock():
            index = self._next_index.value
            self._next_index.value += 1
        if index >= len(self.counts):  # more workers than planned: this one just serves
            return
        self.index, self._loop, self._adopt_factory = index, loop, adopt_factory

    def start_serving(self) -> None:
        """From the moment the worker serves: take connections from the others and beat."""
        if self.index is None or self._loop is None or self._serving:
            return
        self._serving = True
        self._loop.add_reader(self.inboxes[self.index][1].fileno(), self._receive)
        self._beat()

    def stop_serving(self) -> None:
        if not self._serving:
            return
        self._serving = False
        self.heartbeats[self.index] = float("-inf")
        self._loop.remove_reader(self.inboxes[self.index][1].fileno())

    def _beat(self) -> None:
        if not self._serving:
            return
        self.heartbeats[self.index] = time.monotonic()
        self._loop.call_later(HEARTBEAT_SECONDS, self._beat)

    # -- per connection ------------------------------------------------------
    def pass_on(self, transport: asyncio.BaseTransport) -> bool:
        """Counts a newly accepted connection here, or sends it to a less busy worker
        (True: the caller then drops its own handle without closing the connection)."""
        if self.index is None:
            return False
        me = self.index
        with self.counts.get_lock():
            target = pick_target(self.counts[:], self.heartbeats[:], me, time.monotonic())
            if target is not None:
                sock = transport.get_extra_info("socket")
                try:
                    socket.send_fds(self.inboxes[target][0], [b"c"], [sock.fileno()])
                except (OSError, AttributeError):  # inbox full, or no socket: serve it here
                    target = None
            self.counts[me if target is None else target] += 1
        return target is not None

    def closed(self) -> None:
        if self.index is not None:
            with self.counts.get_lock():
                self.counts[self.index] -= 1

    def _receive(self) -> None:
        while True:
            try:
                _, fds, _, _ = socket.recv_fds(self.inboxes[self.index][1], 1, _MAX_FDS_PER_READ)
            except (BlockingIOError, InterruptedError):
                return
            for fd in fds:
                self._loop.create_task(self._adopt(socket.socket(fileno=fd)))

    async def _adopt(self, sock: socket.socket) -> None:
        try:
            sock.setblocking(False)
            await self._loop.connect_accepted_socket(self._adopt_factory, sock)
        except Exception:  # the client is gone, or the socket is unusable: nothing to serve
            logger.warning("A connection passed from another worker could not be taken over", exc_info=True)
            self.closed()
            sock.close()


_balancer: ConnectionBalancer | None = None


class _Balanced:
    """Mixed into Sanic's protocol class: connections are counted, and passed on at once
    when another worker holds fewer."""

    _adopted = False
    _passed_on = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if _balancer is not None and not self._adopted and _balancer.pass_on(transport):
            self._passed_on = True
            transport.abort()  # closes this process's handle only: the other worker holds the socket
            return
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._passed_on:
            return
        if _balancer is not None:
            _balancer.closed()
        super().connection_lost(exc)


def _balanced_serve(original_serve: Any, **settings: Any) -> Any:
    """Sanic's `serve` (run in each worker) with the loop, connection set and protocol made
    here, so connections passed from other workers get the very protocol Sanic would give them."""
    from sanic.server.runners import _build_protocol_kwargs

    loop = settings.get("loop") or asyncio.new_event_loop()  # what Sanic itself does after the fork
    asyncio.set_event_loop(loop)
    connections = settings.get("connections")
    connections = set() if connections is None else connections
    base = settings["protocol"]
    protocol = type(f"Balanced{base.__name__}", (_Balanced, base), {})
    app = settings["app"]
    factory = partial(protocol, loop=loop, connections=connections, signal=settings.get("signal"), app=app,
                      state=settings.get("state"), unix=settings.get("unix"),
                      **_build_protocol_kwargs(protocol, app.config))

    def adopted() -> Any:
        instance = factory()
        instance._adopted = True
        return instance

    _balancer.join(loop, adopted)
    settings.update(loop=loop, connections=connections, protocol=protocol)
    return original_serve(**settings)


def install(workers: int) -> Callable[[], None]:
    """In the main process, before Sanic starts its `workers` worker processes (the patch
    `connection_balance`, bot/runtime/patches.py). Returns how to undo it."""
    global _balancer
    if _balancer is not None or workers <= 1 or not hasattr(socket, "send_fds"):
        return lambda: None
    from sanic.server import runners

    original = runners.serve
    _balancer = ConnectionBalancer(workers)
    runners.serve = partial(_balanced_serve, original)

    def undo() -> None:
        global _balancer
        runners.serve, _balancer = original, None
    return undo


def install_from_environment() -> Callable[[], None]:
    """Balances when Rasa runs several workers (SANIC_WORKERS, as Rasa reads it)."""
    try:
        workers = int(os.environ.get("SANIC_WORKERS") or 1)
    except ValueError:
        return lambda: None
    return install(workers)


def start_serving(*_: object) -> None:
    """A Sanic listener (after_server_start): this worker now takes passed connections."""
    if _balancer is not None:
        _balancer.start_serving()


def stop_serving(*_: object) -> None:
    """A Sanic listener (before_server_stop): no more connections for this worker."""
    if _balancer is not None:
        _balancer.stop_serving()
