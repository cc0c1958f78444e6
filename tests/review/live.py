"""Helpers for tests of the review tool in the running web server (the `assistant` fixture)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import requests

from bot.settings import REPO_ROOT

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_account(assistant, username: str, password: str, role: str) -> None:
    """Creates a staff account with the command, in the review database the web server uses."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.review.accounts", "create", "--username", username, "--role", role],
        input=password + "\n", capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
        env={**os.environ, "TRACKER_DB": str(assistant.settings.tracker_db),
             "REVIEW_DB_URL": assistant.settings.review_url})
    assert result.returncode == 0 or "already exists" in result.stderr, result.stderr


class StaffClient:
    """A signed-in staff member's browser session, over plain HTTP."""

    def __init__(self, assistant) -> None:
        self.base = f"http://{assistant.settings.host}:{assistant.settings.web_port}"
        self.http = requests.Session()

    def csrf(self, path: str) -> str:
        return CSRF.search(self.get(path).text).group(1)

    def login(self, username: str, password: str) -> None:
        token = self.csrf("/review/login")
        response = self.http.post(f"{self.base}/review/login", allow_redirects=False, timeout=60,
                                  data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 303, response.text

    def get(self, path: str, **params: str) -> requests.Response:
        return self.http.get(f"{self.base}{path}", params=params, timeout=60)

    def post(self, path: str, data: dict[str, str], page: str) -> requests.Response:
        return self.http.post(f"{self.base}{path}", data={**data, "csrf_token": self.csrf(page)},
                              allow_redirects=False, timeout=60)
