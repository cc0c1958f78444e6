"""Throwaway PostgreSQL, Redis and nginx on loopback, in a temporary directory, from Debian's packages.

For the scale-out test, `bench/scale.py` and trying the scale-out mode on one
machine (`python -m deploy.scale`). Each server runs as the current user, on a
port given by the caller, with its data, configuration, logs and pid file in
its own directory; PostgreSQL refuses to run as root, so as root it runs as
the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bot.supervisor import free_port

DEPLOY_DIR = Path(__file__).resolve().parent
NGINX_TEMPLATE = DEPLOY_DIR / "nginx.conf.template"


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what or 'server'} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what or 'server'} did not listen on port {port} within {timeout:.0f} s")


def private_dir(prefix: str) -> Path:
    """A fresh directory under the system temp dir that other local users can enter (nginx
    workers and PostgreSQL may run as another user than the caller)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def _stop_process(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl are: Debian keeps them off PATH, in /usr/lib/postgresql/<version>/bin."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL is not installed (scripts/install.sh --with-test-tools installs it)")


class LocalPostgres:
    """A PostgreSQL cluster in a temporary directory, trust authentication on 127.0.0.1 only."""

    user = "rasa"

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.directory = private_dir("pg-")
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.bindir = postgres_bindir()
        self.run_as = None
        if os.geteuid() == 0:
            # PostgreSQL will not run as root; Debian's package creates this user.
            self.run_as = "postgres" if _user_exists("postgres") else None
            if self.run_as is None:
                raise RuntimeError("running as root and there is no 'postgres' user to run PostgreSQL as")
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True, cwd=self.directory)

    def start(self) -> LocalPostgres:
        if not self.data.exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = f"-p {self.port} -h 127.0.0.1 -k '' -c fsync=off -c max_connections=200"
        result = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                           "-o", options, "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr} {self.log_tail()}")
        return self

    def stop(self) -> None:
        if self.data.exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def create_database(self, name: str) -> None:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class LocalRedis:
    """redis-server on 127.0.0.1, no persistence (locks only live as long as their tickets)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.directory = private_dir("redis-")
        self.process: subprocess.Popen | None = None
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is not installed (scripts/install.sh --with-test-tools installs it)")
        self.binary = binary
        (self.directory / "redis.conf").write_text(
            f"bind 127.0.0.1\nport {self.port}\nprotected-mode yes\ndaemonize no\n"
            f'dir {self.directory}\nsave ""\nappendonly no\nlogfile {self.directory / "redis.log"}\n'
            f"pidfile {self.directory / 'redis.pid'}\n")

    def start(self) -> LocalRedis:
        self.process = subprocess.Popen([self.binary, str(self.directory / "redis.conf")], cwd=self.directory,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, 30, self.process, "redis-server")
        return self

    def stop(self) -> None:
        _stop_process(self.process)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class LocalNginx:
    """nginx in the foreground with a config made from deploy/nginx.conf.template.

    `rasa` and `actions` are the upstream ports; it listens on `port` (Rasa)
    and `actions_port` (action servers), both on 127.0.0.1.
    """

    def __init__(self, rasa: list[int], actions: list[int], port: int | None = None,
                 actions_port: int | None = None) -> None:
        self.port = port or free_port()
        self.actions_port = actions_port or free_port()
        self.directory = private_dir("nginx-")
        self.process: subprocess.Popen | None = None
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed (scripts/install.sh --with-test-tools installs it)")
        self.binary = binary
        self.config = self.directory / "nginx.conf"
        self.config.write_text(render_nginx_config(
            rasa=[f"127.0.0.1:{port}" for port in rasa], actions=[f"127.0.0.1:{port}" for port in actions],
            listen=f"127.0.0.1:{self.port}", actions_listen=f"127.0.0.1:{self.actions_port}",
            runtime=self.directory))

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def start(self) -> LocalNginx:
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.directory), "-c", str(self.config), "-e", str(self.directory / "error.log")],
            cwd=self.directory, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "stderr.log", "ab"), start_new_session=True)
        try:
            wait_for_port(self.port, 30, self.process, "nginx")
            wait_for_port(self.actions_port, 30, self.process, "nginx")
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {(self.directory / 'stderr.log').read_text(errors='replace')}") from None
        return self

    def stop(self) -> None:
        _stop_process(self.process, signal.SIGQUIT)  # graceful: finishes requests in flight

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def render_nginx_config(rasa: list[str], actions: list[str], listen: str, actions_listen: str,
                        runtime: Path) -> str:
    """deploy/nginx.conf.template with the upstream servers, listen addresses and a runtime directory."""
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    values = {
        "USER": user,
        "RUNTIME": str(runtime),
        "RASA_SERVERS": "\n".join(f"        server {address};" for address in rasa),
        "ACTION_SERVERS": "\n".join(f"        server {address};" for address in actions),
        "LISTEN": listen,
        "ACTIONS_LISTEN": actions_listen,
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text
