"""The redactor against the held-out corpus (tests/privacy/corpus, written blind to the detectors):
the targets of docs/privacy.md, checked on every `make test`."""

import pytest

from bench.redaction import LANGUAGES, percentile, report, score
from bot.knowledge.store import default_knowledge
from bot.privacy.redaction import Redactor, agency_contacts

OVERALL_RECALL = 0.97
KIND_RECALL = 0.92
MAX_DAMAGE = 0.01
MAX_P95_MS = 15.0


@pytest.fixture(scope="module")
def result():
    return score(Redactor(allowed=frozenset(agency_contacts(default_knowledge().facts))))


def test_every_language_and_kind_is_in_the_corpus(result):
    assert {language for _, language in result.removed} == set(LANGUAGES)
    assert set(result.kinds) == {"name", "address", "passport", "permit_card", "iban", "pin", "personnummer",
                                 "identity_code", "date_of_birth", "phone", "email", "reservation_key",
                                 "customer_number"}


def test_personal_data_is_removed(result):
    assert result.recall() >= OVERALL_RECALL, report(result, verbose=True)
    weak = {kind: round(result.recall(kind), 3) for kind in result.kinds if result.recall(kind) < KIND_RECALL}
    assert weak == {}, report(result, verbose=True)


def test_public_text_survives(result):
    assert result.damaged_share() <= MAX_DAMAGE, report(result, verbose=True)


def test_redaction_is_fast_enough(result):
    assert percentile(result.times_ms, 0.95) <= MAX_P95_MS, report(result)
