"""The test stacks' shared parts: settings for a stack of the real processes on free loopback ports,
and the folders each stack wrote to (tests/security/test_var_scan.py scans them after the suite)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model

# Every folder a test stack kept its databases or logs in, in the order they were made.
USED_VAR_DIRS: list[Path] = []
# Every stack started in this test session (the last test stops them before scanning their files).
STARTED_STACKS: list[Supervisor] = []


def loopback_settings(databases: Path, **overrides: Any) -> Settings:
    """Settings from the environment, all on 127.0.0.1 with free ports and the databases in `databases`."""
    os.environ.pop("BACKEND_URL", None)   # the stack's own backend, never one set outside
    return replace(
        load_settings(), host="127.0.0.1",
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), sms_gateway_port=free_port(),
        backend_port=free_port(), tracker_db=databases / "tracker.db",
        backend_db_url=f"sqlite:///{databases / 'backend.db'}", **overrides,
    )


def loopback_stack(tmp_path_factory: Any, name: str, model: Path | None = None, **overrides: Any) -> Supervisor:
    """A supervisor of every process on loopback (use it `with`), its databases and logs in fresh folders;
    with the current model unless `model` names another."""
    databases, logs = tmp_path_factory.mktemp(f"{name}-db"), tmp_path_factory.mktemp(f"{name}-logs")
    USED_VAR_DIRS.extend([databases, logs])
    supervisor = Supervisor(loopback_settings(databases, **overrides), model or ensure_model(), log_dir=logs)
    STARTED_STACKS.append(supervisor)
    return supervisor
