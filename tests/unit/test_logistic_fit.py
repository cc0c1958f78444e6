"""The intent classifier's own solver reaches scikit-learn's optimum for the same problem
(multinomial, balanced classes, L2), with sparse and dense columns side by side."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from bot.nlu.logistic_fit import balanced_sample_weights, fit_logistic_regression


def problem(classes=4, rows=240, sparse_columns=60, dense_columns=8, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, rows)
    labels[: classes * 3] = np.repeat(np.arange(classes), 3)  # every class present, unbalanced after
    sparse = sp.random(rows, sparse_columns, density=0.1, random_state=seed, format="csr", dtype=np.float32)
    sparse = sparse + sp.csr_matrix((np.ones(rows, np.float32), (np.arange(rows), labels * 2)),
                                    shape=(rows, sparse_columns))  # a column per class that tells
    dense = rng.normal(size=(rows, dense_columns)).astype(np.float32) + labels[:, None] * 0.3
    return sp.csr_matrix(sparse), dense, [f"intent_{label}" for label in labels]


def reference(sparse, dense, labels, C):
    both = sp.hstack([sparse, sp.csr_matrix(dense)]).tocsr().astype(np.float64)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=10000, tol=1e-10, multi_class="multinomial")
    model.fit(both, labels)
    return model, both


@pytest.mark.parametrize("classes", [2, 5])
def test_the_same_optimum_as_scikit_learn(classes):
    sparse, dense, labels = problem(classes=classes)
    model, both = reference(sparse, dense, labels, C=30.0)
    names, weights, bias, _ = fit_logistic_regression(sparse, dense, labels, C=30.0, tol=1e-8)
    assert names == list(model.classes_)
    ours = both @ weights.T + bias
    theirs = model.predict_log_proba(both)
    ours = ours - np.log(np.exp(ours).sum(axis=1, keepdims=True))
    assert np.abs(np.exp(ours) - np.exp(theirs)).max() < 1e-3
    if classes > 2:  # for two, scikit-learn keeps one row (the difference of the softmax pair)
        assert np.abs(weights - model.coef_).max() < 1e-2 * np.abs(model.coef_).max()


def test_sparse_columns_alone():
    sparse, _, labels = problem()
    model, _ = reference(sparse, np.zeros((sparse.shape[0], 0), np.float32), labels, C=10.0)
    _, weights, bias, _ = fit_logistic_regression(sparse, None, labels, C=10.0, tol=1e-8)
    assert weights.shape == model.coef_.shape
    assert np.array_equal((sparse @ weights.T + bias).argmax(axis=1), model.predict_proba(sparse).argmax(axis=1))


def test_a_warm_start_from_the_optimum_needs_almost_no_iterations():
    sparse, dense, labels = problem()
    _, weights, bias, cold_iterations = fit_logistic_regression(sparse, dense, labels, C=30.0)
    *_, warm_iterations = fit_logistic_regression(sparse, dense, labels, C=30.0, start=(weights, bias))
    assert warm_iterations < cold_iterations / 4


def test_balanced_weights_are_scikit_learns():
    labels = np.array([0, 0, 0, 1, 2, 2])
    assert balanced_sample_weights(labels, 3).tolist() == pytest.approx([2 / 3] * 3 + [2.0] + [1.0] * 2)
