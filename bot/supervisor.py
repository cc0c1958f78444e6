"""Starts the action server, the Rasa server and the web server, and stops them together.

`python -m bot.supervisor` is what `make run` calls; the integration tests use
the same `Supervisor` to run the real processes on loopback.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import (
    MAX_REQUEST_BYTES,
    RASA_PROCESS_ENV,
    RASA_WORKER_READY,
    REPO_ROOT,
    Settings,
    action_server_token,
    backend_token,
    chat_relay_token,
    get_settings,
    private_dir,
    rest_channel_tokens,
    rest_sender_key,
    sms_hash_key,
)

PRIVATE_UMASK = 0o077


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    startup_timeout: float
    process: subprocess.Popen | None = None
    # Worker processes that must each write RASA_WORKER_READY to the log (a health check reaches only one).
    workers: int = 1
    log_start: int = 0
    env: dict[str, str] = field(default_factory=dict)  # this process's own additions to the environment


@dataclass(frozen=True)
class ScaleOut:
    """Several Rasa servers and action servers behind a load balancer, sharing their stores (deploy/).

    `env` adds the shared stores' addresses for `endpoints` and points
    ACTION_ENDPOINT_URL at the balancer; only the services in `parts` run.
    """

    rasa_ports: tuple[int, ...]
    action_ports: tuple[int, ...]
    endpoints: Path
    env: dict[str, str] = field(default_factory=dict)
    parts: frozenset[str] = frozenset({"backend", "actions", "rasa"})


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (tests, benchmarks, local stacks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StartupError(RuntimeError):
    """A service did not become healthy in time."""


class Supervisor:
    """Runs the project's processes; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Path = REPO_ROOT / "var" / "log",
        api_token: str | None = None,
        scale_out: ScaleOut | None = None,
    ) -> None:
        self.settings = settings
        self.scale_out = scale_out
        self.model = model
        self.log_dir = log_dir
        self.api_token = api_token or os.environ.get("RASA_API_TOKEN") or secrets.token_hex(24)
        self.sms_auth_token = os.environ.get("SMS_AUTH_TOKEN") or secrets.token_hex(24)
        self.services = self._services()

    def _env(self) -> dict[str, str]:
        settings = self.settings
        return {
            **os.environ,
            **RASA_PROCESS_ENV,
            "SANIC_HOST": settings.host,
            "ACTION_ENDPOINT_URL": settings.actions_url,
            "RASA_PORT": str(settings.rasa_port),
            "ACTIONS_PORT": str(settings.actions_port),
            "WEB_PORT": str(settings.web_port),
            "BOT_HOST": settings.host,
            "PYTHONPATH": str(REPO_ROOT),
            "SMS_AUTH_TOKEN": self.sms_auth_token,
            "SMS_ACCOUNT_SID": os.environ.get("SMS_ACCOUNT_SID", "AC-local"),
            "SMS_HASH_KEY": sms_hash_key(),
            "REST_SENDER_KEY": rest_sender_key(),
            "SMS_GATEWAY_URL": settings.sms_gateway_url,
            "SMS_PUBLIC_URL": settings.sms_webhook_url,
            "SMS_SENDER": settings.sms_sender,
            "SMS_GATEWAY_PORT": str(settings.sms_gateway_port),
            # The backend's outbox SMS (booking messages, one-time codes) go to the demo's gateway simulator;
            # otherwise to the gateway an operator configures, else they are only recorded.
            "NOTIFY_SMS_SENDER": os.environ.get("NOTIFY_SMS_SENDER", "gateway" if settings.local_demo else "local"),
            "LOCAL_DEMO": "true" if settings.local_demo else "false",
            "TRACKER_DB_DIALECT": os.environ.get("TRACKER_DB_DIALECT", "sqlite"),
            "TRACKER_DB": str(settings.tracker_db),
            # Scale-out runs one worker per Rasa server (several servers, Redis locks).
            "SANIC_WORKERS": "1" if self.scale_out else str(settings.rasa_workers),
            # Several workers share conversation locks in this file (bot/runtime/endpoints.py).
            "RASA_LOCK_DB": str(settings.tracker_db.parent / "locks.db"),
            "TRACKER_DB_URL": settings.tracker_url,
            "REVIEW_DB_URL": settings.review_url,
            "BACKEND_PORT": str(settings.backend_port),
            "BACKEND_URL": settings.backend_url,
            "BACKEND_DB_URL": settings.backend_db_url,
            "BACKEND_TOKEN": backend_token(),
            "ACTION_SERVER_TOKEN": action_server_token(),
            "CHAT_RELAY_TOKEN": chat_relay_token(),
            **(self.scale_out.env if self.scale_out else {}),
        }

    def _services(self) -> list[Service]:
        s = self.settings
        python = sys.executable
        base = f"http://{s.host}"
        services = [
            Service(
                "backend",
                [python, "-m", "bot.backend", "--host", s.host, "--port", str(s.backend_port)],
                f"{base}:{s.backend_port}/healthz",
                60,
            ),
            self._actions_service("actions", s.actions_port),
            self._rasa_service("rasa", s.rasa_port, REPO_ROOT / "endpoints.yml"),
            Service(
                "web",
                [python, "-m", "bot.web.app", "--host", s.host, "--port", str(s.web_port)],
                f"{base}:{s.web_port}/healthz",
                30,
            ),
        ]
        if s.local_demo:  # unauthenticated by design: only in a laptop demo, and on loopback only
            services.insert(3, Service(
                "sms-gateway",
                [python, "-m", "bot.sms.simulator", "--host", "127.0.0.1", "--port", str(s.sms_gateway_port)],
                f"http://127.0.0.1:{s.sms_gateway_port}/healthz",
                30,
            ))
        scale = self.scale_out
        if scale is None:
            return services
        # Scale-out: numbered copies of the action and Rasa servers replace the single ones.
        kept = [service for service in services if service.name in scale.parts - {"actions", "rasa"}]
        actions = [self._actions_service(f"actions-{n}", port) for n, port in enumerate(scale.action_ports, 1)]
        rasa = [self._rasa_service(f"rasa-{n}", port, scale.endpoints) for n, port in enumerate(scale.rasa_ports, 1)]
        return kept + actions + rasa

    def _actions_service(self, name: str, port: int) -> Service:
        return Service(
            name,
            # rasa_sdk behind the token Rasa shows it (bot/action_server.py).
            [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(port)],
            f"http://{self.settings.host}:{port}/health",
            60,
        )

    def _rasa_service(self, name: str, port: int, endpoints: Path) -> Service:
        s = self.settings
        return Service(
            name,
            [
                # The launcher: version check, patches, and a shared lock store for several workers.
                sys.executable, "-m", "bot.runtime",
                "--model", str(self.model),
                "--interface", s.host,
                "--port", str(port),
                "--enable-api",
                f"--auth-token={self.api_token}",
                "--endpoints", str(endpoints),
                "--credentials", str(REPO_ROOT / "credentials.yml"),
            ],
            f"http://{s.host}:{port}/status?token={self.api_token}",
            240,
            workers=1 if self.scale_out else s.rasa_workers,
            # Sanic refuses larger bodies with 413 before reading them (its default is 100 MB).
            env={"SANIC_REQUEST_MAX_SIZE": str(MAX_REQUEST_BYTES)},
        )

    def _launch(self, service: Service, env: dict[str, str]) -> None:
        # Databases, their WAL files, logs and secrets are the owner's alone: each process runs with umask
        # 077 (files 0600, folders 0700), and so is the log it writes to.
        descriptor = os.open(self.log_dir / f"{service.name}.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "ab") as log:
            service.log_start = log.tell()
            service.process = subprocess.Popen(
                service.command, cwd=REPO_ROOT, env={**env, **service.env}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, umask=PRIVATE_UMASK,
            )

    def service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def stop_service(self, name: str) -> None:
        """Stops one process (the fault tests use it to take a part down)."""
        self._terminate([self.service(name)])

    def restart_service(self, name: str) -> None:
        service = self.service(name)
        self.stop_service(name)
        self._launch(service, self._env())
        self._wait_healthy(service)

    def start(self) -> None:
        private_dir(self.log_dir)
        private_dir(self.settings.tracker_db.parent)
        env = self._env()
        for service in self.services:
            self._launch(service, env)
        try:
            for service in self.services:
                self._wait_healthy(service)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, service: Service) -> None:
        deadline = time.monotonic() + service.startup_timeout
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise StartupError(f"{service.name} exited with {service.process.returncode}; {self.log_tail(service)}")
            try:
                with urllib.request.urlopen(service.health_url, timeout=2) as response:
                    if response.status == 200 and self._workers_ready(service) >= service.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise StartupError(
            f"{service.name} not healthy after {service.startup_timeout:.0f} s; {self.log_tail(service)}")

    def _workers_ready(self, service: Service) -> int:
        if service.workers <= 1:
            return 1
        path = self.log_dir / f"{service.name}.log"
        with open(path, "rb") as log:
            log.seek(service.log_start)
            return log.read().count(RASA_WORKER_READY.encode())

    def log_tail(self, service: Service, lines: int = 15) -> str:
        path = self.log_dir / f"{service.name}.log"
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        return "last log lines:\n" + "\n".join(text)

    def stop(self, timeout: float = 10.0) -> None:
        self._terminate(self.services, timeout)

    @staticmethod
    def _terminate(services: list[Service], timeout: float = 10.0) -> None:
        """SIGTERM to each process group, SIGKILL to whatever is still there after `timeout`."""
        started = [service.process for service in services if service.process is not None]
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in started:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> Supervisor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main() -> None:
    from bot.training import ensure_model

    parser = argparse.ArgumentParser(description="Start every process of the assistant.")
    parser.add_argument("--model", type=Path, help="model file (default: train if needed)")
    args = parser.parse_args()
    settings = get_settings()
    model = args.model or ensure_model()
    supervisor = Supervisor(settings, model)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Starting the action server, the Rasa server and the web server...", flush=True)
    try:
        supervisor.start()
    except StartupError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        sys.exit(1)
    print(
        f"\nThe assistant is running.\n"
        f"  Chat page:   http://{settings.host}:{settings.web_port}/\n"
        f"  Staff review: http://{settings.host}:{settings.web_port}/review/"
        f" (accounts: python -m bot.review.accounts)\n"
        f"  Rasa REST:   http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook"
        f" ({'on' if rest_channel_tokens() else 'off'}: REST_CHANNEL_TOKENS, docs/security.md)\n"
        + (f"  SMS (local demo gateway simulator): POST http://127.0.0.1:{settings.sms_gateway_port}/inbound\n"
           if settings.local_demo else "") +
        f"  Logs:        {supervisor.log_dir}\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    while not stopping:
        for service in supervisor.services:
            if not stopping and service.process and service.process.poll() is not None:
                # A crashed part is started again; the others keep serving meanwhile.
                print(f"{service.name} stopped unexpectedly; restarting it. {supervisor.log_tail(service, 5)}",
                      file=sys.stderr, flush=True)
                try:
                    supervisor.restart_service(service.name)
                except StartupError as error:
                    print(f"Could not restart {service.name}: {error}", file=sys.stderr)
                    stopping = True
        time.sleep(0.5)
    print("Stopping...", flush=True)
    supervisor.stop()
    print("Stopped.")


if __name__ == "__main__":
    main()
