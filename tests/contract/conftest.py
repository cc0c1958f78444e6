"""Contract tests read the upstream code as released: no patch of ours is installed meanwhile."""

import pytest

from bot.runtime.patches import uninstall_all


@pytest.fixture(autouse=True)
def _stock_libraries():
    uninstall_all()
    yield
    uninstall_all()
