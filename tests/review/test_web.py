"""The review tool over HTTP (in-process server, real SQLite stores): pages, staff actions, exports."""

import csv
import io
import json
import re
import sqlite3

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

PERSONAL = ["1234 5678", "12345678", "123456", "jane@example.com"]


def conversation_ids(html):
    return [int(n) for n in re.findall(r'<th scope="row"><a href="/review/conversations/(\d+)"', html)]


def audit(review):
    with sqlite3.connect(review.settings.review_url.removeprefix("sqlite:///")) as database:
        return database.execute(
            "SELECT username, action, conversation_id, detail FROM review_audit ORDER BY id").fetchall()


async def user_event_ids(review, conversation_id):
    html = await (await review.client.get(f"/review/conversations/{conversation_id}")).text()
    return [int(n) for n in re.findall(r'id="message-(\d+)"', html)]


async def test_list_and_filters(review):
    await review.login("ville")
    html = await (await review.client.get("/review/conversations")).text()
    assert len(conversation_ids(html)) == 3
    assert '<html lang="fi">' in html and "Keskusteluja: 3" in html
    for query, expected in [
        ("language=sv", 1), ("channel=sms", 1), ("intent=greet", 2), ("fallback=yes", 1), ("fallback=no", 2),
        ("booking=yes", 1), ("verification=yes", 0), ("q=oleskeluluv", 1), ("q=CUSTOMER_NUMBER", 1),
        ("q=hur+kan", 1), ("q=ei+löydy+mitään", 0), ("language=fi&q=numeroon", 1), ("language=en&q=numeroon", 0),
    ]:
        response = await review.client.get(f"/review/conversations?{query}")
        assert response.status == 200, query
        assert len(conversation_ids(await response.text())) == expected, query
    # A search shows where the words were found, marked; nothing from the page's own markup is unescaped.
    html = await (await review.client.get("/review/conversations", params={"q": "oleskeluluv"})).text()
    assert "Mihin numeroon soitan <mark>oleskeluluvasta</mark>? · Soita" in html


async def test_date_range_filter(review):
    await review.login("ville")
    from datetime import date, timedelta

    today = date.today()
    recent = await (await review.client.get(f"/review/conversations?date_from={today - timedelta(days=2)}")).text()
    assert len(conversation_ids(recent)) == 2
    old = await (await review.client.get(
        f"/review/conversations?date_from={today - timedelta(days=11)}&date_to={today - timedelta(days=9)}")).text()
    assert len(conversation_ids(old)) == 1


async def test_transcript_shows_each_message_with_language_intent_and_confidence(review):
    await review.login("ville")
    html = await (await review.client.get("/review/conversations/2")).text()
    # A placeholder is marked, with what it stands for in the interface language.
    assert ('min pinkod är <span class="redacted" title="Henkilötieto poistettu ennen tallentamista">[PIN]</span>'
            ' funkar inte') in html and "123456" not in html
    assert "nlu_fallback" in html and "ask_booking_check (0.21)" in html
    assert "<dd>sv</dd>" in html and "0.93" in html and "Hej! Hur kan jag hjälpa dig?" in html
    assert ("ville", "view", 2, "") in audit(review)
    assert (await review.client.get("/review/conversations/999")).status == 404


async def test_tags_comments_and_tag_filter(review):
    await review.login("ville")
    response = await review.post("/review/conversations/2/tags", {"tag": "Väärä  vastaus"})
    assert response.status == 303 and response.headers["Location"].endswith("/review/conversations/2#tags")
    await review.post("/review/conversations/1/tags", {"tag": "hyvä"})
    html = await (await review.client.get("/review/conversations?tag=väärä+vastaus")).text()
    assert conversation_ids(html) == [2]
    assert (await review.post("/review/conversations/2/tags", {"tag": "<script>"})).headers["Location"] \
        .endswith("?error=invalid_tag#tags")
    await review.post("/review/conversations/2/comments", {"body": "Asiakas kysyi PIN-koodia, soita 040 123 4567"})
    html = await (await review.client.get("/review/conversations/2")).text()
    assert "väärä vastaus" in html and "Asiakas kysyi PIN-koodia, soita [PHONE]" in html
    await review.post("/review/conversations/2/tags/remove", {"tag": "väärä vastaus"})
    html = await (await review.client.get("/review/conversations?tag=väärä+vastaus")).text()
    assert conversation_ids(html) == []
    actions = [row[1] for row in audit(review)]
    assert actions.count("tag") == 2 and "untag" in actions and "comment" in actions


