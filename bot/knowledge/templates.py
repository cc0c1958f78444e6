"""Fills the {placeholders} of user-facing texts, with plural forms chosen by number.

Every text of ours (knowledge/, bot/booking/messages.yml, the review tool's
texts) is filled here. Besides plain `{name}`, a placeholder may carry the
word forms to choose from by the value's number, after a colon:

    "{attempts} {attempts:yritys|yritystä}"  ->  "1 yritys", "3 yritystä"
    "{minutes} {minutes:minut|minuter}"       ->  "1 minut", "10 minuter"

The forms are "one|other", chosen by the language's plural rule from the
Unicode CLDR (via Babel): Finnish, Swedish and English all have these two.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from babel import Locale

PLURAL_SEPARATOR = "|"


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def plural_category(number: int, language: str) -> str:
    """CLDR's plural category of `number` in `language` ("one", "other", ...)."""
    return _locale(language).plural_form(abs(number))


def choose_form(value: Any, forms: str, language: str) -> str:
    """The form in "one|other" (or "one|few|many|other" in that CLDR order) that fits `value`."""
    options = forms.split(PLURAL_SEPARATOR)
    try:
        number = int(str(value).strip())
    except ValueError as error:
        raise ValueError(f"plural forms {forms!r} need a whole number, got {value!r}") from error
    category = plural_category(number, language)
    if len(options) == 2:
        return options[0] if category == "one" else options[1]
    order = ("one", "few", "many", "other")[: len(options)]
    return options[order.index(category)] if category in order else options[-1]


class _PluralFormatter(string.Formatter):
    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if PLURAL_SEPARATOR in format_spec:
            return choose_form(value, format_spec, self.language)
        return super().format_field(value, format_spec)


def fill(template: str, language: str, values: Mapping[str, Any]) -> str:
    """`template` with every placeholder replaced; a missing value raises KeyError."""
    return _PluralFormatter(language).vformat(template, (), values)


def placeholders(template: str) -> set[str]:
    """The names of the values a template needs."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
