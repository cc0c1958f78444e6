"""The endpoints file a Rasa server runs with: the one given, plus what several workers need.

Rasa's in-memory lock store serves one process only, and Rasa quietly runs one
worker when SANIC_WORKERS asks for more without a shared lock store. So when
SANIC_WORKERS > 1 and the endpoints name no lock store, the launcher runs Rasa
with a copy that adds the SQLite lock store (bot/runtime/lock_store.py) in a
file beside the tracker database. The copy is written by a YAML writer, with
a header naming its source, and logged. Likewise when the action endpoint sends no
Authorization header (e.g. the endpoints a Helm chart writes): the copy adds the action
server's bearer token, as `${ACTION_SERVER_TOKEN}` for Rasa to fill in, never the token itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SQLITE_LOCK_STORE = "bot.runtime.lock_store.SQLiteLockStore"
# What Rasa sends the action server (bot/action_server.py); Rasa fills in the variable when it reads the file.
ACTION_SERVER_AUTHORIZATION = "Bearer ${ACTION_SERVER_TOKEN}"


def with_worker_lock_store(config: dict[str, Any], workers: int, lock_db: Path) -> dict[str, Any]:
    """`config` (endpoints as read), with a SQLite lock store if several workers need one and none is set."""
    if workers <= 1 or config.get("lock_store"):
        return config
    return {**config, "lock_store": {"type": SQLITE_LOCK_STORE, "db": str(lock_db)}}


def with_action_server_token(config: dict[str, Any]) -> dict[str, Any]:
    """`config`, its action endpoint sending the action server's token if it sends no Authorization yet."""
    action = config.get("action_endpoint")
    if not isinstance(action, dict) or "Authorization" in (action.get("headers") or {}):
        return config
    headers = {**(action.get("headers") or {}), "Authorization": ACTION_SERVER_AUTHORIZATION}
    return {**config, "action_endpoint": {**action, "headers": headers}}


def effective_endpoints(source: Path, workers: int, lock_db: Path, target: Path) -> Path:
    """The file to give Rasa: `source` itself, or `target` written with the lock store added."""
    config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    effective = with_action_server_token(with_worker_lock_store(config, workers, lock_db))
    if effective == config:
        return source
    target.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Written by bot/runtime (python -m bot.runtime) from {source}: the same endpoints, plus\n"
              f"# the lock store {workers} Rasa workers share or the action server's token. Edit the source.\n")
    target.write_text(header + yaml.safe_dump(effective, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target
