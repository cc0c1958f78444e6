"""The attacks of tests/security/ run against their own stack of the real processes on 127.0.0.1.

Three integrators may use the REST channel: "tests" (the helpers' own), "other", an attacker
who has a token of their own, and "flooder", who sends too many messages. 127.0.0.1 is a trusted
proxy here, so each test can stand for different network clients by the X-Forwarded-For it sends
(docs/security.md).
"""

import os

import pytest

from tests.helpers import loopback_stack
from tests.integration.conftest import TEST_LOGIN_KEY
from tests.integration.helpers import TEST_INTEGRATOR, TEST_REST_TOKEN

OTHER_INTEGRATOR_TOKEN = "other-integrator-token-0123456789abcdef"
OTHER_AUTHORIZATION = {"Authorization": f"Bearer {OTHER_INTEGRATOR_TOKEN}"}
FLOODER_TOKEN = "flooding-integrator-token-0123456789abcdef"


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    os.environ.update({
        "WEB_LOGIN_JWT_KEY": TEST_LOGIN_KEY, "LOCAL_DEMO": "true", "TRUSTED_PROXIES": "127.0.0.1/32",
        "CHAT_MESSAGES_PER_MINUTE": "30", "SMS_MESSAGES_PER_MINUTE": "10", "REST_MESSAGES_PER_MINUTE": "100",
        "REST_CHANNEL_TOKENS": f"{TEST_INTEGRATOR}={TEST_REST_TOKEN},other={OTHER_INTEGRATOR_TOKEN},"
                               f"flooder={FLOODER_TOKEN}",   # sends more than its 100 a minute (test_limits.py)
    })
    with loopback_stack(tmp_path_factory, "security", rasa_workers=1) as supervisor:
        yield supervisor
