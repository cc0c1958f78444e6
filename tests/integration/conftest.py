"""Starts the real action server, Rasa server and web server on free loopback ports."""

import socket
from dataclasses import replace

import pytest

from bot.settings import load_settings
from bot.supervisor import Supervisor
from bot.training import ensure_model


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    settings = replace(
        load_settings(), host="127.0.0.1",
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), sms_gateway_port=free_port(),
        tracker_db=tmp_path_factory.mktemp("db") / "tracker.db",
    )
    supervisor = Supervisor(settings, ensure_model(), log_dir=tmp_path_factory.mktemp("logs"))
    with supervisor:
        yield supervisor
