"""Multinomial logistic regression over sparse TF-IDF columns beside dense embedding columns.

The intent classifier's problem is scikit-learn's `LogisticRegression(C, class_weight="balanced")`
(multinomial, L2 on the weights, biases not penalised): sum_i w_i * cross-entropy_i +
||W||^2 / (2 C). It is strictly convex, so any solver that converges reaches the one optimum
(tests/unit/test_logistic_fit.py compares with scikit-learn). It is solved here instead of by
scikit-learn because of its shape: 46 intents times 42,000 TF-IDF columns and 384 embedding
columns, about two million unknowns. scikit-learn needs one matrix, so the dense embedding
block was stored as three million sparse entries and walked one by one in float64, and
scipy's L-BFGS-B spends a third of a second per iteration on its bound bookkeeping for two
million unbounded variables. Here the TF-IDF block stays sparse and the embedding block dense
(one BLAS product, float32), and the same quasi-Newton method, limited-memory BFGS, is a
two-loop recursion over numpy vectors with scipy's strong-Wolfe line search. Measured once on
one core (docs/performance.md): the full model in 64 s against scikit-learn's 171-177 s, with
the same intents on the blind sets. Warm starts (bot/nlu/warm_start.py) begin from the
previous weights.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import saxpy, sdot
from scipy.optimize import line_search
from scipy.special import logsumexp

Weights = tuple[np.ndarray, np.ndarray]  # (class x feature, class)
HISTORY = 10  # correction pairs kept, as scipy's and scikit-learn's L-BFGS keep
# Stop when the largest gradient entry of the objective divided by the total sample weight
# is below this. On the intent data (one run, docs/performance.md) 1e-6 took 237 iterations and
# gave scikit-learn's intents on all 1,720 first-round blind messages; 1e-5 took 132 and
# changed one of them.
DEFAULT_TOLERANCE = 1e-6


def balanced_sample_weights(labels: np.ndarray, classes: int) -> np.ndarray:
    """scikit-learn's "balanced" class weights as one weight per example: n / (classes * count)."""
    counts = np.bincount(labels, minlength=classes)
    return (len(labels) / (classes * counts))[labels]


class _Objective:
    """The scaled loss and its gradient at a flat parameter vector (feature-major weights, then biases),
    remembering the last point so the line search's separate value and gradient calls cost one pass."""

    def __init__(self, sparse: sp.csr_matrix, dense: np.ndarray, labels: np.ndarray, classes: int,
                 C: float) -> None:
        self.sparse, self.sparse_t, self.dense = sparse, sparse.T.tocsr(), dense
        self.labels, self.classes = labels, classes
        self.features = sparse.shape[1] + dense.shape[1]
        sample_weights = balanced_sample_weights(labels, classes)
        self.scale = (sample_weights / sample_weights.sum())[:, None]
        self.penalty = 1.0 / (C * sample_weights.sum())
        self.rows = np.arange(len(labels))
        self.evaluations = 0
        self._point: np.ndarray | None = None
        self._value: tuple[float, np.ndarray] = (0.0, np.zeros(0))

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cut = self.classes * self.features
        return theta[:cut].reshape(self.features, self.classes), theta[cut:]

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        if self._point is not None and np.array_equal(theta, self._point):
            return self._value
        self.evaluations += 1
        weights, bias = self.split(theta)
        n_sparse = self.sparse.shape[1]
        sparse_weights = weights[:n_sparse].astype(np.float32)
        scores = (self.sparse @ sparse_weights).astype(np.float64) + bias
        if self.dense.shape[1]:
            scores += self.dense @ weights[n_sparse:].astype(np.float32)
        normaliser = logsumexp(scores, axis=1)
        loss = float(self.scale[:, 0] @ (normaliser - scores[self.rows, self.labels]))
        residual = np.exp(scores - normaliser[:, None])
        residual[self.rows, self.labels] -= 1.0
        residual *= self.scale
        residual32 = residual.astype(np.float32)
        gradient = np.empty_like(theta)
        weight_gradient, bias_gradient = self.split(gradient)
        weight_gradient[:n_sparse] = self.sparse_t @ residual32
        if self.dense.shape[1]:
            weight_gradient[n_sparse:] = self.dense.T @ residual32
        flat_weights = theta[: self.classes * self.features]
        gradient[: self.classes * self.features] += self.penalty * flat_weights
        bias_gradient[:] = residual.sum(axis=0)
        loss += 0.5 * self.penalty * float(flat_weights @ flat_weights)
        self._point, self._value = theta.copy(), (loss, gradient)
        return self._value


