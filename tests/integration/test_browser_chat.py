"""The chat page in headless Chromium (Debian's), driven by Playwright."""


import pytest

from bot.settings import REPO_ROOT
from tests.integration.helpers import response_text

pytestmark = pytest.mark.integration

SCREENSHOTS = REPO_ROOT / "var" / "screenshots"


@pytest.fixture
def page(browser, assistant):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"http://127.0.0.1:{assistant.settings.web_port}/")
    yield page
    context.close()


def bot_messages(page):
    return page.locator("#messages li.message-bot")


def wait_for_bot_reply(page, count_before):
    page.wait_for_function(
        "n => document.querySelectorAll('#messages li.message-bot').length > n", arg=count_before
    )
    return bot_messages(page).nth(count_before).locator("p").inner_text()


def ask(page, text):
    before = bot_messages(page).count()
    page.fill("#message-input", text)
    page.press("#message-input", "Enter")
    return wait_for_bot_reply(page, before)


def test_greeting_says_it_is_a_bot_in_finnish(page):
    greeting = wait_for_bot_reply(page, 0)
    assert "chatbot" in greeting and "henkilötietojasi" in greeting
    assert page.locator("html").get_attribute("lang") == "fi"
    assert "Keskustelet chatbotin kanssa" in page.inner_text(".notice")


@pytest.mark.parametrize(
    ("language", "question", "fact", "send_label"),
    [("fi", "Mihin numeroon soitan perheenjäsenen oleskeluluvasta?", "0295 790 603", "Lähetä"),
     ("sv", "Vilket nummer ringer jag om uppehållstillstånd för familjemedlemmar?", "0295 790 603", "Skicka"),
     ("en", "What number do I call about a residence permit for my family members?", "0295 790 603", "Send")],
)
def test_question_in_each_language(page, language, question, fact, send_label):
    wait_for_bot_reply(page, 0)
    if language != "fi":
        before = bot_messages(page).count()
        page.select_option("#language-select", language)
        assert wait_for_bot_reply(page, before) == response_text("utter_language_switched", language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.inner_text("#composer button") == send_label
    assert fact in ask(page, question)


def test_quick_reply_buttons_can_be_clicked(page):
    wait_for_bot_reply(page, 0)
    ask(page, "apua")
    before = bot_messages(page).count()
    page.get_by_role("button", name="Palvelunumerot").click()
    wait_for_bot_reply(page, before)
    before = bot_messages(page).count()
    page.get_by_role("button", name="Perheenjäsenet").click()
    assert "0295 790 603" in wait_for_bot_reply(page, before)


def test_keyboard_only(page):
    wait_for_bot_reply(page, 0)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "message-input"
    before = bot_messages(page).count()
    page.keyboard.type("Onko puhelinneuvonta auki juuri nyt?")
    page.keyboard.press("Enter")
    assert wait_for_bot_reply(page, before)
    # Reach a quick-reply button with Tab and press it with Enter.
    before = bot_messages(page).count()
    page.keyboard.type("apua")
    page.keyboard.press("Enter")
    wait_for_bot_reply(page, before)
    page.locator(".quick-replies button").first.focus()
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    wait_for_bot_reply(page, before)


def test_phone_sized_screen_and_screenshot(browser, assistant):
    context = browser.new_context(viewport={"width": 375, "height": 667}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{assistant.settings.web_port}/")
    wait_for_bot_reply(page, 0)
    ask(page, "Milloin olette auki?")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "chat-phone.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    context.close()


def session_id(page):
    return page.evaluate("sessionStorage.getItem('chatSessionId')")


def user_texts(assistant, sender):
    from tests.integration.helpers import Conversation, web_conversation_id

    events = Conversation(assistant, sender=web_conversation_id(sender)).tracker()["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_dropped_connection_and_reload_keep_the_conversation(page, assistant):
    wait_for_bot_reply(page, 0)
    assert "0295 790 603" in ask(page, "Mihin numeroon soitan perheenjäsenen oleskeluluvasta?")
    session = session_id(page)

    page.context.set_offline(True)
    page.wait_for_function("document.getElementById('status').textContent.includes('katkesi')")
    page.context.set_offline(False)
    page.wait_for_function("document.getElementById('status').textContent === 'Yhteys muodostettu.'",
                           timeout=60_000)
    assert ask(page, "kiitos") == response_text("utter_thank", "fi")
    assert session_id(page) == session

    shown = bot_messages(page).count()
    page.reload()
    page.wait_for_function("n => document.querySelectorAll('#messages li.message-bot').length >= n", arg=shown)
    assert session_id(page) == session
    assert ask(page, "näkemiin") == response_text("utter_goodbye", "fi")
    assert user_texts(assistant, session)[-3:] == [
        "Mihin numeroon soitan perheenjäsenen oleskeluluvasta?", "kiitos", "näkemiin"]
