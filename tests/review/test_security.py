"""Security of the review tool: no access without signing in, CSRF, roles, login limits, cookies, injection."""

import re
import sqlite3
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.review.queries import search_words
from bot.web.app import create_app

PROTECTED_GET = ["/review/", "/review/conversations", "/review/conversations/1", "/review/dashboard",
                 "/review/training", "/review/training/export.yml", "/review/export.csv", "/review/export.json",
                 "/review/audit", "/review/conversations/1/delete"]
PROTECTED_POST = ["/review/conversations/1/tags", "/review/conversations/1/tags/remove",
                  "/review/conversations/1/comments", "/review/conversations/1/training",
                  "/review/conversations/1/delete", "/review/training/1/remove", "/review/logout"]


def tables(review):
    with sqlite3.connect(review.settings.review_url.removeprefix("sqlite:///")) as database:
        review_tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = database.execute("SELECT count(*) FROM review_conversations").fetchone()[0]
    with sqlite3.connect(review.tracker_db) as database:
        events = database.execute("SELECT count(*) FROM events").fetchone()[0]
    return review_tables, counts, events


async def test_nothing_without_signing_in(review):
    for path in PROTECTED_GET:
        response = await review.client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/review/login?next="), path
    for path in PROTECTED_POST:
        response = await review.client.post(path, data={"tag": "x", "csrf_token": "x"}, allow_redirects=False)
        assert response.status == 401, path
    # The login page itself is reachable, and sets no session.
    response = await review.client.get("/review/login")
    assert response.status == 200 and "review_session" not in response.cookies
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_wrong_password_unknown_user_and_audit(review):
    await review.login("ville", "wrong password here", status=401)
    await review.login("nobody", "whatever password", status=401)
    response = await review.login("ville")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review/" in cookie
    assert "Secure" not in cookie
    with sqlite3.connect(review.settings.review_url.removeprefix("sqlite:///")) as database:
        rows = database.execute("SELECT username, action FROM review_audit").fetchall()
    assert ("ville", "login_failed") in rows and ("nobody", "login_failed") in rows and ("ville", "login") in rows


