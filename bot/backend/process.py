"""Runs one backend process on its own (tests and benchmarks); `make run` uses bot/supervisor.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.settings import REPO_ROOT
from bot.supervisor import free_port


@dataclass
class RunningBackend:
    url: str
    token: str
    db_url: str
    process: subprocess.Popen

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def start_backend(db_url: str, log_path: Path, extra_env: dict[str, str] | None = None,
                  token: str = "test-backend-token-0123456789abcdef", timeout: float = 120) -> RunningBackend:
    """Starts `python -m bot.backend` on a free loopback port and waits until it answers."""
    port = free_port()
    env = {**os.environ, "BACKEND_TOKEN": token, "BACKEND_DB_URL": db_url, "BACKEND_PORT": str(port),
           "PYTHONPATH": str(REPO_ROOT), "CASES_SEED_DEMO": "true", **(extra_env or {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.backend", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"backend exited: {Path(log_path).read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return RunningBackend(url, token, db_url, process)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("backend did not start")


def stop_backend(backend: RunningBackend) -> None:
    backend.process.terminate()
    try:
        backend.process.wait(10)
    except subprocess.TimeoutExpired:
        backend.process.kill()
