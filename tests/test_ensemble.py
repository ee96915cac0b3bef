from __future__ import annotations

import collections
import itertools
import pickle
import random

import pytest
from river import base, linear_model, metrics, preprocessing

from stream_imbal.ensemble import OOBClassifier, UOBClassifier

ENSEMBLES = (OOBClassifier, UOBClassifier)


class CountingClassifier(base.Classifier):
    """Counts its training calls per class and its predictions; predicts nothing."""

    def __init__(self):
        self.learned: collections.Counter = collections.Counter()
        self.n_predictions = 0

    def learn_one(self, x, y, **kwargs):
        self.learned[y] += 1

    def predict_proba_one(self, x, **kwargs):
        self.n_predictions += 1
        return {}


def _periodic_labels(pattern: str, n: int) -> list[str]:
    return list(itertools.islice(itertools.cycle(pattern), n))


@pytest.mark.parametrize(
    ("cls", "pattern", "expected_rates"),
    [
        (OOBClassifier, "abbbbbbbbb", {"a": 9.0, "b": 1.0}),
        (UOBClassifier, "abbbbbbbbb", {"a": 1.0, "b": 1 / 9}),
        (OOBClassifier, "abbbbcbbbbbbbbbbbbbc", {"a": 17.0, "b": 1.0, "c": 8.5}),
        (UOBClassifier, "abbbbcbbbbbbbbbbbbbc", {"a": 1.0, "b": 1 / 17, "c": 0.5}),
    ],
)
def test_sampling_follows_decayed_class_sizes(cls, pattern, expected_rates):
    theta, n_models = 0.999, 10
    labels = _periodic_labels(pattern, 20_000)
    model = cls(CountingClassifier(), n_models=n_models, theta=theta, detect_drift=False, seed=3)
    # Wang, Minku & Yao's class sizes, computed independently: lambda = w_ref / w_y.
    sizes = dict.fromkeys(pattern, 0.0)
    expected = collections.Counter()
    for y in labels:
        for label in sizes:
            sizes[label] = theta * sizes[label] + (1 - theta) * (label == y)
        reference = max(sizes.values()) if cls is OOBClassifier else min(sizes.values())
        expected[y] += reference / sizes[y]
        model.learn_one({}, y)
    learned = sum((member.learned for member in model), collections.Counter())
    occurrences = collections.Counter(labels)
    for label, rate in expected_rates.items():
        per_event = learned[label] / n_models / occurrences[label]
        assert learned[label] / n_models == pytest.approx(expected[label], rel=0.03)
        assert per_event == pytest.approx(rate, rel=0.05)


def test_members_predict_for_their_monitors_only_when_detecting_drift():
    for detect_drift, predictions in [(False, 0), (True, 50)]:
        model = OOBClassifier(CountingClassifier(), n_models=5, detect_drift=detect_drift, seed=1)
        for y in _periodic_labels("ab", 10):
            model.learn_one({}, y)
        assert [member.n_predictions for member in model] == [predictions // 5] * 5


def test_theta_must_be_a_decay_factor():
    with pytest.raises(ValueError, match="theta"):
        OOBClassifier(CountingClassifier(), theta=1.0)


def _blobs(n: int, minority_share: float, seed: int, flip_at: int | None = None):
    """Two Gaussian blobs; from `flip_at` on, each class takes the other's place."""
    rng = random.Random(seed)
    for i in range(n):
        y = rng.random() < minority_share
        centre = 2.0 * (y != (flip_at is not None and i >= flip_at))
        yield {"a": rng.gauss(centre, 1.0), "b": rng.gauss(centre, 1.0)}, y


def _logistic():
    return preprocessing.StandardScaler() | linear_model.LogisticRegression()


def _prequential_gmean(model, stream, segments):
    """Test-then-train over `stream`; G-mean of every (start, end) segment of event indices."""
    gmeans = [metrics.GeometricMean() for _ in segments]
    for i, (x, y) in enumerate(stream):
        y_pred = model.predict_one(x)
        for (start, end), gmean in zip(segments, gmeans, strict=True):
            if start <= i < end:
                gmean.update(y, y_pred)
        model.learn_one(x, y)
    return [gmean.get() for gmean in gmeans]


@pytest.fixture(scope="module")
def bare_gmean():
    return _prequential_gmean(_logistic(), _blobs(10_000, 0.01, seed=5), [(0, 10_000)])[0]


@pytest.mark.parametrize("cls", ENSEMBLES)
def test_ensembles_find_the_minority_at_1_to_100(cls, bare_gmean):
    model = cls(_logistic(), n_models=5, seed=7)
    [gmean] = _prequential_gmean(model, _blobs(10_000, 0.01, seed=5), [(0, 10_000)])
    assert bare_gmean < 0.4
    assert gmean > 0.7
    assert gmean > bare_gmean + 0.3


@pytest.mark.parametrize("cls", ENSEMBLES)
def test_members_are_replaced_after_a_concept_flip(cls):
    model = cls(_logistic(), n_models=5, seed=7)
    events = list(_blobs(20_000, 0.01, seed=11, flip_at=10_000))
    [before] = _prequential_gmean(model, events[:10_000], [(5_000, 10_000)])
    members_before = list(model)
    [after] = _prequential_gmean(model, events[10_000:], [(5_000, 10_000)])
    replaced = [event for event in model.drift_events if event.index >= 10_000]
    assert replaced and all(event.kind == "concept" for event in replaced)
    assert replaced[0].index < 10_300
    assert all(new is not old for new, old in zip(model, members_before, strict=True))
    assert after > 0.7
    assert after > before - 0.1


def _predictions(model, stream):
    predictions = []
    for x, y in stream:
        predictions.append(model.predict_proba_one(x))
        model.learn_one(x, y)
    return predictions


@pytest.mark.parametrize("cls", ENSEMBLES)
def test_pickle_round_trip_keeps_predicting_identically(cls):
    events = list(_blobs(4_000, 0.02, seed=2, flip_at=2_000))
    model = cls(_logistic(), n_models=4, seed=9)
    _predictions(model, events[:3_000])
    restored = pickle.loads(pickle.dumps(model))
    assert restored.n_seen == 3_000
    assert restored.drift_events == model.drift_events
    assert _predictions(restored, events[3_000:]) == _predictions(model, events[3_000:])


@pytest.mark.parametrize("cls", ENSEMBLES)
def test_seed_makes_runs_reproducible(cls):
    events = list(_blobs(3_000, 0.02, seed=4))
    runs = [_predictions(cls(_logistic(), n_models=4, seed=seed), events) for seed in (1, 1, 2)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
