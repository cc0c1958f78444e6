"""A throwaway PostgreSQL database for tests, on deploy/local.py's LocalPostgres cluster.

Tests skip only when the server binaries are missing (CI installs the Debian
`postgresql` package through scripts/install.sh --with-test-tools).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from deploy.local import LocalPostgres, postgres_bindir


@contextlib.contextmanager
def postgres_cluster(database: str = "booking") -> Iterator[str]:
    """Yields the URL of an empty database on a fresh cluster; skips the test if PostgreSQL is missing."""
    try:
        postgres_bindir()
    except RuntimeError as missing:
        pytest.skip(str(missing))
    cluster = LocalPostgres().start()
    try:
        cluster.create_database(database)
        yield cluster.url(database)
    finally:
        cluster.cleanup()
