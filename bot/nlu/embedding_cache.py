"""Sentence embeddings kept on disk between trainings, by a hash of (model, text).

Training embeds every intent example (thousands of them; most of a clean
training's time). The vectors depend only on the embedding model and the text,
so they are stored in one SQLite file (`EMBEDDING_CACHE`, var/embeddings.sqlite
by default) and a retraining embeds only the examples it has not seen. SQLite
in WAL mode lets several processes (parallel trainings, test runs) read and
write it at once. Only training data goes in: the server's per-message
embeddings are never written to disk.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BUSY_TIMEOUT_SECONDS = 60.0  # another process writing a batch holds the lock for well under a second
LOOKUP_BATCH = 500  # keys per SELECT (SQLite's limit on bound parameters is 32,766)


def cache_key(model_id: str, text: str) -> bytes:
    """The key of `text`'s vector from the model `model_id` (SHA-256, so no text is stored)."""
    return hashlib.sha256(f"{model_id}\0{text}".encode()).digest()


class EmbeddingCache:
    """Vectors (float32, stored byte for byte) of texts from one embedding model, in a SQLite file."""

    def __init__(self, path: Path, model_id: str, dimension: int) -> None:
        self.path = path
        self.model_id = model_id
        self.dimension = dimension
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID"
        )

    def close(self) -> None:
        self._connection.close()

    def get_many(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """Each text's stored vector, or None where there is none."""
        keys = [cache_key(self.model_id, text) for text in texts]
        found: dict[bytes, bytes] = {}
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = keys[start : start + LOOKUP_BATCH]
            placeholders = ",".join("?" * len(batch))
            found.update(self._connection.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({placeholders})", batch
            ).fetchall())
        vectors: list[np.ndarray | None] = []
        for key in keys:
            blob = found.get(key)
            vector = None if blob is None else np.frombuffer(blob, dtype=np.float32)
            vectors.append(vector if vector is not None and vector.shape == (self.dimension,) else None)
        return vectors

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Stores the vectors of `texts` (one transaction; a text already stored keeps its vector)."""
        rows = [
            (cache_key(self.model_id, text), np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for text, vector in zip(texts, vectors, strict=True)
        ]
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            self._connection.executemany("INSERT OR IGNORE INTO embeddings (key, vector) VALUES (?, ?)", rows)
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")
