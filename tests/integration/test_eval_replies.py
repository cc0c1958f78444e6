"""Guards the quality figures on the held-out evaluation sets (tests/nlu/independent/ and
tests/conversations/independent/, written blind to the training data, and the second blind round in
their round3/ folders), measured on the real servers by bench/replies.py. The floors sit a margin
below what the current model reaches (docs/quality.md), so a change that makes replies worse fails.
Rasa's own loaders skip these files (no `nlu:` or `stories:` key), so `rasa test` over
tests/conversations/ does not read them."""

import pytest

from bench.replies import Assistant, evaluate
from bot.settings import SUPPORTED_LANGUAGES

pytestmark = pytest.mark.integration

# Right replies, intent macro-F1 (single messages) and right conversation turns, per blind round and
# language. Reached on 2026-12-06, fifth round (docs/quality.md): first round fi 96.7% / 0.977 /
# 95.4%, sv 92.2% / 0.985 / 96.8%, en 93.4% / 0.970 / 97.0%; round 3 fi 96.3% / 0.960 / 91.8%,
# sv 95.9% / 0.970 / 92.7%, en 91.9% / 0.971 / 87.4%. The floors leave about 2.5 points (0.025-0.03
# of F1) for run-to-run noise.
FLOORS = {
    "": {
        "fi": {"right": 0.945, "macro_f1": 0.95, "turns": 0.93},
        "sv": {"right": 0.895, "macro_f1": 0.955, "turns": 0.945},
        "en": {"right": 0.91, "macro_f1": 0.94, "turns": 0.945},
    },
    "round 3 ": {
        "fi": {"right": 0.935, "macro_f1": 0.93, "turns": 0.89},
        "sv": {"right": 0.93, "macro_f1": 0.94, "turns": 0.9},
        "en": {"right": 0.89, "macro_f1": 0.945, "turns": 0.845},
    },
}


@pytest.fixture(scope="module")
def figures(assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.rasa_port}"
    chat = Assistant(base, assistant.api_token)
    parts = [f"{blind_round}{part}" for blind_round in FLOORS for part in ("held-out", "held-out conversations")]
    return evaluate(chat, parts=parts)["figures"]


@pytest.mark.parametrize("blind_round", FLOORS)
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_held_out_figures_stay_above_their_floors(figures, language, blind_round):
    measured = figures[language]
    floors = FLOORS[blind_round][language]
    messages, turns = measured[f"{blind_round}held-out"], measured[f"{blind_round}held-out conversations"]
    assert messages["right"] >= floors["right"], messages
    assert messages["macro_f1"] >= floors["macro_f1"], messages
    assert turns["right"] >= floors["turns"], turns
