"""The training embeddings shipped in the repository: read back as written, used before embedding,
the same model as one trained on fresh vectors, and covering the current training data."""

import numpy as np

from bot.nlu import shipped_vectors
from bot.nlu.embedding_cache import EmbeddingCache
from bot.nlu.sentence_embeddings import default_embedder, embedded_text, model_id

TEXTS = ["Hei!", "När öppnar ni?", "How much does a call cost?", "kyllä", "2"]


def test_vectors_are_read_back_at_half_precision(tmp_path):
    path = tmp_path / "vectors.npz"
    vectors = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    shipped_vectors.write(path, "model-a", ["a", "b", "a"], np.vstack([vectors[:2], vectors[2]]))
    loaded = shipped_vectors.load("model-a", path)
    assert len(loaded) == 2  # each text once, the last vector given for it
    got = loaded.get_many(["b", "a", "c"])
    assert got[0].dtype == np.float32 and np.array_equal(got[0], vectors[1].astype(np.float16).astype(np.float32))
    assert np.array_equal(got[1], vectors[2].astype(np.float16).astype(np.float32))
    assert got[2] is None


def test_a_file_of_another_model_or_no_file_gives_nothing(tmp_path):
    path = tmp_path / "vectors.npz"
    assert shipped_vectors.load("model-a", path) is None
    shipped_vectors.write(path, "model-a", ["a"], np.ones((1, 4), dtype=np.float32))
    assert shipped_vectors.load("model-b", path) is None


def test_training_embeds_only_what_neither_the_cache_nor_the_shipped_file_has(tmp_path, monkeypatch):
    embedder = default_embedder()
    fresh = embedder.embed_many(TEXTS)
    path = tmp_path / "vectors.npz"
    shipped_vectors.write(path, model_id(), TEXTS[:2], fresh[:2])
    cache = EmbeddingCache(tmp_path / "cache.sqlite", model_id(), embedder.dimension)
    cache.put_many(TEXTS[2:3], fresh[2:3])
    embedded = []
    real_query = embedder._model.query
    monkeypatch.setattr(embedder._model, "query", lambda texts: embedded.extend(texts) or real_query(texts))
    vectors = embedder.embed_many(TEXTS, cache=cache, shipped=shipped_vectors.load(model_id(), path))
    assert embedded == TEXTS[3:]
    assert np.array_equal(vectors, fresh)  # whichever source, the same (half-precision) vectors


def test_the_repositorys_file_is_for_the_current_model_and_covers_the_training_data():
    shipped = shipped_vectors.load(model_id())
    assert shipped is not None, "bot/nlu/training_vectors.npz is missing or from another embedding model"
    texts = [embedded_text(text) for text in shipped_vectors.training_texts()]
    covered = sum(vector is not None for vector in shipped.get_many(texts))
    # Below this a clean training embeds hundreds of examples: rewrite the file (module docstring).
    assert covered >= 0.95 * len(texts), f"{covered} of {len(texts)} training examples"
