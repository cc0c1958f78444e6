"""A backend part's long-running task: started once the application has started (after the schema
is made: aiohttp's cleanup contexts would run before on_startup handlers), cancelled on cleanup."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aiohttp import web


def run_in_background(app: web.Application, name: str, work: Callable[[], Awaitable[None]], *,
                      before: Callable[[], Awaitable[None]] | None = None,
                      after: Callable[[], Awaitable[None]] | None = None) -> None:
    """Runs `work()` as task `name` while `app` runs; `before()` first at start, `after()` last at cleanup."""
    tasks: list[asyncio.Task] = []

    async def start(_: web.Application) -> None:
        if before is not None:
            await before()
        tasks.append(asyncio.create_task(work(), name=name))

    async def stop(_: web.Application) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if after is not None:
            await after()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
