"""Helpers shared by the benchmarks: test-set loading and summary statistics."""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES, rest_channel_tokens

TEST_SET_DIR = REPO_ROOT / "tests" / "nlu"
# The benchmarks talk to the REST channel as an integrator of their own (docs/security.md), or as
# the one the environment already names (a test stack); the stacks they start inherit it.
BENCH_REST_TOKEN = "bench-rest-token-not-for-production-0123456789"
os.environ.setdefault("REST_CHANNEL_TOKENS", f"bench={BENCH_REST_TOKEN}")
# A bench is one client sending as fast as the stack answers: the per-client limits would only measure
# themselves (their cost is measured by bench/trust_checks).
for _client in ("CHAT", "REST", "SMS"):
    os.environ.setdefault(f"{_client}_MESSAGES_PER_MINUTE", "100000")
_REST_TOKEN, REST_INTEGRATOR = next(iter(rest_channel_tokens().items()))
REST_HEADERS = {"Authorization": f"Bearer {_REST_TOKEN}"}


def rest_conversation_id(sender: str) -> str:
    """The stored id of the benchmarks' REST conversation `sender`: namespaced, and kept as its keyed
    hash (bot/conversation_ids.py)."""
    from bot.conversation_ids import rest_conversation_id as stored_rest_id
    from bot.settings import rest_sender_key

    return stored_rest_id(REST_INTEGRATOR, sender, rest_sender_key())


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) pairs of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], line[2:].strip()))
    return pairs


def held_out_sets() -> dict[str, list[tuple[str, str]]]:
    """The held-out NLU test set of each language."""
    return {language: load_examples(TEST_SET_DIR / f"{language}.yml") for language in SUPPORTED_LANGUAGES}


def length_bucket(text: str) -> str:
    words = len(text.split())
    return "1-2 words" if words <= 2 else "3-5 words" if words <= 5 else "6+ words"


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
