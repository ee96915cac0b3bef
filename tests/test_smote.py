from __future__ import annotations

import math
import pickle
import random

import pytest
from river import linear_model, metrics, preprocessing

from stream_imbal.balancing.smote import OnlineSMOTE
from stream_imbal.balancing.strategy import NoBalancing
from stream_imbal.priors import DecayedClassPrior, SlidingWindowPrior


def fixed_prior(minority_share: float = 0.05) -> SlidingWindowPrior:
    """A prior that has counted both labels, True being the minority."""
    prior = SlidingWindowPrior(window_size=100)
    n_minority = round(100 * minority_share)
    for y in [False] * (100 - n_minority) + [True] * n_minority:
        prior.update(y)
    return prior


def segment_position(s: dict, x: dict, member: dict) -> float | None:
    """u such that s = x + u * (member - x) over x's keys, or None if s is off that line."""
    step = {key: member[key] - x[key] for key in x}
    norm = sum(v * v for v in step.values())
    u = sum((s[key] - x[key]) * step[key] for key in x) / norm
    on_line = all(math.isclose(s[key], x[key] + u * step[key], abs_tol=1e-9) for key in x)
    return u if on_line else None


def test_synthetic_events_interpolate_towards_the_k_nearest_members():
    rng = random.Random(0)
    prior = fixed_prior()
    smote = OnlineSMOTE(k=3, borderline=False)
    members = [{"a": rng.uniform(0, 10), "b": rng.uniform(0, 10)} for _ in range(50)]
    x = {"a": 5.0, "b": 5.0}
    for event in [*members, x]:  # x itself in the reservoir must not count as a neighbour
        smote.update(event, True, prior)
    nearest = sorted(members, key=lambda m: math.dist(m.values(), x.values()))[:3]

    used = set()
    for s in smote.synthesize(x, True, 300, rng):
        positions = [segment_position(s, x, member) for member in nearest]
        (i, u), *_ = [(i, u) for i, u in enumerate(positions) if u is not None]
        assert 0.0 <= u <= 1.0
        used.add(i)
    assert used == {0, 1, 2}
    assert smote.n_synthetic == 300


def test_reservoir_is_bounded_and_keeps_the_most_recent_events():
    rng = random.Random(1)
    prior = fixed_prior()
    smote = OnlineSMOTE(reservoir_size=20, window_size=20)
    for _ in range(1000):
        smote.update({"a": rng.gauss(0.0, 1.0)}, True, prior)
    size = len(pickle.dumps(smote))
    for _ in range(5000):  # the minority class drifts far away
        smote.update({"a": rng.gauss(100.0, 1.0)}, True, prior)
    assert len(pickle.dumps(smote)) <= size + 16
    synthetic = smote.synthesize({"a": 0.0}, True, 200, rng)
    assert len(synthetic) == 200
    assert all(s["a"] >= 0.0 for s in synthetic)  # no neighbour left from before the drift


def test_features_may_appear_and_disappear():
    rng = random.Random(2)
    prior = fixed_prior()
    smote = OnlineSMOTE(k=1, borderline=False)
    smote.update({"b": 100.0, "c": 100.0}, True, prior)  # far away, but makes "b" known
    smote.update({"a": 1.0, "c": 1.0}, True, prior)  # the nearest neighbour of x below
    x = {"a": 0.0, "b": 5.0, "d": -2.0}  # "d" never seen before
    synthetic = smote.synthesize(x, True, 50, rng)
    assert all(s.keys() == x.keys() for s in synthetic)
    # where the neighbour has no value, the synthetic event keeps x's
    assert all(s["b"] == 5.0 and s["d"] == -2.0 and 0.0 <= s["a"] <= 1.0 for s in synthetic)
    assert len({s["a"] for s in synthetic}) == 50


