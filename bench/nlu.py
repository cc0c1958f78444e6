"""Intent accuracy and macro-F1 per language on the held-out test sets.

Also trains a variant without Finnish lemmas (Voikko) to show whether lemmas
help, as the pipeline should keep only what measurably does.

Run: .venv/bin/python -m bench.nlu [--no-variants]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.settings import RASA_PROCESS_ENV, REPO_ROOT

os.environ.setdefault("LOG_LEVEL", "WARNING")  # before Rasa is imported
os.environ.update(RASA_PROCESS_ENV)
from sklearn.metrics import f1_score  # noqa: E402

from bench.common import held_out_sets, median
from bot.training import ensure_model

FALLBACK = "nlu_fallback"


async def _predict(model: Path, texts: list[str]) -> tuple[list[str], list[str], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    raw, final, timings = [], [], []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        timings.append(time.perf_counter() - started)
        final.append(parsed["intent"]["name"])
        ranking = [entry["name"] for entry in parsed.get("intent_ranking", []) if entry["name"] != FALLBACK]
        raw.append(ranking[0] if ranking else FALLBACK)
    return raw, final, timings


def evaluate(model: Path, label: str) -> dict[str, float]:
    sets = held_out_sets()
    print(f"\n{label}: {model.name}")
    header = ["lang", "   n", "accuracy", "macro-F1", "after fallback", "fallback", "parse ms"]
    print("  " + " | ".join(header))
    scores = {}
    for language, pairs in sets.items():
        gold = [intent for intent, _ in pairs]
        raw, final, timings = asyncio.run(_predict(model, [text for _, text in pairs]))
        accuracy = sum(g == p for g, p in zip(gold, raw, strict=True)) / len(gold)
        macro = f1_score(gold, raw, average="macro", zero_division=0)
        after = sum(g == p for g, p in zip(gold, final, strict=True)) / len(gold)
        fallback = sum(p == FALLBACK for p in final) / len(final)
        scores[language] = macro
        print(f"  {language:4} | {len(gold):4} | {100 * accuracy:7.1f}% | {macro:8.3f} | {100 * after:13.1f}% "
              f"| {100 * fallback:7.1f}% | {1000 * median(timings):.1f}")
    return scores


def train_variant(component_name: str, changes: dict[str, object], directory: Path) -> Path:
    """Trains an NLU model whose config differs from ours in one component's settings."""
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"].endswith(component_name):
            component.update(changes)
    config_path = directory / "config.yml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, **RASA_PROCESS_ENV}
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config_path),
         "--nlu", str(REPO_ROOT / "data" / "nlu"), "--out", str(directory), "--fixed-model-name", "variant"],
        check=True, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return directory / "variant.tar.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-variants", action="store_true", help="evaluate only the current model")
    args = parser.parse_args()
    scores = evaluate(ensure_model(), "Current pipeline (config.yml)")
    if not args.no_variants:
        config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
        lemmas_on = any(c.get("lemmatize_finnish") for c in config["pipeline"])
        lemma_label = "without" if lemmas_on else "with"
        variants = [
            ("LemmatizingTokenizer", {"lemmatize_finnish": not lemmas_on}, f"Variant {lemma_label} Finnish lemmas"),
            ("LinearIntentClassifier", {"sentence_embedding_weight": 0.0}, "Variant without sentence embeddings"),
        ]
        for component, changes, label in variants:
            with tempfile.TemporaryDirectory() as directory:
                evaluate(train_variant(component, changes, Path(directory)), label)
    worst = min(scores.values())
    print(f"\nTarget: macro-F1 >= 0.95 in each language; lowest now {worst:.3f}"
          f" ({'met' if worst >= 0.95 else 'NOT met'}).")


if __name__ == "__main__":
    main()
