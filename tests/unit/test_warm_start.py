"""A retraining starts the intent classifier's solver from the last weights: the same predictions as a
fit from zero, in fewer iterations; weights of other settings or shapes are not used."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.intent_classifier import LinearIntentClassifier
from bot.nlu.warm_start import WarmStart, feature_names, settings_key

TOPICS = {
    "ask_passport": ["passi", "pass", "passport"],
    "ask_hours": ["aukioloajat", "öppettider", "opening hours"],
    "ask_price": ["hinta", "pris", "price"],
    "ask_residence_permit": ["oleskelulupa", "uppehållstillstånd", "residence permit"],
}
FRAMES = ["{} kiitos", "mikä on {}", "vad gäller {}", "tell me about {}", "{} please", "{}?", "I need {} info",
          "kysyisin {}", "jag undrar om {}"]


def examples(extra=()):
    pairs = [(frame.format(word), intent) for intent, words in TOPICS.items() for word in words for frame in FRAMES]
    return [*pairs, *extra]


def fit(pairs, start=None, warm_start=None):
    texts, intents = [text for text, _ in pairs], [intent for _, intent in pairs]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)
    features = vectorizer.fit_transform(texts)
    names = feature_names({"chars": dict(vectorizer.vocabulary_)}, 0)
    classifier = LinearIntentClassifier({**LinearIntentClassifier.get_default_config()}, None, None)
    if warm_start is not None:
        start = warm_start.load("full", sorted(set(intents)), names)
    classes, weights, bias = classifier._fit(features, None, intents, start)
    return vectorizer, names, classes, weights, bias


def predict(fitted, texts):
    vectorizer, _, classes, weights, bias = fitted
    scores = vectorizer.transform(texts) @ weights.T + bias
    return [classes[index] for index in np.asarray(scores).argmax(axis=1)]


@pytest.fixture
def warm_start(tmp_path):
    return WarmStart(tmp_path / "start.npz", settings_key(LinearIntentClassifier.get_default_config(), "model"))


def save(warm_start, fitted):
    _, names, classes, weights, bias = fitted
    warm_start.save({"full": (classes, names, (weights, bias))})


def test_a_retraining_from_the_last_weights_predicts_as_a_fit_from_zero(warm_start):
    save(warm_start, fit(examples()))
    edited = examples(extra=[("milloin olette auki", "ask_hours")])
    cold, warm = fit(edited), fit(edited, warm_start=warm_start)
    probes = [text for text, _ in edited] + ["passport price", "när är ni öppna", "oleskeluluvan hinta"]
    assert predict(warm, probes) == predict(cold, probes)
    assert np.abs(warm[3] - cold[3]).max() < 0.05 * np.abs(cold[3]).max()


def test_the_last_weights_are_mapped_by_feature_and_intent_name(warm_start):
    first = fit(examples())
    save(warm_start, first)
    _, names, classes, weights, bias = first
    reordered_intents = ["ask_new", *reversed(classes)]
    new_names = np.array(["chars:zzz-new", *names[::-1]])
    start_weights, start_bias = warm_start.load("full", reordered_intents, new_names)
    assert not start_weights[0].any() and start_bias[0] == 0  # a new intent starts from zero
    assert not start_weights[:, 0].any()  # a new feature too
    row = reordered_intents.index(classes[0])
    assert np.array_equal(start_weights[row, 1:], weights[0, ::-1])
    assert start_bias[row] == pytest.approx(bias[0])


def test_weights_of_other_settings_are_not_used(warm_start, tmp_path):
    save(warm_start, fit(examples()))
    other = WarmStart(warm_start.path, settings_key({**LinearIntentClassifier.get_default_config(), "C": 1.0}, "model"))
    assert other.load("full", sorted(TOPICS), fit(examples())[1]) is None
    assert WarmStart(None, warm_start.key).load("full", sorted(TOPICS), fit(examples())[1]) is None
    assert WarmStart(tmp_path / "missing.npz", warm_start.key).load("full", sorted(TOPICS), fit(examples())[1]) is None