async def test_secure_cookie_when_configured(review, tmp_path):
    settings = replace(review.settings, review_secure_cookies=True)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        page = await client.get("/review/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
        assert "Secure" in page.headers["Set-Cookie"]
        # The test client speaks plain HTTP, so it does not send a Secure cookie back: the login form is refused.
        response = await client.post("/review/login", data={"username": "ville", "password": "ville-reviewer-password",
                                                             "csrf_token": token}, allow_redirects=False)
        assert response.status == 403
    finally:
        await client.close()


async def test_login_is_rate_limited_per_username(review):
    for _ in range(5):
        await review.login("ville", "not the password", status=401)
    response = await review.login("ville", status=429)
    assert "Liian monta kirjautumisyritystä" in await response.text()
    # Another account from the same address is still let in.
    await review.login("anna")


async def test_login_needs_its_csrf_token(review):
    await review.client.get("/review/login")
    response = await review.client.post("/review/login", allow_redirects=False, data={
        "username": "ville", "password": "ville-reviewer-password", "csrf_token": "forged"})
    assert response.status == 403


async def test_csrf_token_is_required_on_every_post(review):
    await review.login("ville")
    token = await review.csrf("/review/conversations/2")
    for data in ({"tag": "x"}, {"tag": "x", "csrf_token": ""}, {"tag": "x", "csrf_token": token + "x"}):
        response = await review.client.post("/review/conversations/2/tags", data=data, allow_redirects=False)
        assert response.status == 403
        assert "tarkiste ei täsmää" in await response.text()
    # The right token from another site's page is refused by the Origin check.
    response = await review.client.post("/review/conversations/2/tags", data={"tag": "x", "csrf_token": token},
                                        headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert response.status == 403
    response = await review.client.post("/review/conversations/2/tags", data={"tag": "x", "csrf_token": token},
                                        allow_redirects=False)
    assert response.status == 303


async def test_reviewer_cannot_delete_or_read_the_audit_log(review):
    await review.login("ville")
    assert (await review.client.get("/review/conversations/1/delete")).status == 403
    response = await review.post("/review/conversations/1/delete", {})
    assert response.status == 403
    assert (await review.client.get("/review/conversations/1")).status == 200
    assert (await review.client.get("/review/audit")).status == 403
    assert "Poista keskustelu" not in await (await review.client.get("/review/conversations/1")).text()


@pytest.mark.parametrize("value", [
    "' OR 1=1 --", "'; DROP TABLE review_conversations; --", '" OR ""="', "x\" OR rowid>0 --",
    "NEAR(a b) OR *", "%", "_", "*", "fi' UNION SELECT sender_id FROM review_conversations --", "\\", "\x00",
])
async def test_sql_injection_in_filters_and_search_is_harmless(review, value):
    await review.login("ville")
    before = tables(review)
    for name in ("q", "language", "channel", "intent", "tag", "date_from", "fallback", "page"):
        response = await review.client.get("/review/conversations", params={name: value})
        assert response.status in (200, 400), (name, value)
        html = await response.text()
        ids = re.findall(r'href="/review/conversations/(\d+)"', html)
        if name == "q":  # searched for its words only; without words it is no search at all
            assert response.status == 200 and len(ids) == (3 if not search_words(value) else 0), value
        else:
            assert response.status == 400 or not ids, (name, value)
        assert (await review.client.get("/review/export.json", params={name: value})).status in (200, 400)
        assert (await review.client.get("/review/dashboard", params={name: value})).status in (200, 400)
    assert tables(review) == before


async def test_unknown_pages_and_bad_ids(review):
    await review.login("ville")
    assert (await review.client.get("/review/nothing-here")).status == 404
    assert (await review.client.get("/review/conversations/abc")).status == 404
    assert (await review.client.get("/review/conversations/99999999999999999999")).status == 404
    response = await review.post("/review/conversations/77/tags", {"tag": "x"})
    assert response.status == 404
    response = await review.post("/review/conversations/2/training", {"event_id": "abc", "intent": "help"})
    assert response.status == 303 and "invalid_message" in response.headers["Location"]


async def test_text_from_applicants_is_never_markup(review):
    from tests.review.events import conversation, write

    write(review.tracker_db, "xss", conversation(
        "en", ('<script>alert(1)</script> <img src=x onerror=alert(2)> permit', "help", "OK")))
    await review.login("ville")
    listed = await (await review.client.get("/review/conversations", params={"q": "permit onerror"})).text()
    assert "<script>alert" not in listed and "<img src=x" not in listed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed
    conversation_id = re.findall(r'href="/review/conversations/(\d+)"', listed)[0]
    transcript = await (await review.client.get(f"/review/conversations/{conversation_id}")).text()
    assert "<script>alert" not in transcript and "&lt;img src=x onerror=alert(2)&gt;" in transcript


async def test_failures_elsewhere_do_not_lock_a_colleague_out(review, monkeypatch):
    """Behind a trusted balancer each member of staff is their own client: someone failing as "ville"
    from their own address does not block ville signing in from his."""
    from bot.client_address import trusted_proxies

    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1,::1")
    trusted_proxies.cache_clear()
    try:
        for _ in range(5):
            token = await review.csrf("/review/login")
            response = await review.client.post("/review/login", allow_redirects=False, headers={
                "X-Forwarded-For": "198.51.100.66"}, data={"username": "ville", "password": "guess",
                                                           "csrf_token": token})
            assert response.status == 401
        token = await review.csrf("/review/login")
        response = await review.client.post("/review/login", allow_redirects=False, headers={
            "X-Forwarded-For": "198.51.100.66"}, data={"username": "ville", "password": "guess", "csrf_token": token})
        assert response.status == 429
        await review.login("ville")   # from the balancer's own address: another client
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        trusted_proxies.cache_clear()


@pytest.mark.parametrize("next_page", ["/review/%0Ax", "/review/%0D%0ASet-Cookie:%20x=1", "/review/a%00b"])
async def test_control_characters_in_next_are_refused(review, next_page):
    response = await review.client.get(f"/review/language?lang=sv&next={next_page}", allow_redirects=False)
    assert response.status == 400
    response = await review.client.get(f"/review/login?next={next_page}", allow_redirects=False)
    assert response.status == 400
