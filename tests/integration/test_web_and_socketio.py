"""The chat page's web server, its socket.io sessions as the page uses them, and the relay to Rasa."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from tests.integration.helpers import ChatPageClient, response_text

pytestmark = pytest.mark.integration


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def web_url(assistant, path):
    return f"http://{assistant.settings.host}:{assistant.settings.web_port}{path}"


def test_chat_page_is_served_with_its_assets(assistant):
    status, headers, body = get(web_url(assistant, "/"))
    assert status == 200
    page = body.decode()
    assert 'id="language-select"' in page and 'for="message-input"' in page
    assert headers["X-Content-Type-Options"] == "nosniff"
    for asset in ("/static/chat.js", "/static/chat.css", "/static/vendor/socket.io.min.js", "/static/i18n.json"):
        assert get(web_url(assistant, asset))[0] == 200


def test_page_config_gives_the_default_language_only(assistant):
    _, _, body = get(web_url(assistant, "/config.json"))
    assert json.loads(body) == {"defaultLanguage": assistant.settings.default_language}


def test_unknown_path_is_404_and_no_directory_escape(assistant):
    for path in ("/nope", "/static/../bot/settings.py", "/static/%2e%2e/bot/settings.py"):
        with pytest.raises(urllib.error.HTTPError) as error:
            get(web_url(assistant, path))
        assert error.value.code in (403, 404)


async def converse(assistant, messages, language, auth=None, extra_metadata=None):
    """Sends messages as the chat page does; returns (bot replies, the stored conversation id)."""
    async with ChatPageClient(assistant, auth=auth) as chat:
        answers = []
        for message in messages:
            await chat.send(message, {"language": language, **(extra_metadata or {})})
            answers.append(await chat.reply(30))
        return answers, chat.conversation_id


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_socketio_conversation_in_the_page_language(assistant, language):
    answers, _ = asyncio.run(converse(assistant, ["ok"], language))
    assert answers[0]["text"] == response_text("utter_anything_else", language)


def test_socketio_buttons_arrive_as_quick_replies(assistant):
    answers, _ = asyncio.run(converse(assistant, ["/help"], "sv"))
    titles = [reply["title"] for reply in answers[0]["quick_replies"]]
    assert "Servicenummer" in titles