def _two_loop(gradient: np.ndarray, pairs: deque[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """The quasi-Newton direction -H g from the stored correction pairs (algorithm 7.4).

    In float32 with in-place BLAS steps: with two million unknowns the recursion's forty passes
    over the vectors cost more than the objective itself in float64 with temporaries, and the
    direction only needs to point downhill (the line search and the stopping test use float64)."""
    direction = -gradient.astype(np.float32)
    alphas = []
    for step, change, rho in reversed(pairs):
        alpha = rho * float(sdot(step, direction))
        direction = saxpy(change, direction, a=-alpha)
        alphas.append(alpha)
    if pairs:
        step, change, _ = pairs[-1]
        direction *= np.float32(float(sdot(step, change)) / float(sdot(change, change)))
    for (step, change, rho), alpha in zip(pairs, reversed(alphas), strict=True):
        beta = rho * float(sdot(change, direction))
        direction = saxpy(step, direction, a=alpha - beta)
    return direction.astype(np.float64)


def minimise_lbfgs(objective: Callable[[np.ndarray], tuple[float, np.ndarray]], theta: np.ndarray,
                   max_iter: int, tol: float) -> tuple[np.ndarray, int]:
    """Limited-memory BFGS (Nocedal and Wright, algorithm 7.5): the minimum and the iterations."""
    value, gradient = objective(theta)
    previous_value = value + np.linalg.norm(gradient) / 2  # scipy's guess for the first step's length
    pairs: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=HISTORY)
    for iteration in range(max_iter):
        if np.abs(gradient).max() <= tol:
            return theta, iteration
        direction = _two_loop(gradient, pairs)
        with warnings.catch_warnings():  # a failed search is handled below, not worth a warning
            warnings.filterwarnings("ignore", "The line search algorithm did not converge")
            length, *_, new_value, _, _ = line_search(
                lambda x: objective(x)[0], lambda x: objective(x)[1], theta, direction, gradient, value,
                previous_value, maxiter=50,
            )
        if length is None:  # no step satisfies the Wolfe conditions: as close as the precision allows
            return theta, iteration
        new_theta = theta + length * direction
        _, new_gradient = objective(new_theta)
        step, change = (new_theta - theta).astype(np.float32), (new_gradient - gradient).astype(np.float32)
        curvature = float(sdot(step, change))
        if curvature > 1e-12:
            pairs.append((step, change, 1.0 / curvature))
        theta, previous_value, value, gradient = new_theta, value, new_value, new_gradient
    return theta, max_iter


def fit_logistic_regression(
    sparse: sp.spmatrix,
    dense: np.ndarray | None,
    labels: Sequence[str],
    C: float,
    max_iter: int = 3000,
    tol: float = DEFAULT_TOLERANCE,
    start: Weights | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """Classes (sorted), weights (class x [sparse columns, dense columns]), biases and iterations.
    `start` (weights, biases in the same layout) warm-starts the solver."""
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    sparse = sp.csr_matrix(sparse, dtype=np.float32)
    if dense is None:
        dense = np.zeros((sparse.shape[0], 0), dtype=np.float32)
    objective = _Objective(sparse, np.ascontiguousarray(dense, dtype=np.float32), y, len(classes), C)
    theta = np.zeros(len(classes) * (objective.features + 1))
    if start is not None:
        weights, bias = objective.split(theta)
        weights[:] = np.asarray(start[0], dtype=np.float64).T
        bias[:] = start[1]
    theta, iterations = minimise_lbfgs(objective, theta, max_iter, tol)
    weights, bias = objective.split(theta)
    return ([str(name) for name in classes], np.ascontiguousarray(weights.T, dtype=np.float32),
            bias.astype(np.float32), iterations)
