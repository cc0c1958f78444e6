"""The staff review tool in headless Chromium (Debian's): sign-in, filters, transcript, tags, training
examples, export, dashboard, language and keyboard use, against the running web server."""

import csv
import io
from pathlib import Path

import pytest

from tests.integration.helpers import Conversation
from tests.integration.test_browser_chat import SCREENSHOTS
from tests.review.live import create_account

pytestmark = pytest.mark.integration

REVIEWER = ("browser-reviewer", "browser-reviewer-password")
ADMIN = ("browser-admin", "browser-admin-password")


# Messages for which the bot should find no intent; the first that falls back is used.
# (Gibberish in words mostly goes to out_of_scope, which the bot does understand.)
UNCLEAR = ["qqqq wwww", "zzzz xxxx", "kkkk llll mmmm", "hhhh jjjj"]


@pytest.fixture(scope="module")
def chats(assistant):
    """Three conversations through the REST channel: Finnish, Swedish, and one the bot does not understand."""
    senders = {}
    for name, messages in {
        "fi": ["Hei", "Mihin numeroon soitan perheenjäsenen oleskeluluvasta?"],
        "sv": ["Hej", "När är telefontjänsten öppen?"],
    }.items():
        chat = Conversation(assistant)
        for message in messages:
            chat.say(message)
        senders[name] = chat.sender
    chat = Conversation(assistant)
    chat.say("Hei")
    for message in UNCLEAR:
        chat.say(message)
        if "action_suggest_topics" in chat.last_actions():
            senders["unclear"], senders["unclear_text"] = chat.sender, message
            break
    assert "unclear" in senders, "no message fell back"
    create_account(assistant, *REVIEWER, "reviewer")
    create_account(assistant, *ADMIN, "admin")
    return senders


@pytest.fixture
def page(browser, assistant, chats):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base = f"http://127.0.0.1:{assistant.settings.web_port}"
    yield page
    context.close()


def sign_in(page, account=REVIEWER):
    page.goto(f"{page.base}/review/")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.get_by_label("Käyttäjätunnus").fill(account[0])
    page.get_by_label("Salasana").fill(account[1])
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url("**/review/conversations")


def test_sign_in_is_required_and_wrong_password_is_told(page):
    page.goto(f"{page.base}/review/conversations")
    assert page.url.startswith(f"{page.base}/review/login")
    page.get_by_label("Käyttäjätunnus").fill(REVIEWER[0])
    page.get_by_label("Salasana").fill("not the password")
    page.get_by_role("button", name="Kirjaudu").click()
    assert "Käyttäjätunnus tai salasana on väärä." in page.get_by_role("alert").inner_text()
    page.get_by_label("Salasana").fill(REVIEWER[1])
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url("**/review/conversations")
    assert page.get_by_role("heading", level=1).inner_text() == "Keskustelut"


def test_filtering_and_search(page):
    sign_in(page)
    page.get_by_label("Kieli", exact=True).select_option("sv")
    page.get_by_role("button", name="Hae", exact=True).click()
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() >= 1
    assert all(text == "sv" for text in rows.locator("td:nth-child(3)").all_inner_texts())
    page.get_by_role("link", name="Tyhjennä rajaukset").click()
    page.get_by_label("Hae tekstistä").fill("perheenjäsenen oleskelu")
    page.get_by_role("button", name="Hae", exact=True).click()
    # The match is shown with the searched words marked.
    assert "perheenjäsenen" in page.locator("table.conversations tbody mark").first.inner_text().lower()
    page.get_by_label("Hae tekstistä").fill("")
    page.get_by_label("Chatbot ei ymmärtänyt viestiä").select_option("yes")
    page.get_by_role("button", name="Hae", exact=True).click()
    assert page.locator("table.conversations tbody tr").count() >= 1


def open_conversation(page, search):
    page.goto(f"{page.base}/review/conversations?q={search}")
    page.locator("table.conversations tbody tr th a").first.click()
    page.wait_for_url("**/review/conversations/*")


def test_transcript_tagging_and_training_example(page, chats):
    sign_in(page)
    open_conversation(page, chats["unclear_text"])
    user_message = page.locator("li.turn-user.turn-fallback").first
    assert chats["unclear_text"] in user_message.locator("p.message").inner_text()
    details = user_message.locator("dl.meta").inner_text()
    assert "nlu_fallback" in details and "Varmuus" in details and "Viestin kieli" in details
    assert page.locator("li.turn-bot").count() >= 2
    # Tag the conversation and find it by the tag.
    page.get_by_label("Uusi tunniste").fill("Ei ymmärretty")
    page.get_by_role("button", name="Lisää tunniste").click()
    assert "ei ymmärretty" in page.locator("#tags").inner_text()
    page.get_by_label("Uusi kommentti").fill("Chatbot ei tunnistanut viestiä.")
    page.get_by_role("button", name="Lisää kommentti").click()
    assert "Chatbot ei tunnistanut viestiä." in page.locator("#comments").inner_text()
    # The fallback's training form is open; label the message as a request for help.
    form = page.locator("li.turn-fallback details.training").first
    form.get_by_label("Oikea intentti").select_option("help")
    form.get_by_role("button", name="Tallenna").click()
    assert "Opetusesimerkki, intentti: help" in page.locator("li.turn-fallback").first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-transcript-fi.png"), full_page=True)
    page.goto(f"{page.base}/review/conversations?tag=ei+ymmärretty")
    assert page.locator("table.conversations tbody tr").count() == 1
    page.get_by_role("link", name="Opetusesimerkit").click()
    assert chats["unclear_text"] in page.locator("table").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa NLU-YAML").click()
    assert "- intent: help" in Path(download.value.path()).read_text(encoding="utf-8")


def test_export_downloads_csv(page):
    sign_in(page)
    page.goto(f"{page.base}/review/conversations?language=fi")
    with page.expect_download() as download:
        page.get_by_role("link", name="Vie CSV-tiedostoon").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows and {row["conversation_language"] for row in rows} == {"fi"}
    assert {"user", "bot"} <= {row["speaker"] for row in rows}


def test_dashboard_language_switch_and_screenshot(page):
    sign_in(page)
    page.get_by_role("link", name="Koontinäkymä").click()
    assert page.locator("svg.chart").count() == 5
    page.get_by_role("link", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Översikt"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-dashboard-sv.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"


def test_keyboard_only(page):
    page.goto(f"{page.base}/review/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.locator("#username").focus()
    page.keyboard.type(REVIEWER[0])
    page.keyboard.press("Tab")
    page.keyboard.type(REVIEWER[1])
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/conversations")
    # Reach the first conversation link with Tab only and open it with Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('table.conversations') !== null"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/conversations/*")
    assert page.locator("ol.transcript li").count() > 0


def test_admin_deletes_on_request_reviewer_cannot(page, chats):
    sign_in(page)
    open_conversation(page, "telefontjänsten")
    assert page.get_by_role("link", name="Poista keskustelu").count() == 0
    conversation_url = page.url
    page.get_by_role("button", name="Kirjaudu ulos").click()
    sign_in(page, ADMIN)
    page.goto(conversation_url)
    page.get_by_role("link", name="Poista keskustelu").click()
    page.get_by_role("button", name="Poista pysyvästi").click()
    page.wait_for_url("**/review/conversations?deleted=*")
    assert "on poistettu" in page.get_by_role("status").inner_text()
    page.goto(conversation_url)
    assert "ei löydy" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name="Tapahtumaloki").click()
    assert "delete" in page.locator("table").inner_text()
