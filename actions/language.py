"""Switching the conversation's language on request."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_entity


class ActionSwitchLanguage(Action):
    """Confirms the switch (the slot mapping already set it), or asks which language."""

    def name(self) -> Text:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if latest_entity(tracker, "requested_language"):
            dispatcher.utter_message(response="utter_language_switched")
        else:
            dispatcher.utter_message(response="utter_which_language")
        return []
