"""The redactor against the two held-out corpora (tests/privacy/corpus, each written blind to the
detectors): the targets of docs/privacy.md, checked on every `make test`."""

import pytest

from bench.redaction import CORPORA, LANGUAGES, percentile, report, score
from bot.knowledge.store import default_knowledge
from bot.privacy.redaction import Redactor, agency_contacts

OVERALL_RECALL = 0.97
KIND_RECALL = 0.92
MAX_DAMAGE = 0.01
MAX_P95_MS = 15.0
# The kinds each corpus labels (the second writer labelled Finnish and Swedish identity codes alike).
_COMMON_KINDS = {"name", "address", "passport", "permit_card", "iban", "pin", "date_of_birth", "phone", "email",
                 "reservation_key", "customer_number"}
KINDS = {"corpus": _COMMON_KINDS | {"personnummer", "identity_code"}, "corpus2": _COMMON_KINDS | {"id_code"}}


@pytest.fixture(scope="module", params=CORPORA)
def result(request):
    return score(Redactor(allowed=frozenset(agency_contacts(default_knowledge().facts))), corpus=request.param)


def test_every_language_and_kind_is_in_the_corpus(result, request):
    assert {language for _, language in result.removed} == set(LANGUAGES)
    assert set(result.kinds) == KINDS[request.node.callspec.params["result"]]


def test_personal_data_is_removed(result):
    assert result.recall() >= OVERALL_RECALL, report(result, verbose=True)
    weak = {kind: round(result.recall(kind), 3) for kind in result.kinds if result.recall(kind) < KIND_RECALL}
    assert weak == {}, report(result, verbose=True)


def test_public_text_survives(result):
    assert result.damaged_share() <= MAX_DAMAGE, report(result, verbose=True)


def test_redaction_is_fast_enough(result):
    assert percentile(result.times_ms, 0.95) <= MAX_P95_MS, report(result)
