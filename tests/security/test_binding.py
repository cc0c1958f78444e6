"""Nothing unauthenticated listens beyond loopback: the backend and the action server refuse a
non-loopback address without their token, and the running stack's action server answers only Rasa
(which shows the token). Real processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from bot.settings import REPO_ROOT, action_server_token
from bot.supervisor import free_port
from tests.integration.helpers import Conversation

pytestmark = pytest.mark.integration

COMMANDS = {
    "backend": (["-m", "bot.backend"], "BACKEND_TOKEN"),
    "action server": (["-m", "bot.action_server", "--actions", "actions"], "ACTION_SERVER_TOKEN"),
}


@pytest.mark.parametrize("server", sorted(COMMANDS))
def test_a_server_without_its_token_refuses_to_listen_beyond_loopback(server, tmp_path):
    arguments, variable = COMMANDS[server]
    env = {key: value for key, value in os.environ.items() if key not in ("BACKEND_TOKEN", "ACTION_SERVER_TOKEN")}
    env.update(PYTHONPATH=str(REPO_ROOT), SECRETS_DIR=str(tmp_path / "secrets"))
    finished = subprocess.run([sys.executable, *arguments, "--host", "0.0.0.0", "--port", str(free_port())],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 2   # argparse's refusal, before anything listens
    assert variable in finished.stderr


def call(url: str, headers: dict[str, str] | None = None, body: dict | None = None) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_action_server_answers_only_callers_with_its_token(assistant):
    base = f"http://127.0.0.1:{assistant.settings.actions_port}"
    action_call = {"next_action": "action_session_start", "sender_id": "rest:attacker:x", "version": "3.6.2",
                   "tracker": {"sender_id": "rest:attacker:x", "slots": {}, "events": [], "latest_message": {}},
                   "domain": {}}
    assert call(f"{base}/health") == 200
    assert call(f"{base}/webhook", body=action_call) == 401
    assert call(f"{base}/webhook", {"Authorization": "Bearer wrong-token"}, action_call) == 401
    assert call(f"{base}/actions") == 401
    assert call(f"{base}/webhook", {"Authorization": f"Bearer {action_server_token()}"}, action_call) != 401
    # Rasa shows the token: its custom actions still run.
    chat = Conversation(assistant)
    chat.say("Hei")
    assert "action_session_start" in [e.get("name") for e in chat.tracker()["events"] if e["event"] == "action"]


def test_a_failing_action_answers_without_echoing_the_conversation(assistant):
    base = f"http://127.0.0.1:{assistant.settings.actions_port}"
    marker = "Virtanen-0401234567"
    broken = {"next_action": "action_session_start", "sender_id": "x", "version": "3.6.2",
              "tracker": {"sender_id": "x", "slots": marker, "events": [{"event": "user", "text": marker}]},
              "domain": {}}
    request = urllib.request.Request(f"{base}/webhook", data=json.dumps(broken).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {action_server_token()}"})
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=30)
    assert failure.value.code == 500
    assert marker not in failure.value.read().decode()
