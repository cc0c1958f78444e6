"""Language detectors on our test sets: accuracy per language and length, speed,
how often a conversation's replies come out in the right language, and the
language a first message gets (bot/language/detection.decide, with function
words and the training vocabulary) on the independent sets' dev and held-out
parts of both blind rounds (tests/nlu/independent/ and its round3/, written
blind to the training data).

Run: .venv/bin/python -m bench.langid
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from bench.common import held_out_sets, length_bucket, median
from bot.language.detection import DETECTORS, decide
from bot.settings import SUPPORTED_LANGUAGES, get_settings

BUCKETS = ("1-2 words", "3-5 words", "6+ words")
CONVERSATION_LENGTH = 10


def accuracy_table(detector, examples: dict[str, list[tuple[str, str]]]) -> None:
    hits: dict[str, list[int]] = defaultdict(list)
    timings: list[float] = []
    for language, pairs in examples.items():
        for _, text in pairs:
            started = time.perf_counter()
            detection = detector.detect(text)
            timings.append(time.perf_counter() - started)
            hit = int(detection.language == language)
            hits[language].append(hit)
            hits[length_bucket(text)].append(hit)
            hits["all"].append(hit)
    columns = ["all", "fi", "sv", "en", *BUCKETS]
    print("  " + " | ".join(f"{c:>9}" for c in columns) + " | us/call (median)")
    print("  " + " | ".join(f"{100 * sum(hits[c]) / len(hits[c]):8.1f}%" for c in columns)
          + f" | {median(timings) * 1e6:8.0f}")


def conversation_rate(detector, examples, min_letters: int, min_confidence: float, seed: int = 0) -> float:
    """Share of replies in the user's language: each conversation is 10 test messages
    of one language; unsure messages keep the language, the first one uses the guess."""
    rng = random.Random(seed)
    right = total = 0
    for language, pairs in examples.items():
        texts = [text for _, text in pairs]
        rng.shuffle(texts)
        for start in range(0, len(texts), CONVERSATION_LENGTH):
            current = None
            for text in texts[start : start + CONVERSATION_LENGTH]:
                decision = decide(detector, text, min_letters, min_confidence)
                current = decision.confident or current or decision.guess or get_settings().default_language
                right += current == language
                total += 1
    return right / total


def first_message_rate(detector, min_letters: int, min_confidence: float) -> None:
    """Share of first messages given the writer's language (requests to switch left out), per set part."""
    from bench.replies import ROUNDS, eval_sets

    for language in SUPPORTED_LANGUAGES:
        sets = eval_sets(language)
        shares = []
        for part in (f"{prefix}{part}" for prefix in ROUNDS for part in ("dev", "held-out")):
            turns = [turn for turn in sets[part] if turn.intent != "switch_language"]
            right = 0
            for turn in turns:
                decision = decide(detector, turn.text, min_letters, min_confidence)
                right += (decision.confident or decision.guess or get_settings().default_language) == turn.language
            shares.append(f"{part} {100 * right / len(turns):.1f}% of {len(turns)}")
        print(f"    {language}: " + ", ".join(shares))


def main() -> None:
    examples = held_out_sets()
    settings = get_settings()
    counts = ", ".join(f"{lang} {len(pairs)}" for lang, pairs in examples.items())
    print(f"Language identification on the NLU test sets ({counts} messages)\n")
    for name, factory in DETECTORS.items():
        detector = factory()
        print(f"{name}{' (default)' if name == settings.language_detector else ''}: accuracy")
        accuracy_table(detector, examples)
        print("  replies in the right language over 10-message conversations, by threshold:")
        for threshold in (0.5, 0.6, 0.75, 0.9):
            rate = conversation_rate(detector, examples, settings.language_min_letters, threshold)
            marker = "  <- configured" if threshold == settings.language_min_confidence else ""
            print(f"    min confidence {threshold:.2f}: {100 * rate:.2f}%{marker}")
        print("  first messages of the independent sets in the writer's language:")
        first_message_rate(detector, settings.language_min_letters, settings.language_min_confidence)
        print()


if __name__ == "__main__":
    main()
