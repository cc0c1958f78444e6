"""The scale-out stack (deploy/scale.py): two Rasa servers and two action servers behind nginx,
PostgreSQL and Redis, all throwaway on loopback; started once for tests/scale."""

import os
import shutil

import pytest

from bot.training import ensure_model
from deploy.local import postgres_bindir
from deploy.scale import ScaleStack
from tests.integration.helpers import TEST_INTEGRATOR, TEST_REST_TOKEN

# The scripted conversations speak as the tests' integrator on the REST channel.
os.environ["REST_CHANNEL_TOKENS"] = f"{TEST_INTEGRATOR}={TEST_REST_TOKEN}"


def _missing_tools() -> list[str]:
    missing = [tool for tool in ("nginx", "redis-server")
               if not any(shutil.which(path) for path in (tool, f"/usr/sbin/{tool}", f"/usr/bin/{tool}"))]
    try:
        postgres_bindir()
    except RuntimeError:
        missing.append("postgresql")
    return missing


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    missing = _missing_tools()
    # `make test` installs them (scripts/install.sh --with-test-tools): missing means a broken setup.
    assert not missing, f"install {' '.join(missing)} (scripts/install.sh --with-test-tools)"
    with ScaleStack(ensure_model(), rasa=2, actions=2, log_dir=tmp_path_factory.mktemp("scale-logs")) as running:
        yield running
