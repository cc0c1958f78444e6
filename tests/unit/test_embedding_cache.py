"""Training's embedding cache: the same vectors as embedding afresh (at half precision), only new texts embedded,
and several processes writing one cache file at once."""

import multiprocessing

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.nlu.embedding_cache import EmbeddingCache
from bot.nlu.intent_classifier import LinearIntentClassifier
from bot.nlu.sentence_embeddings import default_embedder, model_id, training_cache
from bot.settings import load_settings
from tests.unit.test_intent_classifier import training_data

TEXTS = ["Hei!", "", "   ", "När öppnar ni?", "How much does a call to the service number cost?",
         "oleskelulupa " * 400, "2", "kyllä"]


def open_cache(path):
    return EmbeddingCache(path, model_id(), default_embedder().dimension)


def test_cached_and_uncached_embeddings_are_the_same_vectors(tmp_path):
    embedder = default_embedder()
    uncached = embedder.embed_many(TEXTS)
    one_by_one = np.vstack([embedder.embed([text]) for text in TEXTS])
    together = embedder.embed(TEXTS)
    cache = open_cache(tmp_path / "embeddings.sqlite")
    first = embedder.embed_many(TEXTS, cache=cache)
    second = embedder.embed_many(TEXTS, cache=cache)  # every vector from the cache
    cache.close()
    reopened = open_cache(tmp_path / "embeddings.sqlite")
    third = embedder.embed_many(TEXTS, cache=reopened)
    for vectors in (first, second, third):
        assert vectors.dtype == np.float32
        assert np.array_equal(vectors, uncached)
    for vectors in (one_by_one, together):  # serving's vectors; training rounds them to half precision
        assert np.array_equal(vectors.astype(np.float16).astype(np.float32), uncached)


def test_only_texts_not_seen_before_are_embedded(tmp_path, monkeypatch):
    embedder = default_embedder()
    cache = open_cache(tmp_path / "embeddings.sqlite")
    embedder.embed_many(TEXTS[:4], cache=cache)
    embedded = []
    real_query = embedder._model.query
    monkeypatch.setattr(embedder._model, "query", lambda texts: embedded.extend(texts) or real_query(texts))
    progress = []
    embedder.embed_many(TEXTS, cache=cache, progress=lambda done, total: progress.append((done, total)))
    assert embedded == [TEXTS[4], TEXTS[5][:1000], *TEXTS[6:]]
    assert progress == [(4, 4)]


def test_a_different_model_does_not_share_vectors(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    cache = open_cache(path)
    cache.put_many(["hei"], np.ones((1, cache.dimension), dtype=np.float32))
    other = EmbeddingCache(path, "another-model", cache.dimension)
    assert other.get_many(["hei"]) == [None]
    assert np.array_equal(cache.get_many(["hei"])[0], np.ones(cache.dimension, dtype=np.float32))


def _write(path, model, worker):
    cache = EmbeddingCache(path, model, 4)
    for round_ in range(20):
        texts = [f"text {worker} {round_} {index}" for index in range(50)] + ["shared"]
        cache.put_many(texts, np.full((len(texts), 4), worker, dtype=np.float32))
    cache.close()


def test_several_processes_write_one_cache_at_once(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write, args=(path, "model", worker)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    cache = EmbeddingCache(path, "model", 4)
    texts = [f"text {worker} {round_} {index}" for worker in range(4) for round_ in range(20) for index in range(50)]
    vectors = cache.get_many([*texts, "shared"])
    assert all(vector is not None for vector in vectors)
    assert vectors[0][0] == 0 and vectors[-2][0] == 3


@pytest.mark.parametrize("value, expected", [("off", None), ("", "default"), ("/tmp/e.sqlite", "/tmp/e.sqlite")])
def test_cache_location_is_configurable(monkeypatch, value, expected):
    monkeypatch.setenv("EMBEDDING_CACHE", value)
    configured = load_settings().embedding_cache
    if expected == "default":
        assert configured.name == "embeddings.sqlite" and configured.parent.name == "var"
    else:
        assert (None if configured is None else str(configured)) == expected
    assert training_cache(None) is None


def test_classifier_trained_with_and_without_the_cache_is_the_same(tmp_path, monkeypatch):
    def train(directory, cache_setting):
        monkeypatch.setenv("EMBEDDING_CACHE", cache_setting)
        monkeypatch.setattr("bot.nlu.intent_classifier.get_settings", load_settings)
        directory.mkdir()
        storage = LocalModelStorage(directory)
        resource = Resource("classifier")
        config = LinearIntentClassifier.get_default_config()
        context = ExecutionContext(GraphSchema({}), "test")
        classifier = LinearIntentClassifier.create(config, storage, resource, context)
        classifier.train(training_data())
        return classifier.state

    cache_path = str(tmp_path / "embeddings.sqlite")
    without = train(tmp_path / "a", "off")
    filling = train(tmp_path / "b", cache_path)
    from_cache = train(tmp_path / "c", cache_path)
    for state in (filling, from_cache):
        assert state["intents"] == without["intents"]
        for name in ("weights", "bias", "fast_weights", "fast_bias"):
            assert np.array_equal(state[name], without[name])