async def test_misunderstood_message_becomes_training_data(review):
    await review.login("ville")
    fallback_message = (await user_event_ids(review, 2))[1]
    response = await review.post("/review/conversations/2/training",
                                 {"event_id": str(fallback_message), "intent": "ask_booking_check"})
    assert response.status == 303
    # Marking again changes the intent instead of adding a second example.
    await review.post("/review/conversations/2/training", {"event_id": str(fallback_message), "intent": "help"})
    html = await (await review.client.get("/review/training")).text()
    assert "min pinkod är [PIN] funkar inte" in html and html.count('class="small">Poista') == 1
    response = await review.client.get("/review/training/export.yml?language=sv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    examples = RasaYAMLReader().reads(await response.text()).intent_examples
    assert [(m.get("intent"), m.get("text")) for m in examples] == [("help", "min pinkod är [PIN] funkar inte")]
    assert RasaYAMLReader().reads(await (await review.client.get(
        "/review/training/export.yml?language=fi")).text()).intent_examples == []
    bad = await review.post("/review/conversations/2/training", {"event_id": str(fallback_message), "intent": "nope"})
    assert "error=invalid_intent" in bad.headers["Location"]
    other = await review.post("/review/conversations/1/training", {"event_id": str(fallback_message), "intent": "help"})
    assert "error=invalid_message" in other.headers["Location"]
    assert "training_add" in [row[1] for row in audit(review)]


async def test_exports_hold_no_personal_data_and_no_formulas(review):
    await review.login("ville")
    response = await review.client.get("/review/export.csv?channel=sms")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO((await response.text()).lstrip("\ufeff"))))
    assert [row["speaker"] for row in rows] == ["user", "bot"]
    assert rows[0]["text"].startswith("'=HYPERLINK") and "[EMAIL]" in rows[0]["text"]
    everything = await (await review.client.get("/review/export.json")).text()
    conversations = json.loads(everything)
    assert len(conversations) == 3 and all(c["messages"] for c in conversations)
    assert not [secret for secret in PERSONAL if secret in everything]
    assert json.loads(await (await review.client.get("/review/export.json?language=xx")).text()) == []
    assert [row[1] for row in audit(review)].count("export") == 3


async def test_dashboard_shows_charts_and_figures(review):
    await review.login("ville")
    html = await (await review.client.get("/review/dashboard")).text()
    assert html.count("<svg") == 5 and 'role="img"' in html
    assert "<dd>3</dd>" in html  # conversations
    assert "20.0 %" in html      # 1 of 5 user messages fell back
    assert "66.7 %" in html      # containment: 2 of 3
    assert (await review.client.get("/review/dashboard?language=fi")).status == 200


async def test_interface_language_can_be_changed(review):
    await review.login("ville")
    response = await review.client.get("/review/language?lang=sv&next=/review/dashboard")
    html = await response.text()
    assert '<html lang="sv">' in html and "Översikt" in html
    html = await (await review.client.get("/review/language?lang=en&next=https://evil.example/")).text()
    assert '<html lang="en">' in html and "Conversations" in html


async def test_admin_deletes_a_conversation_everywhere(review):
    await review.post("/review/conversations/1/tags", {"tag": "x"}, page="/review/login")  # not signed in yet
    await review.login("anna")
    await review.post("/review/conversations/1/tags", {"tag": "poistettava"})
    assert (await review.client.get("/review/conversations/1/delete")).status == 200
    response = await review.post("/review/conversations/1/delete", {}, page="/review/conversations/1/delete")
    assert response.status == 303 and response.headers["Location"] == "/review/conversations?deleted=1"
    with sqlite3.connect(review.tracker_db) as database:
        assert database.execute("SELECT count(*) FROM events WHERE sender_id = 'web-fi-1'").fetchone() == (0,)
        assert database.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    html = await (await review.client.get("/review/conversations")).text()
    assert 1 not in conversation_ids(html) and len(conversation_ids(html)) == 2
    assert (await review.client.get("/review/conversations/1")).status == 404
    assert ("anna", "delete", 1, "") in audit(review)
    html = await (await review.client.get("/review/audit")).text()
    assert "login" in html and "delete" in html


async def test_sign_out_ends_the_session(review):
    await review.login("ville")
    cookie = review.client.session.cookie_jar.filter_cookies(review.client.make_url("/review/"))["review_session"]
    response = await review.post("/review/logout", {})
    assert response.headers["Location"] == "/review/login?logged_out=1"
    review.client.session.cookie_jar.update_cookies({"review_session": cookie.value})
    response = await review.client.get("/review/conversations", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/review/login")
