"""The intent classifier's last weights, kept on disk so that a retraining starts from them.

A clean training fits the two logistic regressions from zero, which takes most
of a minute or more. After a data edit (one example added or changed) the
solution moves very little: started from the previous weights, mapped onto the
new features by name (a word, a character n-gram, an embedding dimension) and
onto the intents by name, the solver reaches the same optimum in a fraction of
the iterations. The regularised problem has exactly one optimum, so the model
differs from a clean fit only within the solver's tolerance
(tests/unit/test_warm_start.py compares the predictions).

Kept beside the embedding cache (`CLASSIFIER_WARM_START`, `off` to disable),
as plain arrays (no pickle). Weights fitted with other settings (C, n-grams,
embedding model and weight) are not used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

Weights = tuple[np.ndarray, np.ndarray]  # (intent x feature, intent)


def settings_key(config: dict[str, Any], embedding_model: str) -> str:
    """What the weights depend on besides the data."""
    shaping = {name: config.get(name) for name in
               ("C", "word_ngrams", "char_ngrams", "sentence_embedding_weight", "max_iter")}
    text = json.dumps({**shaping, "embedding_model": embedding_model}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def feature_names(vocabularies: dict[str, dict[str, int]], embedding_dimensions: int) -> np.ndarray:
    """Every column's name: the TF-IDF blocks in the classifier's order, then the embedding."""
    names: list[str] = []
    for block, vocabulary in vocabularies.items():
        terms = [""] * len(vocabulary)
        for term, column in vocabulary.items():
            terms[column] = f"{block}:{term}"
        names += terms
    names += [f"embedding:{dimension}" for dimension in range(embedding_dimensions)]
    return np.array(names)


class WarmStart:
    """The weights of the last training per model ("full", "fast"), read and written as one file."""

    def __init__(self, path: Path | None, key: str) -> None:
        self.path, self.key = path, key

    def load(self, model: str, intents: list[str], features: np.ndarray) -> Weights | None:
        """The last weights of `model` on these intents and features (zeros where new), or None."""
        if self.path is None or not self.path.exists():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                if str(stored["key"]) != self.key or f"{model}_weights" not in stored:
                    return None
                old_intents, old_features = list(stored[f"{model}_intents"]), stored[f"{model}_features"]
                old_weights, old_bias = stored[f"{model}_weights"], stored[f"{model}_bias"]
        except (OSError, ValueError, KeyError):
            return None  # unreadable or from an older layout: a cold start
        intent_rows = {intent: row for row, intent in enumerate(old_intents)}
        column_of = {name: column for column, name in enumerate(old_features)}
        new_columns = np.array([column_of.get(name, -1) for name in features], dtype=np.int64)
        known = new_columns >= 0
        weights = np.zeros((len(intents), len(features)), dtype=np.float64)
        bias = np.zeros(len(intents), dtype=np.float64)
        for row, intent in enumerate(intents):
            old_row = intent_rows.get(intent)
            if old_row is not None:
                weights[row, known] = old_weights[old_row, new_columns[known]]
                bias[row] = old_bias[old_row]
        return weights, bias

    def save(self, models: dict[str, tuple[list[str], np.ndarray, Weights]]) -> None:
        """models: name -> (intents, feature names, (weights, bias)) as fitted."""
        if self.path is None:
            return
        arrays: dict[str, np.ndarray] = {"key": np.array(self.key)}
        for name, (intents, features, (weights, bias)) in models.items():
            arrays.update({f"{name}_intents": np.array(intents), f"{name}_features": features,
                           f"{name}_weights": weights, f"{name}_bias": bias})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, **arrays)
        partial.replace(self.path)  # another training reading it sees the old file or the new, whole
