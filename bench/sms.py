"""SMS segments per FAQ answer, in every language (target: at most 3 each).

Counts the answer as the SMS channel sends it before any shortening (GSM-7,
typography replaced), so an answer that only fits by being cut shows up here.
Run: .venv/bin/python -m bench.sms
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import yaml

from bot.knowledge.render import AnswerRenderer
from bot.knowledge.store import load_knowledge
from bot.settings import REPO_ROOT, SUPPORTED_LANGUAGES
from bot.sms.text import MAX_SEGMENTS, segment_count, shorten_urls, to_gsm7

# A fixed moment (a Tuesday morning before Christmas) so the figures repeat.
MOMENT = dt.datetime(2026, 12, 22, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def answers(renderer: AnswerRenderer, language: str) -> dict[str, str]:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts = {}
    for intent in (i for i in domain["intents"] if i.startswith("ask_")):
        texts[intent] = renderer.answer(intent, language, now=MOMENT)
    for topic in renderer.knowledge.topics:
        texts[f"ask_service_number[{topic['id']}]"] = renderer.service_number(topic["id"], language)
    return texts


def main() -> None:
    renderer = AnswerRenderer(load_knowledge())
    worst: list[tuple[int, str, str]] = []
    print(f"SMS segments per FAQ answer (GSM-7), at most {MAX_SEGMENTS} wanted\n")
    print("lang | answers | 1 seg | 2 seg | 3 seg | >3 seg | longest (septets)")
    for language in SUPPORTED_LANGUAGES:
        counts: Counter[int] = Counter()
        longest = 0
        for key, text in answers(renderer, language).items():
            sms = shorten_urls(to_gsm7(text))
            segments = segment_count(sms)
            counts[min(segments, 4)] += 1
            longest = max(longest, len(sms))
            worst.append((segments, language, key))
        total = sum(counts.values())
        print(f"{language:4} | {total:7} | {counts[1]:5} | {counts[2]:5} | {counts[3]:5} | {counts[4]:6} | {longest}")
    over = [entry for entry in worst if entry[0] > MAX_SEGMENTS]
    print(f"\nAnswers over {MAX_SEGMENTS} segments: {len(over)}")
    for segments, language, key in sorted(over, reverse=True):
        print(f"  {language} {key}: {segments} segments (the channel cuts it at a sentence boundary)")


if __name__ == "__main__":
    main()
