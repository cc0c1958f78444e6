"""The attacks of tests/security/ run against their own stack of the real processes on 127.0.0.1.

Two integrators may use the REST channel: "tests" (the helpers' own) and "other", an attacker
who has a token of their own. 127.0.0.1 is a trusted proxy here, so each test can stand for
different network clients by the X-Forwarded-For it sends (docs/security.md).
"""

import os
from dataclasses import replace

import pytest

from bot.settings import load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model
from tests.integration.conftest import TEST_LOGIN_KEY
from tests.integration.helpers import TEST_INTEGRATOR, TEST_REST_TOKEN

OTHER_INTEGRATOR_TOKEN = "other-integrator-token-0123456789abcdef"
OTHER_AUTHORIZATION = {"Authorization": f"Bearer {OTHER_INTEGRATOR_TOKEN}"}


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    os.environ.update({
        "WEB_LOGIN_JWT_KEY": TEST_LOGIN_KEY, "LOCAL_DEMO": "true", "TRUSTED_PROXIES": "127.0.0.1/32",
        "CHAT_MESSAGES_PER_MINUTE": "30",
        "REST_CHANNEL_TOKENS": f"{TEST_INTEGRATOR}={TEST_REST_TOKEN},other={OTHER_INTEGRATOR_TOKEN}",
    })
    os.environ.pop("BACKEND_URL", None)
    databases = tmp_path_factory.mktemp("security-db")
    settings = replace(
        load_settings(), host="127.0.0.1", rasa_workers=1,
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), sms_gateway_port=free_port(),
        backend_port=free_port(), tracker_db=databases / "tracker.db",
        backend_db_url=f"sqlite:///{databases / 'backend.db'}",
    )
    supervisor = Supervisor(settings, ensure_model(), log_dir=tmp_path_factory.mktemp("security-logs"))
    with supervisor:
        yield supervisor
