"""Bad input to the staff review pages (/review/, bot/review) in the web server: odd and random
values in every filter, form field and login field, wrong content types, binary and invalid
UTF-8 bodies, 100 KB fields. A page, a redirect or a 4xx, never a 5xx. (SQL and FTS fragments in
the filters are in tests/review/test_security.py.)"""

import random

import pytest

from tests.review.conftest import PASSWORDS, Review, review  # noqa: F401 - the review tool's fixture

ODD = ["", "   ", "\x00\x07\x1b", "👍" * 40, "مرحبا كيف حالك", "\u202eabc", "<script>alert(1)</script>",
       "'; DROP TABLE review_conversations; --", "a" * 100_000, "-1", "9" * 40, "2024-02-30", "\ufeff", "\\"]
FILTERS = ("q", "language", "channel", "intent", "tag", "date_from", "date_to", "fallback", "page", "sort")
ALPHABET = "aä0 -_'\"%*()<>&;:/\\\x00\x1b\u202e\u200b👍ش€\t\n"


@pytest.fixture
def staff(review: Review) -> Review:  # noqa: F811
    return review


def random_values(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60))) for _ in range(count)]


async def test_odd_and_random_filter_values(staff: Review):
    pages = staff
    await pages.login("anna")
    for value in ODD + random_values(60):
        name = FILTERS[hash(value) % len(FILTERS)]
        for path in ("/review/conversations", "/review/dashboard", "/review/export.csv", "/review/audit"):
            response = await pages.client.get(path, params={name: value})
            assert response.status < 500, (path, name, value[:40], response.status)


async def test_odd_form_fields(staff: Review):
    pages = staff
    await pages.login("anna")
    for value in ODD + random_values(30, seed=12):
        for path, fields in [("/review/conversations/1/tags", {"tag": value}),
                             ("/review/conversations/1/comments", {"text": value, "comment": value}),
                             ("/review/conversations/1/training", {"event_id": value, "intent": value}),
                             ("/review/conversations/1/tags/remove", {"tag": value})]:
            response = await pages.post(path, fields)
            assert response.status < 500, (path, value[:40], response.status)


async def test_odd_login_fields_and_bodies(staff: Review):
    pages = staff
    for value in ODD:
        token = await pages.csrf("/review/login")
        response = await pages.client.post("/review/login", allow_redirects=False, data={
            "username": value, "password": value, "csrf_token": token, "next": value})
        assert response.status < 500, (value[:40], response.status)
        assert "Location" not in response.headers or response.headers["Location"].startswith("/"), value[:40]
    failures = []
    for body, content_type in [(bytes(range(256)), "application/x-www-form-urlencoded"),
                               (b"username=%ff%fe&password=x", "application/x-www-form-urlencoded"),
                               (b'{"username": "anna"}', "application/json"), (b"", "text/plain"),
                               (b"--x--", "multipart/form-data; boundary=x"),
                               (b"username=" + b"a" * 300_000, "application/x-www-form-urlencoded")]:
        response = await pages.client.post("/review/login", data=body, allow_redirects=False,
                                           headers={"Content-Type": content_type})
        if response.status >= 500:
            failures.append((body[:30], content_type, response.status))
    assert not failures, failures
    # Still works afterwards.
    await pages.login("anna", PASSWORDS["anna"])


pytestmark = pytest.mark.integration
