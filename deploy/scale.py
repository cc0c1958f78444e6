"""The scale-out mode on one machine: N Rasa servers and M action servers behind nginx, one backend,
conversations in PostgreSQL, conversation locks in Redis (all throwaway, on loopback).

    .venv/bin/python -m deploy.scale --rasa 2 --actions 2

The scale-out test (tests/scale/) and bench/scale.py use `ScaleStack`; on real
hosts the same files apply (deploy/endpoints.yml, deploy/nginx.conf.template)
with real PostgreSQL and Redis addresses in the environment (deploy/README.md).
"""

from __future__ import annotations

import argparse
import signal
import time
from dataclasses import replace
from pathlib import Path

from bot.settings import REPO_ROOT, Settings, load_settings
from bot.supervisor import ScaleOut, StartupError, Supervisor
from deploy.local import DEPLOY_DIR, LocalNginx, LocalPostgres, LocalRedis, free_port

ENDPOINTS = DEPLOY_DIR / "endpoints.yml"
TRACKER_DATABASE = "tracker"
BACKEND_DATABASE = "backend"


class ScaleStack:
    """Starts PostgreSQL, Redis, the backend, action servers, Rasa servers and nginx; stops them all."""

    def __init__(self, model: Path, rasa: int = 2, actions: int = 2, log_dir: Path | None = None,
                 settings: Settings | None = None) -> None:
        self.model = model
        self.log_dir = log_dir or REPO_ROOT / "var" / "log" / "scale"
        self.rasa_ports = tuple(free_port() for _ in range(rasa))
        self.action_ports = tuple(free_port() for _ in range(actions))
        self.base_settings = settings or load_settings()
        self.postgres = LocalPostgres()
        self.redis = LocalRedis()
        self.nginx = LocalNginx(list(self.rasa_ports), list(self.action_ports))
        self.supervisor: Supervisor | None = None

    @property
    def url(self) -> str:
        """Where clients send messages: nginx in front of the Rasa servers."""
        return f"http://127.0.0.1:{self.nginx.port}"

    @property
    def tracker_db_url(self) -> str:
        return self.postgres.url(TRACKER_DATABASE)

    def start(self) -> ScaleStack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.postgres.start()
            for database in (TRACKER_DATABASE, BACKEND_DATABASE):
                self.postgres.create_database(database)
            self.redis.start()
            self.nginx.start()
            settings = replace(
                self.base_settings, host="127.0.0.1", rasa_port=self.rasa_ports[0], actions_port=free_port(),
                backend_port=free_port(), web_port=free_port(), sms_gateway_port=free_port(),
                backend_db_url=self.postgres.url(BACKEND_DATABASE),
            )
            scale_out = ScaleOut(
                rasa_ports=self.rasa_ports, action_ports=self.action_ports, endpoints=ENDPOINTS,
                env={
                    "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.nginx.actions_port}/webhook",
                    "TRACKER_DB_HOST": "127.0.0.1",
                    "TRACKER_DB_PORT": str(self.postgres.port),
                    "TRACKER_DB_NAME": TRACKER_DATABASE,
                    "TRACKER_DB_USER": self.postgres.user,
                    "TRACKER_DB_PASSWORD": "",
                    "REDIS_HOST": "127.0.0.1",
                    "REDIS_PORT": str(self.redis.port),
                    "REDIS_DB": "1",
                    "REDIS_PASSWORD": "",
                    "BACKEND_URL": f"http://127.0.0.1:{settings.backend_port}",
                },
            )
            self.supervisor = Supervisor(settings, self.model, log_dir=self.log_dir, scale_out=scale_out)
            self.supervisor.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        for part in (self.nginx, self.redis, self.postgres):
            part.cleanup()

    def __enter__(self) -> ScaleStack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main() -> None:
    from bot.training import ensure_model

    parser = argparse.ArgumentParser(description="Run the scale-out mode on this machine (throwaway stores).")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    parser.add_argument("--model", type=Path, help="model file (default: train if needed)")
    args = parser.parse_args()
    stack = ScaleStack(args.model or ensure_model(), rasa=args.rasa, actions=args.actions)
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print(f"Starting PostgreSQL, Redis, nginx, {args.actions} action server(s), {args.rasa} Rasa server(s)...",
          flush=True)
    try:
        stack.start()
    except (StartupError, RuntimeError) as error:
        print(f"Could not start: {error}")
        raise SystemExit(1) from None
    print(f"\nRunning.\n  REST (through nginx): {stack.url}/webhooks/rest/webhook\n"
          f"  Rasa API token:       {stack.supervisor.api_token}\n"
          f"  PostgreSQL:           {stack.tracker_db_url}\n"
          f"  Redis:                127.0.0.1:{stack.redis.port}\n"
          f"  Logs:                 {stack.log_dir} (nginx: {stack.nginx.access_log})\n"
          f"Press Ctrl-C to stop.", flush=True)
    while not stopping:
        time.sleep(0.5)
    print("Stopping...", flush=True)
    stack.stop()


if __name__ == "__main__":
    main()
