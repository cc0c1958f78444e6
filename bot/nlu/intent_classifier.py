"""Intent classifier: logistic regression over three kinds of features.

- TF-IDF of words (Voikko lemmas for Finnish) and word pairs;
- TF-IDF of character n-grams (typos, inflection, compounds);
- multilingual sentence embeddings (paraphrases with unseen words).
Rasa's own LogisticRegressionClassifier takes raw counts and a fixed
regularisation; this combination classifies our held-out sets much better
(bench/nlu). The model is saved as plain arrays and JSON (no pickle).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.nlu.sentence_embeddings import default_embedder

RANKING_LENGTH = 10


def _lemmas(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if tokens:
        return " ".join(token.lemma for token in tokens)
    return (message.get(TEXT) or "").lower()


def _vectorizers(config: dict[str, Any]) -> dict[str, TfidfVectorizer]:
    return {
        "words": TfidfVectorizer(
            analyzer="word", ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True,
            lowercase=True, token_pattern=r"(?u)\b\w+\b", dtype=np.float32,
        ),
        "chars": TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True,
            lowercase=True, dtype=np.float32,
        ),
    }


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression over word (lemma) and character TF-IDF."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 10.0,
            "word_ngrams": [1, 2],
            "char_ngrams": [1, 4],
            "sentence_embedding_weight": 2.0,  # 0 leaves the embeddings out
            "max_iter": 3000,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.state = state  # vocabularies, idf, weights, intents
        self._vectorizers: dict[str, TfidfVectorizer] | None = None
        self._weights_by_feature: np.ndarray | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # -- training -----------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        intents = [m.get(INTENT) for m in examples]
        vectorizers = _vectorizers(self.config)
        features = self._features(examples, vectorizers, fit=True)
        model = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced",
            random_state=42,
        )
        model.fit(features, intents)
        weights, bias = model.coef_, model.intercept_
        if weights.shape[0] == 1:
            # Two intents: scikit-learn keeps one row, p(second) = sigmoid(x.w + b);
            # a zero row for the first intent makes the softmax below equivalent.
            weights = np.vstack([np.zeros_like(weights), weights])
            bias = np.concatenate([[0.0], bias])
        self.state = {
            "intents": [str(intent) for intent in model.classes_],
            "weights": weights.astype(np.float32),
            "bias": bias.astype(np.float32),
            "vocabularies": {name: {k: int(v) for k, v in vec.vocabulary_.items()}
                             for name, vec in vectorizers.items()},
            "idf": {name: vec.idf_.astype(np.float32) for name, vec in vectorizers.items()},
        }
        self._vectorizers = vectorizers
        self.persist()
        return self.resource

    def persist(self) -> None:
        with self.model_storage.write_to(self.resource) as directory:
            state = self.state
            np.savez(
                directory / "arrays.npz", weights=state["weights"], bias=state["bias"],
                idf_words=state["idf"]["words"], idf_chars=state["idf"]["chars"],
            )
            (directory / "vocabulary.json").write_text(
                json.dumps({"intents": state["intents"], "vocabularies": state["vocabularies"]},
                           ensure_ascii=False),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / "arrays.npz")
                meta = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
                state = {
                    "intents": meta["intents"],
                    "vocabularies": meta["vocabularies"],
                    "weights": arrays["weights"],
                    "bias": arrays["bias"],
                    "idf": {"words": arrays["idf_words"], "chars": arrays["idf_chars"]},
                }
        except ValueError:  # nothing was trained (e.g. a core-only model)
            state = None
        component = cls(config, model_storage, resource, state)
        component._build_vectorizers()
        return component

    def _build_vectorizers(self) -> None:
        if self.state is None:
            return
        self._vectorizers = _vectorizers(self.config)
        for name, vectorizer in self._vectorizers.items():
            vectorizer.vocabulary_ = self.state["vocabularies"][name]
            vectorizer.idf_ = self.state["idf"][name]

    def _features(
        self, messages: list[Message], vectorizers: dict[str, TfidfVectorizer], fit: bool = False
    ) -> sp.csr_matrix:
        """Word (lemma) TF-IDF, character TF-IDF and weighted sentence embeddings, side by side."""
        words = [_lemmas(m) for m in messages]
        texts = [(m.get(TEXT) or "") for m in messages]
        if fit:
            blocks = [vectorizers["words"].fit_transform(words), vectorizers["chars"].fit_transform(texts)]
        else:
            blocks = [vectorizers["words"].transform(words), vectorizers["chars"].transform(texts)]
        return sp.hstack([*blocks, self._embeddings(messages)]).tocsr()

    def _embeddings(self, messages: list[Message]) -> sp.csr_matrix:
        weight = float(self.config.get("sentence_embedding_weight") or 0.0)
        if weight == 0.0:
            return sp.csr_matrix((len(messages), 0), dtype=np.float32)
        vectors = default_embedder().embed([(m.get(TEXT) or "") for m in messages])
        return sp.csr_matrix(vectors * weight)

    # -- prediction ---------------------------------------------------------
    def probabilities(self, messages: list[Message]) -> np.ndarray:
        features = self._features(messages, self._vectorizers)
        if self._weights_by_feature is None:
            # Sparse x dense needs the dense side contiguous; transposing on every call
            # copied the whole weight matrix per message (13% of the server's time).
            self._weights_by_feature = np.ascontiguousarray(self.state["weights"].T)
        scores = features @ self._weights_by_feature + self.state["bias"]
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.state is None or not messages:
            return messages
        probabilities = self.probabilities(messages)
        intents = self.state["intents"]
        for message, row in zip(messages, probabilities, strict=True):
            if not any(character.isalnum() for character in message.get(TEXT) or ""):
                # Nothing to understand (empty, spaces, punctuation): no intent at all,
                # so the fallback asks the user to rephrase.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            order = np.argsort(row)[::-1][:RANKING_LENGTH]
            ranking = [{"name": intents[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
