"""The one finder behind the identifier and address detectors: a table of rules, each a kind of
personal data, a pattern that finds it (bare, or after a keyword that names it), the strength of
what it finds and an optional check that weakens or drops a find.

A value named by its keyword ("passinumeroni on ...", "min adress är ...") is found after the
keyword in any inflection. Most values may stand a few words further on ("PIN-koodini on nyt
4821"); an address must follow its keyword and a few linking words at once ("asun nyt
Hämeenkatu 5"), because almost any word can end like a street name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.privacy.spans import Span

IsPublic = Callable[[str], bool]
Check = Callable[[str], "int | None"]


def either(*alternatives: str) -> str:
    """A regex alternation of `alternatives` (each a regex), one list of words per line of a table."""
    return "|".join(alternatives)


@dataclass(frozen=True)
class Keyed:
    """A value named by its keyword.

    With `gap` words allowed (the default way): the first value after the keyword, at most
    `gap` words further on, in the same sentence, that is not public ("sms från 18135 e 883
    120"). With `linking` words instead: the value right after the keyword and any of those
    words, its span the pattern's group `value`."""

    keyword: re.Pattern[str]
    value: re.Pattern[str]
    gap: int = 0
    linking: bool = False

    def spans(self, text: str, is_public: IsPublic) -> Iterator[tuple[int, int]]:
        for keyword in self.keyword.finditer(text):
            if self.linking:
                value = self.value.match(text, keyword.end())
                if value and not is_public(value.group("value")):
                    yield value.span("value")
                continue
            window_end = _window_end(text, keyword.end(), self.gap)
            for value in self.value.finditer(text, keyword.end(), window_end):
                if not is_public(value.group(0)):
                    yield value.span()
                    break


def _window_end(text: str, start: int, gap: int) -> int:
    """Where the words after a keyword end: `gap` words and one value later, or at a sentence's end."""
    position = start
    for count, word in enumerate(re.finditer(r"\S+", text[start:])):
        if count > gap + 4 or re.search(r"[.!?](?:\s|$)", text[start + word.start():start + word.end() + 1]) and \
                count > 0 and not re.fullmatch(r"[\w.]*\d[\w.]*", word.group(0).rstrip(".!?")):
            break
        position = start + word.end()
    return min(len(text), position + 1)


def after_keyword(keyword: str, value: str, gap: int = 4) -> Keyed:
    """`keyword` (in any inflection), at most `gap` words, then `value` as one whole token run."""
    return Keyed(re.compile(rf"(?i)(?<![\w])(?:{keyword})[\w-]*"),
                 re.compile(rf"(?i)(?<![\w@.+-])(?<!\d[ -])(?:{value})(?![\w@]|-\w|[.,]\d|[ -]\d)"), gap)


def linked_to_keyword(keyword: str, linking: str, value: str) -> Keyed:
    """`keyword` as written, any of the `linking` words, an optional colon, then `value` at once."""
    return Keyed(re.compile(rf"(?i)(?<![\w])(?:{keyword})"),
                 re.compile(rf"(?i)(?:\s+(?:{linking}))*\s*:?\s+(?P<value>{value})(?![\w])"), linking=True)


@dataclass(frozen=True)
class Rule:
    """One row of a finder's table: what `pattern` finds is a `kind` of the given strength, or of
    the strength `check` gives it (None drops it)."""

    kind: str
    pattern: re.Pattern[str] | Keyed
    strength: int
    check: Check | None = None


def never_public(_: str) -> bool:
    return False


def find(text: str, rules: list[Rule], is_public: IsPublic = never_public) -> Iterator[Span]:
    """Every find of every rule in `text`, overlapping; `spans.choose` picks among them.
    `is_public` tells values named by a keyword that are not personal data (the agency's numbers)."""
    for rule in rules:
        found = (rule.pattern.spans(text, is_public) if isinstance(rule.pattern, Keyed)
                 else (match.span() for match in rule.pattern.finditer(text)))
        for start, end in found:
            strength = rule.strength if rule.check is None else rule.check(text[start:end])
            if strength is not None:
                yield Span(start, end, rule.kind, strength)
