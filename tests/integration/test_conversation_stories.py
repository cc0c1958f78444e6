"""Conversation tests per language (tests/conversations/test_<lang>.yml).

Each story is checked twice: `rasa test core --fail-on-prediction-errors`
checks the dialogue policy's actions, and the same story replayed through the
real REST channel checks every turn's intent and actions on the live servers.
(`rasa test --e2e` is not used: it also compares entities, and our components
add language and topic entities to every message.)
"""

import os
import re
import subprocess
import sys

import pytest
import yaml

from bot.settings import RASA_PROCESS_ENV, REPO_ROOT
from bot.training import ensure_model
from tests.integration.helpers import Conversation

pytestmark = pytest.mark.integration
STORY_DIR = REPO_ROOT / "tests" / "conversations"


def test_rasa_test_core_predicts_every_action(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core",
         "--model", str(ensure_model()),
         "--stories", str(STORY_DIR),
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=REPO_ROOT, env={**os.environ, **RASA_PROCESS_ENV},
        capture_output=True, text=True, timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details


ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}")


def turns(story):
    """(user text, expected intent, expected actions) per user turn of a test story."""
    steps = story["steps"]
    result = []
    for step in steps:
        if "user" in step:
            text = ANNOTATION.sub(r"\1", step["user"].strip())  # plain text, as a user types it
            result.append((text, step["intent"], []))
        elif "action" in step and result:
            result[-1][2].append(step["action"])
    return result


def stories(language):
    data = yaml.safe_load((STORY_DIR / f"test_{language}.yml").read_text(encoding="utf-8"))
    return [(story["story"], story) for story in data["stories"]]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_stories_over_rest(assistant, language):
    for title, story in stories(language):
        chat = Conversation(assistant)
        for text, intent, actions in turns(story):
            replies = chat.say(text)
            events = chat.tracker()["events"]
            user_event = [e for e in events if e["event"] == "user"][-1]
            assert user_event["parse_data"]["intent"]["name"] == intent, (title, text)
            assert chat.last_actions() == actions, (title, text)
            assert replies, (title, text)
        assert chat.slot("language") in ("fi", "sv", "en")
