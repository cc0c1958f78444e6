"""How much personal data the redactor removes, how much public text it damages, and how long it takes.

Two corpora, each written by someone who never saw the detectors
(tests/privacy/corpus/corpus_{fi,sv,en}.yml and the second, corpus2_{fi,sv,en}.yml):
chat messages as applicants type them, each with the values that must disappear
(`remove: [{kind, value}]`) and the text that must survive (`keep`). A value
counts as removed only when no piece of it is left (no word of a name or street,
no run of three or more digits), so "FI13 4711 [PHONE]" is a miss. Time is per
message, with the redactor's memory of recent texts bypassed, after a warm-up:
the redacting thread's CPU time (which other processes on a busy machine do not
stretch) and the elapsed time.

    python -m bench.redaction [-v] [--corpus corpus2]
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.privacy.redaction import Redactor, default_redactor

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "privacy" / "corpus"
LANGUAGES = ("fi", "sv", "en")
CORPORA = ("corpus", "corpus2")  # file name prefixes: the first blind corpus, the second


@dataclass
class Score:
    removed: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    kept: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)
    damage: list[tuple[str, str, str]] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)      # CPU time of the redacting thread
    wall_ms: list[float] = field(default_factory=list)       # elapsed, which other processes stretch

    def recall(self, kind: str | None = None, language: str | None = None) -> float:
        cells = [v for (k, lang), v in self.removed.items()
                 if (kind is None or k == kind) and (language is None or lang == language)]
        found, total = sum(c[0] for c in cells), sum(c[1] for c in cells)
        return found / total if total else 1.0

    def damaged_share(self, language: str | None = None) -> float:
        cells = [v for lang, v in self.kept.items() if language is None or lang == language]
        damaged, total = sum(c[0] for c in cells), sum(c[1] for c in cells)
        return damaged / total if total else 0.0

    @property
    def kinds(self) -> list[str]:
        return sorted({kind for kind, _ in self.removed})


def load_corpus(language: str, corpus: str = CORPORA[0]) -> list[dict]:
    return yaml.safe_load((CORPUS_DIR / f"{corpus}_{language}.yml").read_text(encoding="utf-8"))["messages"]


def pieces(value: str) -> list[str]:
    """The parts of a value that must not be left: digit runs of 3+, words of 2+ letters."""
    return [p for p in re.findall(r"\w+", value) if (p.isdigit() and len(p) >= 3) or
            (not p.isdigit() and len(p) >= 2) or (len(p) >= 3)]


def left_in(value: str, redacted: str) -> bool:
    if value.casefold() in redacted.casefold():
        return True
    return any(re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", redacted, re.IGNORECASE) for p in pieces(value))


def score(redactor: Redactor | None = None, languages: tuple[str, ...] = LANGUAGES,
          corpus: str = CORPORA[0]) -> Score:
    redactor = redactor or default_redactor()
    result = Score()
    for language in languages:
        messages = load_corpus(language, corpus)
        for message in messages[:20]:  # warm-up: caches, Voikko
            redactor._redact(message["text"])
        for message in messages:
            text = message["text"]
            started, cpu_started = time.perf_counter(), time.thread_time()
            redacted = redactor._redact(text)
            result.times_ms.append((time.thread_time() - cpu_started) * 1000)
            result.wall_ms.append((time.perf_counter() - started) * 1000)
            public = " ".join(message.get("keep") or [])
            for item in message.get("remove") or []:
                cell = result.removed[(item["kind"], language)]
                cell[1] += 1
                # A piece that the must-keep text also holds (a town after a street) may stay.
                if left_in(item["value"], redacted) and not (public and item["value"] in public):
                    leftover = [p for p in pieces(item["value"]) if p.casefold() not in public.casefold()]
                    if item["value"].casefold() in redacted.casefold() or any(
                            re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", redacted, re.IGNORECASE)
                            for p in leftover):
                        result.misses.append((language, item["kind"], item["value"], redacted))
                        continue
                cell[0] += 1
            for kept in message.get("keep") or []:
                cell = result.kept[language]
                cell[1] += 1
                if kept not in redacted:
                    cell[0] += 1
                    result.damage.append((language, kept, redacted))
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(result: Score, verbose: bool = False) -> str:
    lines = [f"{'kind':<16}" + "".join(f"{lang:>8}" for lang in LANGUAGES) + f"{'all':>8}{'n':>6}"]
    for kind in result.kinds:
        total = sum(result.removed[(kind, lang)][1] for lang in LANGUAGES)
        lines.append(f"{kind:<16}" + "".join(
            f"{result.recall(kind, lang) * 100:>7.1f}%" if result.removed.get((kind, lang), [0, 0])[1] else f"{'-':>8}"
            for lang in LANGUAGES) + f"{result.recall(kind) * 100:>7.1f}%{total:>6}")
    lines.append(f"{'recall, all':<16}" + "".join(f"{result.recall(language=lang) * 100:>7.1f}%" for lang in LANGUAGES)
                 + f"{result.recall() * 100:>7.1f}%")
    lines.append(f"{'must-keep damaged':<16}" + "".join(
        f"{result.damaged_share(lang) * 100:>7.1f}%" for lang in LANGUAGES) + f"{result.damaged_share() * 100:>7.1f}%"
        + f"{sum(v[1] for v in result.kept.values()):>6}")
    for label, times in (("CPU time", result.times_ms), ("elapsed", result.wall_ms)):
        lines.append(f"{label} per message: p50 {percentile(times, 0.5):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
                     f"max {max(times):.2f} ms ({len(times)} messages)")
    if verbose:
        lines += ["", "missed:"] + [f"  {lang} {kind}: {value!r} in {text!r}"
                                    for lang, kind, value, text in result.misses]
        lines += ["", "damaged:"] + [f"  {lang} {kept!r} in {text!r}" for lang, kept, text in result.damage]
    return "\n".join(lines)


def main() -> None:
    import sys

    arguments = sys.argv[1:]
    corpus = arguments[arguments.index("--corpus") + 1] if "--corpus" in arguments else CORPORA[0]
    if corpus not in CORPORA:
        raise SystemExit(f"--corpus is one of {', '.join(CORPORA)}")
    print(report(score(corpus=corpus), verbose="-v" in arguments))


if __name__ == "__main__":
    main()
