"""The shared table-driven finder (bot/privacy/finders.py): how far after its keyword a value is taken."""

import re

from bot.privacy.finders import Rule, after_keyword, find, linked_to_keyword
from bot.privacy.spans import NAMED

CODE = Rule("pin", after_keyword("koodi|code", r"\d{4}", gap=2), NAMED)
HOME = Rule("address", linked_to_keyword("asun|live", "at|nyt", r"[A-Z]\w*(?: Road|katu) \d+"), NAMED)


def found(text, rule, is_public=lambda value: False):
    return [text[span.start:span.end] for span in find(text, [rule], is_public)]


def test_a_named_value_may_stand_a_few_words_on_in_the_same_sentence():
    assert found("PIN-koodini on nyt 4821", CODE) == ["4821"]
    assert found("the code they sent is 4821", CODE) == ["4821"]
    assert found("the code is gone. Room 1204 is upstairs", CODE) == []


def test_a_public_value_is_passed_over_for_the_next_one():
    assert found("code 0295 or 4821", CODE, is_public=lambda value: value == "0295") == ["4821"]


def test_an_address_must_follow_its_keyword_and_linking_words_at_once():
    assert found("I live at Abbey Road 5", HOME) == ["Abbey Road 5"]
    assert found("asun nyt Kauppakatu 12", HOME) == ["Kauppakatu 12"]
    assert found("I live far from Abbey Road 5", HOME) == []


def test_every_rule_of_the_tables_has_a_kind_the_placeholders_know():
    from bot.privacy import addresses, identifiers
    from bot.privacy.spans import PLACEHOLDERS

    for rule in [*identifiers.RULES, *addresses.RULES]:
        assert rule.kind in PLACEHOLDERS
        assert isinstance(rule.pattern, re.Pattern) or rule.pattern.keyword.pattern
