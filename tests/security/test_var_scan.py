"""After every other test of the session: the files the test stacks left (databases, their WAL
files, logs, the review database, lock stores) hold none of the personal data the tests typed
(tests/personal_data.py). Ordered last by tests/conftest.py; it stops the stacks first, so every
log line is written and every database closed.

The backend's database is left out on purpose: it is the system of record, where bookings and the
case register hold names, numbers and dates of birth by design, deleted by their retention
(bot/backend/retention.py, tests/security/test_retention.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import STARTED_STACKS, USED_VAR_DIRS
from tests.personal_data import TYPED_PERSONAL_DATA

pytestmark = [pytest.mark.integration, pytest.mark.after_everything]

SYSTEM_OF_RECORD = ("backend.db", "backend.db-wal", "backend.db-shm", "backend.db-journal")


def scanned_files() -> list[Path]:
    return sorted(path for directory in USED_VAR_DIRS for path in directory.rglob("*")
                  if path.is_file() and path.name not in SYSTEM_OF_RECORD)


def test_no_typed_personal_data_is_left_in_the_files_of_the_test_stacks():
    if not USED_VAR_DIRS:
        pytest.skip("no test stack ran in this session")
    for stack in STARTED_STACKS:
        stack.stop()
    files = scanned_files()
    assert any(path.name == "tracker.db" for path in files) and any(path.suffix == ".log" for path in files)
    # A value counts where it stands alone, not inside a longer run of letters and digits (a random
    # message id may hold "123456789") nor as a timestamp's decimals (".554433").
    wanted = [(value, re.compile(rb"(?<![0-9a-z.])" + re.escape(value.lower().encode()) + rb"(?![0-9a-z])"))
              for value in TYPED_PERSONAL_DATA]
    found = {}
    for path in files:
        content = path.read_bytes().lower()
        hits = [value for value, pattern in wanted if pattern.search(content)]
        if hits:
            found[str(path)] = hits
    assert found == {}
