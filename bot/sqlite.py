"""SQLite settings every connection of an engine needs (pragmas are per connection, not per file)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def on_connect(engine: Engine, *pragmas: str, driver_transactions: bool = True) -> None:
    """Runs `PRAGMA <each>` on every new connection of `engine`. With driver_transactions=False the
    sqlite3 driver's implicit BEGIN is switched off, so the engine's own "begin" events decide."""

    @event.listens_for(engine, "connect")
    def _configure(connection: Any, _record: Any) -> None:
        if not driver_transactions:
            connection.isolation_level = None
        cursor = connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
