"""Extreme but finite feature values: rejected beyond `MAX_ABS_FEATURE`, harmless within it."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest
from click.testing import CliRunner
from river import forest, linear_model, metrics, tree

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.cli import main
from stream_imbal.exceptions import InvalidEventError
from stream_imbal.preprocessing import ClippedStandardScaler
from stream_imbal.validation import MAX_ABS_FEATURE, check_features
from tests.streams import gaussian_classes

WITHIN = [1e6, 1e12, 1e50, 1e100, MAX_ABS_FEATURE, 10**100]
BEYOND = [1e101, 1e160, 1e300, 1e308, 10**101, 10**400]

LEARNERS = {
    "default": lambda: None,
    "clipped-logistic": lambda: ClippedStandardScaler() | linear_model.LogisticRegression(),
    "hoeffding-tree": tree.HoeffdingTreeClassifier,
    "hoeffding-adaptive-tree": lambda: tree.HoeffdingAdaptiveTreeClassifier(seed=1),
    "arf": lambda: forest.ARFClassifier(n_models=3, seed=1),
}


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("value", WITHIN)
def test_values_within_the_limit_are_accepted(value, sign):
    check_features({"a": 0.5, "b": sign * value})


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("value", BEYOND)
def test_values_beyond_the_limit_raise_invalid_event_error(value, sign):
    with pytest.raises(InvalidEventError, match=r"feature 'b' .*beyond the limit \|x\| <= 1e\+100"):
        check_features({"a": 0.5, "b": sign * value})


def test_many_values_near_the_limit_are_accepted():
    check_features({f"f{i}": MAX_ABS_FEATURE for i in range(100)})  # their norm is 1e101


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", None])
def test_non_finite_or_non_numeric_values_keep_their_own_message(bad):
    with pytest.raises(InvalidEventError, match="NaN|infinite|not numeric"):
        check_features({"a": bad})


def _stream(rng: random.Random, n: int):
    return gaussian_classes(n, rng, 0.01, {"a": 2.0, "b": 1.0})


def _finite(proba: dict) -> bool:
    return all(math.isfinite(p) for p in proba.values())


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("value", [1e6, 1e12, 1e50, MAX_ABS_FEATURE])
@pytest.mark.parametrize("learner", list(LEARNERS))
def test_one_extreme_event_keeps_every_probability_finite(learner, value, sign):
    rng = random.Random(7)
    model = OnlineImbalancedClassifier(learner=LEARNERS[learner](), seed=1)
    for x, y in _stream(rng, 1500):
        assert _finite(model.predict_proba_one(x))
        model.learn_one(x, y)
    extreme = {"a": sign * value, "b": sign * value}
    assert _finite(model.predict_proba_one(extreme))
    model.learn_one(extreme, True)
    gmean = metrics.GeometricMean()
    for x, y in _stream(rng, 1500):
        assert _finite(model.predict_proba_one(x))
        gmean.update(y, model.predict_one(x))
        model.learn_one(x, y)
    if learner in ("default", "clipped-logistic"):
        assert gmean.get() > 0.5


@pytest.mark.parametrize("value", [1e160, 1e308, -1e300, 10**400])
def test_the_classifier_rejects_values_beyond_the_limit_and_keeps_working(value):
    rng = random.Random(3)
    model = OnlineImbalancedClassifier(seed=1)
    for x, y in _stream(rng, 500):
        model.learn_one(x, y)
    n_seen = model.n_seen
    with pytest.raises(InvalidEventError, match="beyond the limit"):
        model.predict_proba_one({"a": value, "b": 0.0})
    with pytest.raises(InvalidEventError, match="beyond the limit"):
        model.learn_one({"a": value, "b": 0.0}, True)
    assert model.n_seen == n_seen
    x, _ = next(_stream(rng, 1))
    assert _finite(model.predict_proba_one(x))


def test_evaluate_fails_on_a_csv_with_1e308(tmp_path):
    path = tmp_path / "events.csv"
    rows = [{"a": (i % 50 == 0) * 3.0 + (i % 7) / 7, "y": int(i % 50 == 0)} for i in range(400)]
    rows[200]["a"] = 1e308
    pd.DataFrame(rows).to_csv(path, index=False)
    result = CliRunner().invoke(
        main,
        ["evaluate", str(path), "--target", "y", "--out", str(tmp_path / "o"), "--no-progress"],
    )
    assert result.exit_code != 0
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert error == [
        f"Error: {path}: row 201: feature 'a' is 1e+308, beyond the limit |x| <= 1e+100"
    ], result.output
