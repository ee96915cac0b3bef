"""Class-prior estimators: a class that leaves the estimate is forgotten, not kept at share 0."""

from __future__ import annotations

import random

from river import linear_model

from stream_imbal.balancing import Resample
from stream_imbal.priors import DecayedClassPrior, SlidingWindowPrior


def test_a_class_that_leaves_the_window_is_forgotten():
    prior = SlidingWindowPrior(window_size=10)
    for y in ["rare"] + ["common"] * 9 + ["other"] * 2:
        prior.update(y)
    assert prior.shares == {"common": 0.8, "other": 0.2}
    assert prior.share("rare") == 0.0
    assert prior.n_classes == 2 and prior.classes == ["common", "other"]
    assert prior.minority == "other"  # a class present in the window
    prior.update("rare")  # and it comes back
    assert prior.share("rare") == 0.1 and prior.n_classes == 3


def test_under_sampling_still_learns_after_a_class_leaves_the_window():
    prior = SlidingWindowPrior(window_size=50)
    for i in range(60):  # the only True is at i == 0: out of the window by the end
        prior.update(i == 0 or (i >= 40 and i % 2 == 0))
    assert prior.minority in prior.shares and prior.shares[prior.minority] > 0
    under, rng = Resample("under"), random.Random(0)
    weights = [
        under.train(linear_model.LogisticRegression(), {"a": 1.0}, y, prior, True, rng)
        for y in [False, True] * 20
    ]
    assert sum(weights) > 0
    for y in prior.shares:
        assert under.rate(y, prior) > 0


def test_under_sampling_learns_when_a_single_class_is_left():
    prior = SlidingWindowPrior(window_size=5)
    for y in [True] + [False] * 5:
        prior.update(y)
    assert prior.shares == {False: 1.0} and prior.minority is False
    under = Resample("under")
    weight = under.train(
        linear_model.LogisticRegression(), {"a": 1.0}, False, prior, True, random.Random(0)
    )
    assert weight > 0


def test_restart_forgets_the_classes_it_drops():
    sliding = SlidingWindowPrior(window_size=100)
    for y in ["a"] + ["b"] * 20:
        sliding.update(y)
    sliding.restart({"a": 0.0, "b": 1.0}, 10)
    assert sliding.shares == {"b": 1.0} and sliding.minority == "b"
    decayed = DecayedClassPrior(half_life=50)
    for y in ["a"] + ["b"] * 20:
        decayed.update(y)
    decayed.restart({"a": 0.0, "b": 1.0}, 10)
    assert decayed.shares == {"b": 1.0} and decayed.minority == "b" and decayed.n_classes == 1
