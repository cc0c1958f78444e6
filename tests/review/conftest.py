"""The review tool in-process (aiohttp test server) over a temporary tracker store and review database."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.review.accounts import create_account
from bot.review.store import ReviewDatabase
from bot.settings import Settings, load_settings
from bot.web.app import create_app
from tests.review.events import conversation, write

PASSWORDS = {"anna": "anna-admin-password", "ville": "ville-reviewer-password"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Review:
    client: TestClient
    settings: Settings
    tracker_db: Path

    async def csrf(self, path: str) -> str:
        response = await self.client.get(path)
        return CSRF.search(await response.text()).group(1)

    async def login(self, username: str, password: str | None = None, status: int = 303):
        token = await self.csrf("/review/login")
        response = await self.client.post("/review/login", allow_redirects=False, data={
            "username": username, "password": password or PASSWORDS[username], "csrf_token": token,
            "next": "/review/conversations"})
        assert response.status == status, await response.text()
        return response

    async def post(self, path: str, data: dict, page: str = "/review/conversations", **kwargs):
        data = {"csrf_token": await self.csrf(page), **data}
        return await self.client.post(path, data=data, allow_redirects=False, **kwargs)


def sample_conversations(db: Path) -> None:
    """Three conversations: Finnish on the web (REST), Swedish with a fallback (socket.io), old English SMS."""
    now = time.time()
    write(db, "web-fi-1", conversation(
        "fi", ("Hei, asiakasnumeroni on 1234 5678", "greet", "Hei! Miten voin auttaa?"),
        ("Mihin numeroon soitan oleskeluluvasta?", "ask_service_number", "Soita numeroon 0295 790 600."),
        actions=()), start=now - 3600)
    write(db, "chat-sv-2", conversation(
        "sv", ("Hej", "greet", "Hej! Hur kan jag hjälpa dig?"),
        ("min pinkod är 123456 funkar inte", "ask_booking_check", "Förlåt, jag förstod inte."),
        channel="socketio", fallback_on=1, actions=("booking_form",)), start=now - 1800)
    write(db, "sms-en-3", conversation(
        "en", ("=HYPERLINK(\"http://x\") my email is jane@example.com", "ask_service_hours", "We are open 9-16."),
        channel="sms"), start=now - 10 * 86400)


@pytest.fixture
async def review(tmp_path):
    settings = replace(load_settings(), tracker_db=tmp_path / "tracker.db", review_index_seconds=3600.0,
                       review_retention_days=3650)
    sample_conversations(settings.tracker_db)
    database = ReviewDatabase(settings.review_url, workers=1)
    database.create_schema()
    database.transaction(lambda s: create_account(s, "anna", PASSWORDS["anna"], "admin"))
    database.transaction(lambda s: create_account(s, "ville", PASSWORDS["ville"], "reviewer"))
    database.close()
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    yield Review(client, settings, settings.tracker_db)
    await client.close()
