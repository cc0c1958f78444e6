"""Rasa NLU step that reads the conversation: short follow-ups get the previous question's intent.

"entä passi?", "och för arbete?", "and for a travel document?" name only a
new topic; "what about Saturday?" or "entä jos en ehdi?" change only a
condition. Alone they say nothing of what is asked, so the classifier gives
them the intent `follow_up` (data/nlu/*/follow_up.yml). This step, which runs
after the classifier and sees the conversation so far (Rasa passes the
tracker to NLU components whose `process` takes one), replaces it:

- with the intent of the user's latest question (the latest `ask_*` or
  booking-case intent in the last few user messages, whatever their
  language), so the answer is the same kind of answer for the new topic or
  condition. A new topic keeps that intent; a changed condition keeps it
  unless the message's own reading (the classifier's ranking without
  `follow_up`) clearly names another question ("and on Maundy Thursday?"
  after the service hours asks about exceptional hours): the previous
  intent's share is raised by `context_weight` and the largest wins. When the
  message names no topic, the previous question's topic is carried over;
- with no question before it, with the classifier's best other intent
  (a named topic alone asks for its service number).

A question about the answer just given ("do I need to book for that?" after the
additional documents, "so I cannot book at a service point?" after applying
from abroad) points back to it ("that", "ne", "där") and asks something that
answer already says: each answer lists those questions in `knowledge/answers`
(`also_answers`), and the message takes the previous question's intent.

A short message that opens like a follow-up ("entä", "och", "and",
"what about" ...) is treated the same way when the classifier is unsure of
its own intent ("and the PIN code is gone too"), and so is a message that
only names a place ("Vantaa", "Vanda?" after "which service point should I
choose?"): the place is the changed condition. Nothing changes inside a form
(its questions take the text as the answer, a city among them) or for button
payloads.
No intent is special-cased: what a follow-up means comes from the
conversation, and the answer from the previous question's own rule.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detection import letter_count
from bot.language.places import without_place_names
from bot.nlu.base import CreatedFromConfig, FingerprintsOwnCode

FOLLOW_UP = "follow_up"
FOLLOW_UP_OF = "follow_up_of"  # parse-data key naming the intent a follow-up took over
TOPIC = "topic"
# How a follow-up opens, in fi, sv and en (lower case, at the start of the message).
OPENINGS = re.compile(
    r"^(entä|entäs|entäpä|mites|mitäs|mitä jos|ja|sama|"
    r"och|än|men|hur är det med|samma|gäller det|"
    r"and|what about|how about|what if|same|also|for)\b"
)

# Words that point back to what was just said, in fi, sv and en (lower case, whole words).
REFERENCES = re.compile(
    r"\b(se|sitä|sen|siihen|siinä|siellä|sinne|sieltä|siitä|ne|niitä|niihin|niistä|hän|häntä|hänen|sitten|eli|"
    r"det|den|där|dit|därifrån|dem|han|hon|hen|honom|henne|alltså|så|"
    r"that|it|there|this|them|he|she|him|her|so|then)\b"
)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class FollowUpResolver(FingerprintsOwnCode, CreatedFromConfig, GraphComponent):
    """Gives a short follow-up the intent (and topic) of the user's previous question."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "max_words": 8,           # longer messages say what they ask themselves
            "unsure_below": 0.8,      # an opening + topic is a follow-up when the classifier is below this
            "look_back": 4,           # user messages searched for the previous question
            "context_weight": 0.5,    # added to the previous question's share when a condition changes
            "question_prefixes": ["ask_"],
            "question_intents": ["lost_reservation_key", "change_booking_contact"],
            "reference_max_words": 14,  # a question about the previous answer, pointing back to it
        }

    def __init__(self, config: dict[str, Any], also_answers: dict[str, set[str]] | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._also_answers = also_answers

    @property
    def also_answers(self) -> dict[str, set[str]]:
        """For each answer, the questions it already answers when they follow it (knowledge/answers)."""
        if self._also_answers is None:
            from bot.knowledge.store import default_knowledge

            self._also_answers = {key: set(answer.get("also_answers") or ())
                                  for key, answer in default_knowledge().answers.items()}
        return self._also_answers

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # typing.Optional, not "X | None": Rasa's graph validation cannot compare PEP 604 unions.
    def process(self, messages: list[Message], tracker: Optional[DialogueStateTracker] = None) -> list[Message]:  # noqa: UP045
        for message in messages:
            self._resolve(message, tracker)
        return messages

    # -- the conversation ----------------------------------------------------
    def is_question(self, intent: str | None) -> bool:
        return bool(intent) and (
            any(intent.startswith(prefix) for prefix in self.config["question_prefixes"])
            or intent in self.config["question_intents"]
        )

    def previous_question(self, tracker: DialogueStateTracker | None, look_back: int | None = None
                          ) -> tuple[str, str | None] | None:
        """(intent, topic) of the user's latest question among the last `look_back` messages (by default
        the configured few), if any."""
        if tracker is None:
            return None
        seen = 0
        for event in reversed(tracker.events):
            if not isinstance(event, UserUttered):
                continue
            seen += 1
            if seen > (look_back or self.config["look_back"]):
                return None
            intent = (event.intent or {}).get("name")
            if self.is_question(intent):
                return intent, _topic(event.entities)
        return None

    def asks_about_the_answer(self, message: Message, tracker: DialogueStateTracker | None
                              ) -> tuple[str, str | None] | None:
        """The latest question, when this message points back to its answer and asks what it already says."""
        text = _normalised_text(message)
        if not 0 < len(text.split()) <= self.config["reference_max_words"] or not REFERENCES.search(text):
            return None
        latest = self.previous_question(tracker, look_back=1)  # the answer just given, nothing older
        own = (message.get(INTENT) or {}).get("name")
        if latest is None or own == latest[0] or own not in self.also_answers.get(latest[0], ()):
            return None
        return latest

    # -- the message -----------------------------------------------------------
    def looks_like_follow_up(self, message: Message) -> bool:
        text = _normalised_text(message)
        intent = message.get(INTENT) or {}
        if intent.get("name") == FOLLOW_UP:
            return True
        if only_place_names(text):
            return True
        short = 0 < len(text.split()) <= self.config["max_words"]
        opens = OPENINGS.match(text) is not None
        unsure = float(intent.get("confidence") or 0.0) < self.config["unsure_below"]
        return short and opens and unsure

    def _resolve(self, message: Message, tracker: DialogueStateTracker | None) -> None:
        if (message.get(TEXT) or "").startswith("/"):
            return
        in_form = tracker is not None and tracker.active_loop_name
        if not in_form and (answered := self.asks_about_the_answer(message, tracker)) is not None:
            name, previous_topic = answered
            if previous_topic and _topic(message.get(ENTITIES)) is None:
                _add_topic(message, previous_topic)
            message.set(FOLLOW_UP_OF, name, add_to_output=True)
            own = message.get(INTENT) or {}
            # The message's own reading is what the previous answer already says: it leaves the
            # ranking, or the fallback would see two intents equally sure.
            self._set_intent(message, name, max(float(own.get("confidence") or 0.0), self.config["unsure_below"]),
                             replaced=own.get("name"))
            return
        if not self.looks_like_follow_up(message):
            return
        previous = None if in_form else self.previous_question(tracker)
        intent = message.get(INTENT) or {}
        confidence = float(intent.get("confidence") or 0.0)
        if previous is not None:
            name, previous_topic = previous
            own_topic = _topic(message.get(ENTITIES))
            if own_topic is None:
                # A changed condition: the previous question, unless the message clearly asks another.
                name = self.in_context(message, name)
                if previous_topic:
                    _add_topic(message, previous_topic)
            message.set(FOLLOW_UP_OF, previous[0], add_to_output=True)
            self._set_intent(message, name, max(confidence, self.config["unsure_below"]))
        elif intent.get("name") == FOLLOW_UP:
            # Nothing to follow: a topic alone asks for its number; else the next best reading.
            if _topic(message.get(ENTITIES)) is not None:
                self._set_intent(message, "ask_service_number", confidence)
            else:
                ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry["name"] != FOLLOW_UP]
                if ranking:
                    self._set_intent(message, ranking[0]["name"], float(ranking[0]["confidence"]))

    def in_context(self, message: Message, previous: str) -> str:
        """The message's own likeliest intent, with the previous question weighted up by `context_weight`."""
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry["name"] != FOLLOW_UP]
        total = sum(float(entry["confidence"]) for entry in ranking) or 1.0
        scores = {entry["name"]: float(entry["confidence"]) / total for entry in ranking}
        scores[previous] = scores.get(previous, 0.0) + self.config["context_weight"]
        return max(scores, key=scores.get)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float, replaced: str = FOLLOW_UP) -> None:
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                   if entry["name"] not in (name, FOLLOW_UP, replaced)]
        chosen = {"name": name, "confidence": confidence}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


def _normalised_text(message: Message) -> str:
    """The message's text in lower case, runs of white space as one space."""
    return " ".join((message.get(TEXT) or "").lower().split())


def only_place_names(text: str) -> bool:
    """The message names a place and nothing else ("Vantaa", "Åbo?")."""
    return letter_count(text) > 0 and letter_count(without_place_names(text)) == 0


def _topic(entities: list[dict[str, Any]] | None) -> str | None:
    for entity in entities or []:
        if entity.get("entity") == TOPIC:
            return entity.get("value")
    return None


def _add_topic(message: Message, topic: str) -> None:
    text = message.get(TEXT) or ""
    entity = {"entity": TOPIC, "value": topic, "start": 0, "end": len(text), "confidence": 1.0,
              "extractor": FollowUpResolver.__name__}
    message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)

