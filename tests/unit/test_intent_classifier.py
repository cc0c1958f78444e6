"""Our intent classifier: trains, saves without pickle, loads and ranks intents."""

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import LinearIntentClassifier
from bot.nlu.sentence_embeddings import default_embedder

EXAMPLES = {
    "ask_call_cost": ["how much does a call cost", "paljonko puhelu maksaa", "vad kostar samtalet",
                      "is calling free", "onko soittaminen ilmaista", "är samtalet gratis"],
    "ask_booking_late": ["what if I am late", "entä jos myöhästyn", "om jag blir försenad",
                         "I will be late for my appointment", "myöhästyn ajasta", "jag kommer för sent"],
}


def training_data():
    return TrainingData([
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items() for text in texts
    ])


@pytest.mark.parametrize("weight", [0.0, 2.0])
def test_train_save_load_predict(tmp_path, weight):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    config = {**LinearIntentClassifier.get_default_config(), "sentence_embedding_weight": weight}
    context = ExecutionContext(GraphSchema({}), "test")
    trained = LinearIntentClassifier.create(config, storage, resource, context)
    trained.train(training_data())

    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    message = Message(data={"text": "vad kostar ett samtal"})
    loaded.process([message])
    assert message.get("intent")["name"] == "ask_call_cost"
    ranking = message.get("intent_ranking")
    assert [entry["name"] for entry in ranking] == ["ask_call_cost", "ask_booking_late"]
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0, abs=1e-5)
    assert not list(tmp_path.rglob("*.pkl"))


def test_embeddings_are_normalised_and_handle_empty_text():
    vectors = default_embedder().embed(["Hei!", "", "När öppnar ni?"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[0] == pytest.approx(1.0, abs=1e-3)


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self):
        self.texts = []

    def embed(self, texts):
        self.texts += list(texts)
        return default_embedder().embed(texts)


def trained_classifier(tmp_path, **config_changes):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    config = {**LinearIntentClassifier.get_default_config(), **config_changes}
    context = ExecutionContext(GraphSchema({}), "test")
    LinearIntentClassifier.create(config, storage, resource, context).train(training_data())
    return LinearIntentClassifier.load(config, storage, resource, context)


@pytest.mark.parametrize("threshold, embedded", [(0.0, []), (1.01, ["vad kostar ett samtal", "myöhästyn"])])
def test_confident_tfidf_model_skips_the_sentence_embedding(tmp_path, monkeypatch, threshold, embedded):
    counting = CountingEmbedder()
    classifier = trained_classifier(tmp_path, fast_path_confidence=threshold)
    monkeypatch.setattr("bot.nlu.intent_classifier.default_embedder", lambda: counting)
    messages = [Message(data={"text": "vad kostar ett samtal"}), Message(data={"text": "myöhästyn"})]
    classifier.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["ask_call_cost", "ask_booking_late"]
    assert counting.texts == embedded


def test_only_unsure_messages_are_embedded(tmp_path, monkeypatch):
    classifier = trained_classifier(tmp_path)
    rows = [classifier._tfidf_row(Message(data={"text": text})) for text in ("vad kostar ett samtal", "xyz")]
    fast = classifier._scores(rows, "fast_").max(axis=1)
    classifier.config["fast_path_confidence"] = float(fast.mean())  # between the two
    counting = CountingEmbedder()
    monkeypatch.setattr("bot.nlu.intent_classifier.default_embedder", lambda: counting)
    classifier.process([Message(data={"text": "vad kostar ett samtal"}), Message(data={"text": "xyz"})])
    assert counting.texts == ["vad kostar ett samtal" if fast[0] < fast[1] else "xyz"]


def test_without_the_fast_model_every_message_is_embedded(tmp_path, monkeypatch):
    classifier = trained_classifier(tmp_path)
    for name in ("fast_weights", "fast_bias"):
        del classifier.state[name]
    counting = CountingEmbedder()
    monkeypatch.setattr("bot.nlu.intent_classifier.default_embedder", lambda: counting)
    message = Message(data={"text": "vad kostar ett samtal"})
    classifier.process([message])
    assert message.get("intent")["name"] == "ask_call_cost"
    assert counting.texts == ["vad kostar ett samtal"]


def test_prediction_features_and_scores_equal_scikit_learns(tmp_path):
    classifier = trained_classifier(tmp_path)
    texts = ["vad kostar ett samtal", "Myöhästyn ajasta!!", "", "zzz qqq", "is calling FREE, or not?"]
    messages = [Message(data={"text": text}) for text in texts]
    reference = sp.hstack([classifier._vectorizers["words"].transform([t.lower() for t in texts]),
                           classifier._vectorizers["chars"].transform(texts)]).toarray()
    for row, expected in zip([classifier._tfidf_row(m) for m in messages], reference, strict=True):
        dense = np.zeros_like(expected)
        dense[row[0]] = row[1]
        assert np.allclose(dense, expected, atol=1e-6)
    scores = reference @ classifier.state["fast_weights"].T + classifier.state["fast_bias"]
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.allclose(classifier._scores([classifier._tfidf_row(m) for m in messages], "fast_"), expected, atol=1e-5)
