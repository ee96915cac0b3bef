"""A batch model refit every N labelled events on a sliding window: what many teams run instead.

Instead of learning online, many services refit a scikit-learn model on the most recent labelled
events every so often, and score the events in between with the last fitted model. This wraps
that practice as a river classifier, so the benchmark evaluates it prequentially on the same
events as the online learners.

"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable, Hashable

from river import base

__all__ = [
    "WindowedRefitClassifier",
    "balanced_hgb",
    "balanced_logistic_regression",
    "binary_scorer",
]


class WindowedRefitClassifier(base.Classifier):
    """A scikit-learn classifier refit every `refit_every` labels on the last `window_size`.

    The window is a bounded deque of the most recent labelled events (memory is flat in stream
    length). Every `refit_every` labelled events a fresh clone of `estimator` is fitted on it;
    the events in between are scored by the last fitted model. Before the first fit, and
    whenever the window held a single class at the last refit, the prediction is the window's
    class shares (the majority with its share). Features are ordered by first appearance; a
    feature an event lacks is 0.0. Probabilities are keyed by every label seen so far (a label
    absent from the fitted window gets 0.0).

    scikit-learn's `predict_proba` costs about a millisecond per single row (input checks, and
    OpenMP threads for gradient boosting), a thousand times what a service scoring in batches
    pays per event. So a fitted binary `HistGradientBoostingClassifier` or `StandardScaler` +
    `LogisticRegression` pipeline is scored by `binary_scorer`, the same function in plain
    Python (equal to `predict_proba` up to rounding); other estimators go through
    `predict_proba` on one thread.

    Parameters
    ----------
    estimator
        A scikit-learn classifier (with `fit` and `predict_proba`), cloned at each refit. Give it
        balanced class weights yourself, e.g. `balanced_hgb()`.
    refit_every
        Labelled events between two fits.
    window_size
        Most recent labelled events kept and fitted on.

    Attributes
    ----------
    n_fits
        Fits made so far.

    Examples
    --------
    >>> import random
    >>> from benchmarks.harness.windowed_refit import (
    ...     WindowedRefitClassifier, balanced_logistic_regression)
    >>> rng = random.Random(1)
    >>> model = WindowedRefitClassifier(
    ...     balanced_logistic_regression(), refit_every=200, window_size=500)
    >>> model.predict_proba_one({"a": 0.0})
    {}
    >>> for _ in range(450):
    ...     y = rng.random() < 0.1
    ...     model.learn_one({"a": rng.gauss(2.0 if y else 0.0, 1.0)}, y)
    >>> model.n_fits, len(model._window)
    (2, 450)
    >>> proba = model.predict_proba_one({"a": 3.0})
    >>> sorted(proba), proba[True] > 0.5, model.predict_one({"a": -1.0})
    ([False, True], True, False)

    """

    def __init__(self, estimator, refit_every: int = 1000, window_size: int = 5000):
        self.estimator = estimator
        self.refit_every = refit_every
        self.window_size = window_size
        self._window: collections.deque[tuple[dict, Hashable]] = collections.deque(
            maxlen=window_size
        )
        self._counts: collections.Counter = collections.Counter()  # labels in the window
        self._labels: dict[Hashable, int] = {}  # label -> its code, in order of appearance
        self._features: dict[Hashable, int] = {}  # feature -> its column
        self._model = None
        self._classes: list[Hashable] = []  # labels of the model's predict_proba columns
        self._scorer = None  # x -> P(second class), when the model has a plain-Python scorer
        self._width = 0  # features the model was fitted on
        self._since_fit = 0
        self.n_fits = 0

    _multiclass = True  # scikit-learn fits any number of classes

    @classmethod
    def _unit_test_params(cls):
        yield {"estimator": balanced_logistic_regression(), "refit_every": 50, "window_size": 200}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_scorer"] = None  # a closure: rebuilt from the fitted model on unpickling
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self._model is not None:
            self._scorer = binary_scorer(self._model, list(self._features)[: self._width])

    def learn_one(self, x: dict, y: Hashable) -> None:
        if len(self._window) == self.window_size:
            self._counts[self._window[0][1]] -= 1
        self._window.append((dict(x), y))  # a copy: the caller may reuse its dict
        self._counts[y] += 1
        self._labels.setdefault(y, len(self._labels))
        for name in x:
            self._features.setdefault(name, len(self._features))
        self._since_fit += 1
        if self._since_fit >= self.refit_every:
            self._refit()

    def predict_proba_one(self, x: dict) -> dict[Hashable, float]:
        if not self._labels:
            return {}
        proba = dict.fromkeys(self._labels, 0.0)
        if self._model is None:
            total = sum(self._counts.values())
            proba.update({label: count / total for label, count in self._counts.items()})
            return proba
        if self._scorer is not None:
            p = self._scorer(x)
            proba.update(zip(self._classes, (1.0 - p, p), strict=True))
            return proba
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            scores = self._model.predict_proba(self._matrix([x]))[0].tolist()
        proba.update(zip(self._classes, scores, strict=True))
        return proba

    def _refit(self) -> None:
        import numpy as np
        from sklearn.base import clone

        self._since_fit = 0
        self.n_fits += 1
        codes = np.array([self._labels[y] for _, y in self._window])
        if len(np.unique(codes)) < 2:
            self._model = None  # one class: predict the window's shares
            return
        from threadpoolctl import threadpool_limits

        model = clone(self.estimator)
        self._width = len(self._features)
        with threadpool_limits(1):  # a benchmark job runs on one core
            model.fit(self._matrix([x for x, _ in self._window]), codes)
        by_code = {code: label for label, code in self._labels.items()}
        self._model = model
        self._classes = [by_code[int(code)] for code in model.classes_]
        self._scorer = binary_scorer(model, list(self._features)[: self._width])

    def _matrix(self, rows: list[dict]):
        import numpy as np

        # Features first seen after the last fit are left out until the next one.
        width, columns = self._width, self._features
        matrix = np.zeros((len(rows), width))
        for i, x in enumerate(rows):
            for name, value in x.items():
                j = columns.get(name, width)
                if j < width:
                    matrix[i, j] = value
        return matrix


def binary_scorer(model, features: list[Hashable]) -> Callable[[dict], float] | None:
    """`x -> P(classes_[1] | x)` of a fitted binary model in plain Python, or None.

    Knows a `HistGradientBoostingClassifier` without categorical features (the sum of its trees'
    leaf values through a sigmoid) and a `StandardScaler` + `LogisticRegression` pipeline (folded
    into one weight per feature). `features` are the model's columns, in order; a feature x
    lacks is 0.0, and features outside them are ignored.

    >>> import numpy as np
    >>> from benchmarks.harness.windowed_refit import balanced_hgb, binary_scorer
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> model = balanced_hgb().set_params(max_iter=5).fit(X, X[:, 0] * X[:, 1] > 0.5)
    >>> score = binary_scorer(model, ["a", "b"])
    >>> p = score({"a": 1.0, "b": 2.0})
    >>> bool(np.isclose(p, model.predict_proba([[1.0, 2.0]])[0, 1]))
    True

    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if len(getattr(model, "classes_", ())) != 2:
        return None
    if isinstance(model, HistGradientBoostingClassifier) and model.is_categorical_ is None:
        return _hgb_scorer(model, features)
    if (
        isinstance(model, Pipeline)
        and len(model.steps) == 2
        and isinstance(model[0], StandardScaler)
        and isinstance(model[1], LogisticRegression)
    ):
        scaler, lr = model[0], model[1]
        mean = scaler.mean_ if scaler.with_mean else [0.0] * len(features)
        scale = scaler.scale_ if scaler.with_std else [1.0] * len(features)
        weights = {f: float(c / s) for f, c, s in zip(features, lr.coef_[0], scale, strict=True)}
        bias = float(lr.intercept_[0]) - sum(
            float(c * m / s) for c, m, s in zip(lr.coef_[0], mean, scale, strict=True)
        )

        def linear(x: dict) -> float:
            z = bias + sum(weights[f] * v for f, v in x.items() if f in weights)
            return _sigmoid(z)

        return linear
    return None


