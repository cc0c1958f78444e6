"""The training examples' sentence embeddings, shipped in the repository so that a clean clone need not embed them.

Embedding all of the ~8,200 training examples takes about 100 s on two cores,
more than half of a clean training. The vectors depend only on the embedding
model and the text, so the repository carries them: half precision (the
precision training uses, bot/nlu/sentence_embeddings.py), keyed like the
embedding cache by SHA-256 of (model, text), so no training text is stored twice.
A training takes what it finds here and embeds only the examples added since
the file was written; a file from another embedding model is ignored.

After many new examples (training prints how many it embedded), rewrite the
file from the current training data: `.venv/bin/python -m bot.nlu.shipped_vectors`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.nlu.embedding_cache import cache_key

SHIPPED_VECTORS = Path(__file__).with_name("training_vectors.npz")


class ShippedVectors:
    """Read-only vectors of one embedding model, looked up by text."""

    def __init__(self, model_id: str, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.model_id = model_id
        self._rows = {bytes(key): row for row, key in enumerate(keys)}
        self._vectors = vectors

    def __len__(self) -> int:
        return len(self._rows)

    def get_many(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """Each text's vector (float32), or None where the file has none."""
        rows = [self._rows.get(cache_key(self.model_id, text)) for text in texts]
        return [None if row is None else self._vectors[row].astype(np.float32) for row in rows]


def load(model_id: str, path: Path = SHIPPED_VECTORS) -> ShippedVectors | None:
    """The shipped vectors of `model_id`, or None if there is no file or it is from another model."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as stored:
        if str(stored["model"]) != model_id:
            return None
        return ShippedVectors(model_id, stored["keys"], stored["vectors"])


def write(path: Path, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Stores the vectors of `texts` (each text once) at half precision."""
    unique = dict(zip(texts, vectors, strict=True))
    keys = np.array([np.frombuffer(cache_key(model_id, text), dtype=np.uint8) for text in unique],
                    dtype=np.uint8).reshape(len(unique), -1)
    array = np.array(list(unique.values()), dtype=np.float16).reshape(len(unique), -1)
    with path.open("wb") as file:  # a file object: numpy would otherwise append ".npz" to other names
        np.savez_compressed(file, model=np.array(model_id), keys=keys, vectors=array)


def training_texts() -> list[str]:
    """The texts the intent classifier embeds: every intent example of the training data."""
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.knowledge.domain_export import GENERATED_DOMAIN, write_generated_domain
    from bot.settings import REPO_ROOT

    write_generated_domain()
    importer = TrainingDataImporter.load_from_config(
        str(REPO_ROOT / "config.yml"), str(GENERATED_DOMAIN), [str(REPO_ROOT / "data")]
    )
    examples = importer.get_nlu_data().intent_examples
    return [message.get("text") or "" for message in examples if message.get("intent")]


def main() -> None:
    parser = argparse.ArgumentParser(description="Rewrite the shipped training embeddings from the training data.")
    parser.add_argument("--output", type=Path, default=SHIPPED_VECTORS)
    arguments = parser.parse_args()

    from bot.nlu.sentence_embeddings import (
        default_embedder,
        embedded_text,
        model_id,
        print_progress,
        training_cache,
    )
    from bot.settings import get_settings

    texts = [embedded_text(text) for text in training_texts()]
    cache = training_cache(get_settings().embedding_cache)
    try:
        vectors = default_embedder().embed_many(texts, cache=cache, shipped=load(model_id(), arguments.output),
                                                progress=print_progress)
    finally:
        if cache is not None:
            cache.close()
    write(arguments.output, model_id(), texts, vectors)
    print(f"Wrote {len(set(texts))} vectors to {arguments.output} ({arguments.output.stat().st_size >> 10} KiB)")


if __name__ == "__main__":
    main()
