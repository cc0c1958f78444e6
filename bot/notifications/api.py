"""Backend module for notifications: runs the dispatcher that sends due outbox messages in the
background (senders chosen by NOTIFY_SMS_SENDER / NOTIFY_EMAIL_SENDER, polling every
NOTIFY_POLL_SECONDS) and deletes finished messages after OUTBOX_RETENTION_DAYS. It adds no HTTP routes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.backend.background import run_in_background
from bot.notifications.dispatcher import Dispatcher
from bot.notifications.outbox import OutboxMessage
from bot.notifications.senders import senders_from_settings

OPENAPI_PATHS: dict = {}
OPENAPI_SCHEMAS: dict = {}
DISPATCHER = web.AppKey("notifications_dispatcher", Dispatcher)


def add_missing_columns(engine: Engine) -> None:
    """Adds outbox columns newer than a database made by an earlier version (create_all only makes tables)."""
    table = OutboxMessage.__table__
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    with engine.begin() as connection:
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))


def setup(app: web.Application, context: Any) -> None:
    settings = context.settings
    dispatcher = Dispatcher(context.db, senders_from_settings(settings), poll_seconds=settings.notify_poll_seconds,
                            max_attempts=settings.notify_max_attempts)
    app[DISPATCHER] = dispatcher
    async def schema() -> None:
        await asyncio.get_running_loop().run_in_executor(None, add_missing_columns, context.db.engine)

    run_in_background(app, "outbox-dispatcher", dispatcher.run_forever, before=schema, after=dispatcher.close)
