"""FAQ actions: answer from the knowledge base, or suggest the closest topics."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, latest_entity
from bot.knowledge.render import default_renderer
from bot.language.dates import parse_date

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05  # below this a topic is a guess, not a suggestion


def _payload(intent: str, entities: dict[str, str] | None = None) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


class ActionAnswerFaq(Action):
    """Answers the latest FAQ intent in the conversation's language."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = conversation_language(tracker)
        answers = default_renderer()
        if not intent or not answers.has_answer(intent):
            dispatcher.utter_message(text=answers.part("ask_rephrase", "text", language))
            return []
        topic = latest_entity(tracker, "topic")
        day = self.day_named(tracker) if intent == "ask_open_now" else None
        text = answers.open_on(day, language) if day else answers.answer(intent, language, topic=topic)
        buttons = []
        if intent == "ask_service_number" and topic is None:
            buttons = [
                {"title": title, "payload": _payload(intent, {"topic": topic_id})}
                for title, topic_id in answers.topic_buttons(language)
            ]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


    @staticmethod
    def day_named(tracker: Tracker) -> dt.date | None:
        """A day other than today named in the question ("entä lauantaina?", "open on Friday?")."""
        today = default_renderer().now().date()
        day = parse_date(str(tracker.latest_message.get("text") or ""), today)
        return day if day and day != today else None


class ActionSuggestTopics(Action):
    """After an unsure NLU result, offers the likeliest FAQ topics as buttons."""

    def name(self) -> str:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        answers = default_renderer()
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [
            entry["name"]
            for entry in ranking
            if entry.get("name") and answers.has_answer(entry["name"])
            and (entry.get("confidence") or 0.0) >= MIN_SUGGESTION_CONFIDENCE
        ][:MAX_SUGGESTIONS]
        if not candidates:
            dispatcher.utter_message(text=answers.part("ask_rephrase", "text", language))
            return []
        buttons = [
            {"title": answers.title(intent, language), "payload": _payload(intent)}
            for intent in candidates
        ]
        buttons.append(
            {"title": answers.title("something_else", language), "payload": _payload("help")}
        )
        dispatcher.utter_message(text=answers.part("did_you_mean", "text", language), buttons=buttons)
        return []
