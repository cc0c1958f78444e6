"""Whole replies on evaluation sets nobody tuned to, per language.

Runs the real assistant (backend, action server, Rasa server with the current
model; bot/supervisor.py on free loopback ports) and sends every message of
tests/nlu/independent/<lang>.yml as the first message of a new conversation,
and every conversation of tests/conversations/independent/<lang>.yml turn by turn.
A reply is right when all of these hold:

- the answer: the intent the assistant acted on is the one the writer meant
  (LABELS maps the writers' names to ours), and for a service-number
  question its topic too;
- the facts: every fact the writer listed is in the reply's text (compared
  with whitespace, and ':' between digits, normalised: "0295790603" =
  "0295 790 603", "8:30" = "8.30");
- the language: the reply is in the language the user wrote in (the
  conversation's `language` slot, which picks every response's variation);
  a request to switch language is exempt (its reply is in the language asked
  for, which the sets do not record);
- there is a reply at all.

Each language's messages are split by a stable hash of their text: the first
quarter (dev) may be read to find kinds of mistakes; the rest (held-out) is
scored only in aggregate. Conversations are split the same way by their id.

A second blind round by three new writers (tests/nlu/independent/round3/<lang>.yml,
tests/conversations/independent/round3/<lang>.yml) is scored as its own parts,
split the same way: "round 3 dev", "round 3 held-out", "round 3 dev
conversations", "round 3 held-out conversations". A message the writer gave no
topic ("nummer?") accepts a service-number answer on any topic.

The old sets (tests/nlu/<lang>.yml, written beside the training data) are
scored the same way (answer and language; they list no facts).

Run: .venv/bin/python -m bench.replies [--show-dev] [--json PATH] [--parts PART ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.common import REST_HEADERS, load_examples, rest_conversation_id
from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES

# The independent sets, written blind to the training data (docs/quality.md).
MESSAGES_DIR = REPO_ROOT / "tests" / "nlu" / "independent"
CONVERSATIONS_DIR = REPO_ROOT / "tests" / "conversations" / "independent"
# Each blind round's parts are named with its prefix; the first round has none.
ROUNDS: dict[str, tuple[Path, Path]] = {
    "": (MESSAGES_DIR, CONVERSATIONS_DIR),
    "round 3 ": (MESSAGES_DIR / "round3", CONVERSATIONS_DIR / "round3"),
}
SPLIT_PARTS = ("dev", "held-out", "dev conversations", "held-out conversations")
PARTS = tuple(f"{prefix}{part}" for prefix in ROUNDS for part in SPLIT_PARTS) + ("old",)
OLD_SET_DIR = REPO_ROOT / "tests" / "nlu"
DEV_SHARE = 0.25
WORKERS = 4

# The writers' labels whose meaning our domain spells differently: the intents our
# dialogue acts on for each. "How do I book / can I book by phone?" is answered by the
# rule and an offer (ask_booking_channel) or by starting the booking, which says the same.
LABELS: dict[str, tuple[str, ...]] = {
    "book_appointment": ("ask_booking_how",),
    "ask_booking_how": ("ask_booking_channel", "ask_booking_how"),
    "check_booking": ("ask_booking_check",),
    "cancel_booking": ("ask_booking_cancel",),
}


# The writers file "how do I cancel when I got no confirmation?" under the rules for cancelling,
# with the e-mail route as its fact; our no-confirmation answer gives that route.
NO_CONFIRMATION_ROUTE = "migri@migri.fi"


def accepted(gold: str, facts: Iterable[str] = ()) -> tuple[str, ...]:
    if gold == "ask_booking_cancel" and NO_CONFIRMATION_ROUTE in facts:
        return ("ask_booking_cancel", "ask_no_confirmation")
    return LABELS.get(gold, (gold,))


def as_gold_label(gold: str, predicted: str | None, facts: Iterable[str] = ()) -> str:
    """The prediction in the writers' label space (for F1 and confusions)."""
    predicted = predicted or "none"
    if predicted in accepted(gold, facts):
        return gold
    for label, ours in LABELS.items():
        if predicted == ours[0]:
            return label
    return predicted


def stable_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(items: list[Any], key: Callable[[Any], str]) -> tuple[list[Any], list[Any]]:
    """(dev, held-out): the first quarter of the items ordered by the hash of their key."""
    ordered = sorted(items, key=lambda item: stable_hash(key(item)))
    cut = round(len(ordered) * DEV_SHARE)
    return ordered[:cut], ordered[cut:]


