"""`make run`'s supervisor: starts every process, prints the chat URL, stops all on Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from bot.settings import REPO_ROOT
from bot.supervisor import free_port
from bot.training import ensure_model

pytestmark = pytest.mark.integration


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_everything_and_ctrl_c_stops_everything(tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port(),
             "SMS_GATEWAY_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.supervisor", "--model", str(ensure_model())],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            output.append(line)
            if "Press Ctrl-C to stop" in line or process.poll() is not None:
                break
        text = "".join(output)
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in text, text
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=5) as page:
            assert page.status == 200
        assert all(port_open(port) for port in ports.values())
    finally:
        process.send_signal(signal.SIGINT)
        remaining, _ = process.communicate(timeout=60)
    assert process.returncode == 0, remaining
    assert "Stopped." in remaining
    assert not any(port_open(port) for port in ports.values())
