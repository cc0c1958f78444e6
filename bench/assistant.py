"""The whole assistant on free loopback ports, with fresh databases, for a benchmark run."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from bot.settings import load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model


@contextmanager
def running_assistant(model: Path | None = None) -> Iterator[tuple[str, str]]:
    """(Rasa's base URL, its API token) while backend, action server and Rasa run; all stopped after.

    The model is the current one (trained first if its inputs changed) unless one is given.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        databases = Path(folder)
        settings = replace(
            load_settings(), host="127.0.0.1",
            rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), sms_gateway_port=free_port(),
            backend_port=free_port(), tracker_db=databases / "tracker.db",
            backend_db_url=f"sqlite:///{databases / 'backend.db'}",
        )
        with Supervisor(settings, model or ensure_model(), log_dir=databases / "logs") as supervisor:
            yield f"http://{settings.host}:{settings.rasa_port}", supervisor.api_token