_DIGIT_GAP = re.compile(r"(?<=\d)[\s\u00a0\u202f]+(?=\d)")
_DIGIT_COLON = re.compile(r"(?<=\d):(?=\d)")


def normalise(text: str) -> str:
    text = _DIGIT_COLON.sub(".", _DIGIT_GAP.sub("", text.lower()))
    return " ".join(text.replace("–", "-").replace("—", "-").split())


def facts_present(facts: Iterable[Any], reply: str) -> bool:
    said = normalise(reply)
    return all(normalise(str(fact)) in said for fact in facts or [])


# -- the cases -------------------------------------------------------------------
@dataclass
class Turn:
    text: str
    intent: str
    language: str
    topic: str | None = None
    facts: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    turn: Turn
    predicted: str | None
    topic: str | None
    language: str | None
    reply: str
    follow_up_of: str | None = None

    @property
    def answer_right(self) -> bool:
        if self.predicted not in accepted(self.turn.intent, self.turn.facts):
            return False
        return not (self.turn.topic and self.predicted == "ask_service_number" and self.topic != self.turn.topic)

    @property
    def facts_right(self) -> bool:
        return facts_present(self.turn.facts, self.reply)

    @property
    def language_right(self) -> bool:
        # A request to switch is answered in the language asked for, which the writers do not record.
        return self.turn.intent == "switch_language" or self.language == self.turn.language

    @property
    def right(self) -> bool:
        return bool(self.reply.strip()) and self.answer_right and self.facts_right and self.language_right


def _turn(item: dict[str, Any], language: str) -> Turn:
    return Turn(str(item.get("text") or item.get("user") or ""), item["intent"], item.get("language") or language,
                item.get("topic"), [str(fact) for fact in item.get("facts") or []])


def eval_sets(language: str) -> dict[str, Any]:
    """A language's messages and conversations of every round, each split into dev and held-out."""
    sets: dict[str, Any] = {}
    for prefix, (messages_dir, conversations_dir) in ROUNDS.items():
        messages = yaml.safe_load((messages_dir / f"{language}.yml").read_text(encoding="utf-8"))["messages"]
        conversations = yaml.safe_load((conversations_dir / f"{language}.yml").read_text(encoding="utf-8"))[
            "conversations"]
        dev, held_out = split(messages, lambda item: item["text"])
        dev_conversations, held_out_conversations = split(conversations, lambda item: str(item["id"]))
        to_turns = lambda conversation: [_turn(turn, language) for turn in conversation["turns"]]  # noqa: E731
        sets.update({
            f"{prefix}dev": [_turn(item, language) for item in dev],
            f"{prefix}held-out": [_turn(item, language) for item in held_out],
            f"{prefix}dev conversations": [to_turns(c) for c in dev_conversations],
            f"{prefix}held-out conversations": [to_turns(c) for c in held_out_conversations],
        })
    return sets


def is_dev(part: str) -> bool:
    return "dev" in part.split()


def old_set(language: str) -> list[Turn]:
    return [Turn(text, intent, language) for intent, text in load_examples(OLD_SET_DIR / f"{language}.yml")]


