"""Guards the quality figures on the held-out evaluation sets (tests/nlu/independent/ and
tests/conversations/independent/, written blind to the training data), measured on the real servers
by bench/replies.py. The floors sit a margin below what the current model reaches (docs/quality.md),
so a change that makes replies worse fails. Rasa's own loaders skip these files (no `nlu:` or
`stories:` key), so `rasa test` over tests/conversations/ does not read them."""

import pytest

from bench.replies import Assistant, evaluate
from bot.settings import SUPPORTED_LANGUAGES

pytestmark = pytest.mark.integration

# Right replies, intent macro-F1 (single messages) and right conversation turns, per language.
# Reached on 2026-12-05, second round (docs/quality.md): fi 95.4% / 0.966 / 94.4%,
# sv 90.3% / 0.973 / 95.7%, en 92.7% / 0.967 / 96.0%. The floors leave about 2.5 points
# (0.025-0.03 of F1) for run-to-run noise.
FLOORS = {
    "fi": {"right": 0.93, "macro_f1": 0.94, "turns": 0.92},
    "sv": {"right": 0.875, "macro_f1": 0.945, "turns": 0.93},
    "en": {"right": 0.90, "macro_f1": 0.94, "turns": 0.935},
}


@pytest.fixture(scope="module")
def figures(assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}"
    chat = Assistant(base, assistant.api_token)
    return evaluate(chat, parts=("held-out", "held-out conversations"))["figures"]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_held_out_figures_stay_above_their_floors(figures, language):
    measured = figures[language]
    floors = FLOORS[language]
    assert measured["held-out"]["right"] >= floors["right"], measured["held-out"]
    assert measured["held-out"]["macro_f1"] >= floors["macro_f1"], measured["held-out"]
    assert measured["held-out conversations"]["right"] >= floors["turns"], measured["held-out conversations"]
