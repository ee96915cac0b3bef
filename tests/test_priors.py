"""Class-prior estimators: a class that leaves the estimate is forgotten, not kept at share 0."""

from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _decayed_shares(labels: list, weights: list, half_life: float) -> dict:
    """The rule in its plain form: each count decays by theta per event, then adds its weight."""
    theta = 0.5 ** (1.0 / half_life)
    counts: dict = {}
    for y, w in zip(labels, weights, strict=True):
        counts = {label: c * theta for label, c in counts.items()}
        counts[y] = counts.get(y, 0.0) + w
    total = sum(counts.values())
    return {label: c / total for label, c in counts.items()}


@given(
    st.lists(st.tuples(st.sampled_from("abc"), st.floats(0.01, 50.0)), min_size=1, max_size=600),
    st.sampled_from([1.0, 3.0, 100.0]),
)
@settings(max_examples=60, deadline=None)
def test_decayed_shares_follow_the_rule_through_rescales(events, half_life):
    """Half-lives of 1 and 3 events rescale the counts every few hundred updates."""
    prior = DecayedClassPrior(half_life=half_life)
    for y, w in events:
        prior.update(y, w)
    expected = _decayed_shares([y for y, _ in events], [w for _, w in events], half_life)
    for label in "abcd":
        assert prior.share(label) == pytest.approx(expected.get(label, 0.0), rel=1e-9, abs=1e-300)
    assert prior.shares.keys() == expected.keys()
    assert prior.n_classes == len(expected)
    assert prior.shares[prior.minority] == min(prior.shares.values())


def test_a_decayed_prior_pickled_before_its_counts_were_compiled_loads_and_goes_on():
    """The former Python class pickled its `__dict__`: its class, a `NEWOBJ`, the dict."""
    rng = random.Random(4)
    went_on = DecayedClassPrior(half_life=50)
    for _ in range(500):
        went_on.update(rng.random() < 0.1, rng.choice([1.0, 7.5]))
    state = (
        {"half_life": 50}
        | {
            name: getattr(went_on, name)
            for name in ("_theta", "_growth", "_scale", "_counts", "_total", "_sum_sq", "_shares")
        }
        | {"_minority": went_on._minority, "_minority_known": went_on._minority_known}
    )
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    former = b"\x80\x02cstream_imbal.priors.decayed\nDecayedClassPrior\n)\x81" + body + b"b."
    loaded = pickle.loads(former)
    assert "_counts" not in vars(loaded) and loaded.half_life == 50
    for _ in range(500):
        y, w = rng.random() < 0.1, rng.choice([1.0, 7.5])
        loaded.update(y, w)
        went_on.update(y, w)
        assert (loaded.share(True), loaded.n_effective) == (
            went_on.share(True),
            went_on.n_effective,
        )
    assert pickle.dumps(loaded) == pickle.dumps(went_on)
