"""Talking to the running Rasa server over its REST channel and HTTP API."""

import json
import urllib.request
import uuid
from typing import Any

import yaml

from bot.settings import REPO_ROOT

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str, language: str) -> str:
    """The domain text of response `name` in `language` (English is the default variation)."""
    for variation in DOMAIN["responses"][name]:
        values = [c["value"] for c in variation.get("condition") or []]
        if values == [language] or (not values and language == "en"):
            return variation["text"]
    raise KeyError((name, language))


def post_json(url: str, payload: Any, timeout: float = 30) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Conversation:
    """One user's conversation through the REST channel."""

    def __init__(self, assistant, sender: str | None = None) -> None:
        self.assistant = assistant
        self.sender = sender or f"test-{uuid.uuid4().hex[:12]}"
        settings = assistant.settings
        self.base = f"http://{settings.host}:{settings.rasa_port}"

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        payload: dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            payload["metadata"] = metadata
        return post_json(f"{self.base}/webhooks/rest/webhook", payload)

    def texts(self, text: str, **kwargs: Any) -> str:
        return " ".join(reply.get("text", "") for reply in self.say(text, **kwargs))

    def tracker(self) -> dict[str, Any]:
        url = f"{self.base}/conversations/{self.sender}/tracker?token={self.assistant.api_token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def last_actions(self) -> list[str]:
        """Actions run since the latest user message."""
        events = self.tracker()["events"]
        last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
        return [e["name"] for e in events[last_user:] if e["event"] == "action" and e["name"] != "action_listen"]

    def slot(self, name: str) -> Any:
        return self.tracker()["slots"].get(name)