def _hgb_scorer(model, features: list[Hashable]) -> Callable[[dict], float]:
    # Each tree as parallel lists, read by node index: (feature, threshold, left, right, leaf,
    # value). The data has no missing value (absent features are 0.0), so no NaN branch.
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append(
            (
                nodes["feature_idx"].tolist(),
                nodes["num_threshold"].tolist(),
                nodes["left"].tolist(),
                nodes["right"].tolist(),
                nodes["is_leaf"].tolist(),
                nodes["value"].tolist(),
            )
        )
    baseline = float(model._baseline_prediction[0][0])
    columns = {f: j for j, f in enumerate(features)}

    def score(x: dict) -> float:
        row = [0.0] * len(columns)
        for name, value in x.items():
            j = columns.get(name)
            if j is not None:
                row[j] = value
        raw = baseline
        for feature, threshold, left, right, leaf, value in trees:
            node = 0
            while not leaf[node]:
                node = left[node] if row[feature[node]] <= threshold[node] else right[node]
            raw += value[node]
        return _sigmoid(raw)

    return score


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def balanced_hgb(seed: int = 0):
    """A `HistGradientBoostingClassifier` with balanced class weights and 63 bins.

    Its other options are scikit-learn's defaults (100 iterations, no early stopping below
    10,000 rows). With sample weights, scikit-learn computes one weighted percentile per bin
    edge, which made binning most of a fit's cost at the default 255 bins (about 1.5 s of CPU
    for 5,000 rows of 8 features, against 0.6 s with 63 bins, on the benchmark machine).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight="balanced", max_bins=63, random_state=seed)


def balanced_logistic_regression():
    """A `StandardScaler` then a `LogisticRegression` with balanced class weights."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced"))
