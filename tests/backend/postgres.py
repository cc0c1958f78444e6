"""A throwaway PostgreSQL cluster for tests: initdb into a temporary directory, pg_ctl start on a free
loopback port, one database, and a postgresql:// URL; everything is removed afterwards.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user
(or `nobody`) via runuser. Tests skip only when the server binaries are missing
(Debian: `apt-get install postgresql`; PG_BIN may point at another bin directory).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import free_port

SKIP_REASON = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian 'postgresql' package "
               "or set PG_BIN to their directory")


def server_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    candidates = [Path(os.environ["PG_BIN"])] if os.environ.get("PG_BIN") else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0, reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _run_as() -> tuple[list[str], str | None]:
    """The command prefix that drops root, and the user it drops to."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"], user
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


@contextlib.contextmanager
def postgres_cluster(database: str = "booking") -> Iterator[str]:
    """Yields the URL of an empty database on a fresh cluster; skips the test if PostgreSQL is missing."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(SKIP_REASON)
    prefix, user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = free_port()
    superuser = "booking_test"

    def run(*command: str) -> None:
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, cwd=root)
        if result.returncode != 0:
            details = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {result.stderr.strip()}\n{details}")

    started = False
    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", superuser, "--auth=trust", "--encoding=UTF8",
            "--no-locale", "--no-sync")
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        started = True
        run(str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", superuser, database)
        yield f"postgresql://{superuser}@127.0.0.1:{port}/{database}"
    finally:
        if started:
            subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=60, cwd=root)
        shutil.rmtree(root, ignore_errors=True)
