"""Starts the real backend service (`python -m bot.backend`) on a free loopback port."""

from __future__ import annotations

import pytest

from bot.backend.process import RunningBackend, start_backend, stop_backend
from bot.booking.notices import messages

__all__ = ["RunningBackend", "start_backend", "stop_backend"]


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    directory = tmp_path_factory.mktemp("backend")
    running = start_backend(f"sqlite:///{directory / 'backend.db'}", directory / "backend.log")
    yield running
    stop_backend(running)


def sms_opening(kind: str, language: str) -> str:
    """The fixed words an SMS of `kind` starts with (bot/booking/messages.yml, up to its first value)."""
    return messages()["kinds"][kind]["sms"][language].split("{", 1)[0].strip()