# -- talking to the assistant --------------------------------------------------------
class Assistant:
    """The running Rasa server, over its REST channel and tracker API."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token

    def _post(self, path: str, payload: Any) -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json", **REST_HEADERS})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def _tracker(self, sender: str) -> dict[str, Any]:
        url = (f"{self.base_url}/conversations/{rest_conversation_id(sender)}/tracker"
               f"?token={self.token}&include_events=AFTER_RESTART")
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read())

    def conversation(self, turns: list[Turn]) -> list[Outcome]:
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        outcomes = []
        for turn in turns:
            replies = self._post("/webhooks/rest/webhook", {"sender": sender, "message": turn.text})
            tracker = self._tracker(sender)
            user = [event for event in tracker["events"] if event["event"] == "user"][-1]
            parse = user.get("parse_data") or {}
            topic = next((e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "topic"), None)
            text = " ".join(str(reply.get("text") or "") for reply in replies)
            outcomes.append(Outcome(turn, (parse.get("intent") or {}).get("name"), topic,
                                    tracker["slots"].get("language"), text, parse.get("follow_up_of")))
        return outcomes

    def run(self, conversations: list[list[Turn]]) -> list[list[Outcome]]:
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(self.conversation, conversations))


# -- figures -------------------------------------------------------------------------
def macro_f1(outcomes: list[Outcome]) -> float:
    from sklearn.metrics import f1_score

    gold = [outcome.turn.intent for outcome in outcomes]
    predicted = [as_gold_label(o.turn.intent, o.predicted, o.turn.facts) for o in outcomes]
    return float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0))


def confusions(outcomes: list[Outcome]) -> Counter[tuple[str, str]]:
    return Counter((o.turn.intent, as_gold_label(o.turn.intent, o.predicted, o.turn.facts))
                   for o in outcomes if not o.answer_right)


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    share = lambda test: round(sum(map(test, outcomes)) / n, 4) if n else None  # noqa: E731
    return {
        "n": n,
        "right": share(lambda o: o.right),
        "answer": share(lambda o: o.answer_right),
        "facts": share(lambda o: o.facts_right),
        "language": share(lambda o: o.language_right),
        "macro_f1": round(macro_f1(outcomes), 4) if n else None,
        "confusions": [[gold, predicted, count] for (gold, predicted), count in confusions(outcomes).most_common(8)],
    }


def evaluate(assistant: Assistant, languages: Iterable[str] = SUPPORTED_LANGUAGES,
             parts: Iterable[str] = PARTS) -> dict[str, Any]:
    """Figures per language and part, and the outcomes themselves (for reading the dev part's mistakes)."""
    parts = list(parts)
    figures: dict[str, Any] = {}
    outcomes: dict[tuple[str, str], list[Outcome]] = {}
    for language in languages:
        sets = eval_sets(language) if any(part != "old" for part in parts) else {}
        for part in parts:
            if part == "old":
                results = [o for c in assistant.run([[turn] for turn in old_set(language)]) for o in c]
            elif part.endswith("conversations"):
                results = [o for c in assistant.run(sets[part]) for o in c]
            else:
                results = [o for c in assistant.run([[turn] for turn in sets[part]]) for o in c]
            outcomes[(language, part)] = results
            figures.setdefault(language, {})[part] = summary(results)
    return {"figures": figures, "outcomes": outcomes}


def print_figures(figures: dict[str, Any]) -> None:
    columns = ("right", "answer", "facts", "lang")
    header = f"{'lang':4} | {'part':30} | {'n':>4} | " + " | ".join(f"{c:>6}" for c in columns) + " | macro-F1"
    print(header)
    print("-" * len(header))
    for language, parts in figures.items():
        for part, s in parts.items():
            print(f"{language:4} | {part:30} | {s['n']:4} | {100 * s['right']:5.1f}% | {100 * s['answer']:5.1f}% | "
                  f"{100 * s['facts']:5.1f}% | {100 * s['language']:5.1f}% | {s['macro_f1']:.3f}")
    print("\nWorst confusions (writer's intent -> the assistant's, count):")
    for language, parts in figures.items():
        for part, s in parts.items():
            if s["confusions"]:
                shown = ", ".join(f"{gold} -> {predicted} ({count})" for gold, predicted, count in s["confusions"][:5])
                print(f"  {language} {part}: {shown}")


def print_dev_mistakes(outcomes: dict[tuple[str, str], list[Outcome]]) -> None:
    """The dev parts' wrong replies, to find kinds of mistakes (never the held-out parts)."""
    for (language, part), results in outcomes.items():
        if not is_dev(part):
            continue
        for o in results:
            if not o.right:
                why = [name for name, ok in (("answer", o.answer_right), ("facts", o.facts_right),
                                             ("language", o.language_right)) if not ok]
                print(f"[{language} {part}] {o.turn.text!r}: {o.turn.intent}/{o.turn.topic} -> {o.predicted}/"
                      f"{o.topic} lang={o.language} ({', '.join(why)}) facts={o.turn.facts} reply={o.reply[:160]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-dev", action="store_true", help="list the dev parts' wrong replies")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--languages", nargs="*", default=list(SUPPORTED_LANGUAGES))
    parser.add_argument("--parts", nargs="*", default=list(PARTS))
    parser.add_argument("--model", type=Path, help="a trained model to use instead of the current one")
    args = parser.parse_args()

    from bench.assistant import running_assistant

    with running_assistant(args.model) as (base_url, token):
        result = evaluate(Assistant(base_url, token), args.languages, args.parts)
    print_figures(result["figures"])
    if args.show_dev:
        print()
        print_dev_mistakes(result["outcomes"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result["figures"], indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
