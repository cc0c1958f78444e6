"""Our intent classifier: trains, saves without pickle, loads and ranks intents."""

import pytest
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