def test_memory_stays_bounded_when_feature_names_keep_changing():
    rng = random.Random(3)
    prior = fixed_prior()
    smote = OnlineSMOTE(reservoir_size=10, window_size=10)

    def feed(start, stop):
        for i in range(start, stop):
            smote.update({"a": rng.random(), f"id{i}": 1.0}, True, prior)

    feed(1000, 1100)
    size = len(pickle.dumps(smote))
    feed(1100, 9000)
    assert len(pickle.dumps(smote)) <= size + 16
    synthetic = smote.synthesize({"a": 0.5, "id8999": 1.0}, True, 5, rng)
    assert [s.keys() for s in synthetic] == [{"a", "id8999"}] * 5


@pytest.mark.parametrize("borderline", [True, False])
def test_borderline_skips_a_minority_event_inside_the_majority_cluster(borderline):
    rng = random.Random(4)
    prior = fixed_prior(0.05)
    smote = OnlineSMOTE(borderline=borderline, seed=0)
    for _ in range(20_000):
        y = rng.random() < 0.05
        centre = 4.0 if y else 0.0
        smote.update({"a": rng.gauss(centre, 0.5), "b": rng.gauss(centre, 0.5)}, y, prior)

    noise = smote.synthesize({"a": 0.0, "b": 0.0}, True, 5, rng)
    safe = smote.synthesize({"a": 4.0, "b": 4.0}, True, 5, rng)
    assert len(safe) == 5
    assert len(noise) == (0 if borderline else 5)
    assert smote.n_skipped_noise == (1 if borderline else 0)


def test_train_returns_the_real_plus_synthetic_count():
    rng = random.Random(5)
    prior = DecayedClassPrior(half_life=500)
    smote = OnlineSMOTE()
    model = linear_model.LogisticRegression()
    received = {False: 0.0, True: 0.0}
    counts = {False: 0, True: 0}
    for _ in range(3000):
        y = rng.random() < 0.05
        prior.update(y)
        x = {"a": rng.gauss(2.0 * y, 1.0)}
        received[y] += smote.train(model, x, y, prior, True, rng)
        counts[y] += 1
    assert received[False] == counts[False]
    assert received[True] == counts[True] + smote.n_synthetic
    assert smote.n_synthetic > 5 * counts[True]  # rate min(0.5 / 0.05 - 1, 10) = 9


def test_state_pickles_and_clones():
    rng = random.Random(6)
    prior = fixed_prior()
    smote = OnlineSMOTE(k=2, seed=1)
    for _ in range(100):
        smote.update({"a": rng.random(), "b": rng.random()}, rng.random() < 0.5, prior)
    copy = pickle.loads(pickle.dumps(smote))
    x = {"a": 0.5, "b": 0.5}
    assert copy.synthesize(x, True, 4, random.Random(0)) == smote.synthesize(
        x, True, 4, random.Random(0)
    )
    fresh = smote.clone()
    assert fresh.k == 2 and fresh.seed == 1
    assert fresh.synthesize(x, True, 4, rng) == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"k": 0}, "k must be"),
        ({"k": 2.5}, "k must be"),
        ({"k": 10, "reservoir_size": 5}, "reservoir_size must be"),
        ({"window_size": 3}, "window_size must be"),
        ({"max_synthetic": -1}, "max_synthetic must be"),
    ],
)
def test_invalid_parameters_are_rejected(params, message):
    with pytest.raises(ValueError, match=message):
        OnlineSMOTE(**params)


def prequential_gmean(strategy, n: int = 20_000) -> float:
    """Predict-then-learn G-mean on a 1:100 stream of two overlapping Gaussian blobs."""
    data = random.Random(7)
    rng = random.Random(8)
    model = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    prior = DecayedClassPrior(half_life=1000)
    metric = metrics.GeometricMean()
    for _ in range(n):
        y = data.random() < 0.01
        x = {"a": data.gauss(1.5 * y, 1.0), "b": data.gauss(1.5 * y, 1.0)}
        metric.update(y, model.predict_one(x))
        prior.update(y)
        strategy.train(model, x, y, prior, True, rng)
    return metric.get()


def test_smote_beats_no_balancing_on_an_imbalanced_stream():
    plain = prequential_gmean(NoBalancing())
    smote = prequential_gmean(OnlineSMOTE(seed=0))
    assert smote > plain + 0.2
