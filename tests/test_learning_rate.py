"""The linear learner's learning rate: fast at first, river's 0.01 for good after."""

from __future__ import annotations

import pytest
from river import linear_model, metrics, optim

from benchmarks.harness.keel import KeelTable
from benchmarks.harness.suites import DEV_TABLES
from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.classifier import linear_learner
from stream_imbal.learning_rate import FastStartRate
from stream_imbal.preprocessing import ClippedStandardScaler


def test_the_rate_decays_to_its_floor_and_stays():
    rate = FastStartRate(start=0.2, floor=0.02, scale=50.0)
    rates = [rate.get(t) for t in range(0, 20_000, 10)]
    assert rates[0] == pytest.approx(0.2)
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))
    assert rate.get(4_950) == pytest.approx(0.02) and rates[-1] == 0.02


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"floor": 0.0}, "floor"),
        ({"start": 0.01, "floor": 0.1}, "floor"),
        ({"scale": 0.0}, "scale"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FastStartRate(**kwargs)


def test_the_linear_learner_uses_it_and_a_clone_starts_afresh():
    learner = linear_learner()
    optimizer = learner["LogisticRegression"].optimizer
    assert isinstance(optimizer.lr, FastStartRate)
    for i in range(300):
        learner.learn_one({"x": float(i % 2)}, i % 2 == 0)
    assert optimizer.n_iterations == 300
    assert learner.clone()["LogisticRegression"].optimizer.n_iterations == 0


def _gmean(lr, rows) -> float:
    learner = ClippedStandardScaler() | linear_model.LogisticRegression(optimizer=optim.SGD(lr))
    model = OnlineImbalancedClassifier(learner=learner, seed=1)
    gmean = metrics.GeometricMean()
    for x, y in rows:
        decision = model.predict_one(x)
        if decision is not None:
            gmean.update(y, decision)
        model.learn_one(x, y)
    return gmean.get()


#: Four short tables of the `dev-tables` suite (neither the tune nor the report suite's).
SHORT_TABLES = DEV_TABLES[:4]


def test_short_tables_are_learned_better_than_at_a_constant_rate():
    # With 26 to 58 rare events per table, river's constant 0.01 is still learning when the
    # table ends; the fast start is not.
    pairs = []
    for name in SHORT_TABLES:
        for seed in (1, 2):
            rows = list(KeelTable(name, seed=seed))
            pairs.append((_gmean(FastStartRate(), rows), _gmean(0.01, rows)))
    gains = [fast - steady for fast, steady in pairs]
    assert sum(gains) / len(gains) > 0.02, pairs
    assert sum(gain > 0 for gain in gains) >= 7, pairs
