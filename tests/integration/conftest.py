"""Starts the real action server, Rasa server and web server on free loopback ports."""

import os
from pathlib import Path

import pytest

from tests.helpers import loopback_stack
from tests.integration.helpers import TEST_INTEGRATOR, TEST_REST_TOKEN

# Every test stack here is a local demo (the SMS gateway simulator, the case register's demo
# people) with the REST channel open to one integrator, the tests.
os.environ["LOCAL_DEMO"] = "true"
os.environ["REST_CHANNEL_TOKENS"] = f"{TEST_INTEGRATOR}={TEST_REST_TOKEN}"
# Every test here is one network client (127.0.0.1), one integrator, a few phones; the limits
# themselves are tested in tests/security/.
os.environ.update({f"{client}_MESSAGES_PER_MINUTE": "100000" for client in ("CHAT", "REST", "SMS")})

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Both browser test modules (the chat page, the review tool) drive Debian's Chromium.
@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (scripts/install.sh --with-test-tools)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The secret of the website's login tokens in tests (tests sign their own tokens).
TEST_LOGIN_KEY = "test-login-key-not-for-production-0123456789"


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    os.environ["WEB_LOGIN_JWT_KEY"] = TEST_LOGIN_KEY
    with loopback_stack(tmp_path_factory, "integration") as supervisor:
        yield supervisor
