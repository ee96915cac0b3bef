"""A heavy event learned as light steps: what the default's linear candidate does."""

from __future__ import annotations

import pickle
import random

import pytest
from river import linear_model, optim

from stream_imbal.presets import build_preset
from stream_imbal.small_steps import SmallSteps


class _Recorder:
    """Records the weights it learns with."""

    _multiclass = False

    def __init__(self):
        self.weights: list[float] = []

    def learn_one(self, x, y, w=1.0):
        self.weights.append(w)

    def predict_proba_one(self, x):
        return {True: 0.5, False: 0.5}


@pytest.mark.parametrize(
    ("w", "max_weight", "expected"),
    [
        (0.4, 1.0, [0.4]),  # light events are learned as they are
        (1.0, 1.0, [1.0]),
        (3.0, 1.0, [1.0] * 3),
        (2.5, 1.0, [2.5 / 3] * 3),
        (50.0, 2.5, [2.5] * 20),
    ],
)
def test_a_heavy_event_is_split_into_equal_steps_of_at_most_max_weight(w, max_weight, expected):
    recorder = _Recorder()
    SmallSteps(recorder, max_weight=max_weight).learn_one({"a": 1.0}, True, w=w)
    assert recorder.weights == pytest.approx(expected)
    assert sum(recorder.weights) == pytest.approx(w)  # the event's total weight is kept


@pytest.mark.parametrize("max_weight", [0.0, -1.0, float("nan")])
def test_a_bad_max_weight_is_refused(max_weight):
    with pytest.raises(ValueError, match="max_weight must be > 0"):
        SmallSteps(linear_model.LogisticRegression(), max_weight=max_weight)


def test_a_huge_weight_takes_at_most_max_steps():
    recorder = _Recorder()
    SmallSteps(recorder, max_steps=100).learn_one({"a": 1.0}, True, w=1e6)
    assert recorder.weights == pytest.approx([1e4] * 100)
    with pytest.raises(ValueError, match="max_steps must be >= 1"):
        SmallSteps(recorder, max_steps=0)


def test_after_a_rare_heavy_event_fewer_majority_events_are_flagged():
    """Rare events weighing 50 among standard-normal majority events: after each, count the
    next 100 majority events a model calls minority. One heavy step flags far more of them."""
    rng = random.Random(3)
    one = linear_model.LogisticRegression(optim.SGD(0.1))
    steps = SmallSteps(linear_model.LogisticRegression(optim.SGD(0.1)))
    flagged = {"one": 0, "steps": 0}
    for _ in range(20):
        for _ in range(100):
            x = {"a": rng.gauss(0, 1), "b": rng.gauss(0, 1)}
            flagged["one"] += one.predict_one(x) is True
            flagged["steps"] += steps.predict_one(x) is True
            one.learn_one(x, False)
            steps.learn_one(x, False)
        rare = {"a": rng.gauss(2, 1), "b": rng.gauss(2, 1)}
        one.learn_one(rare, True, w=50.0)
        steps.learn_one(rare, True, w=50.0)
    assert flagged["steps"] < 0.7 * flagged["one"]


def test_the_default_linear_candidate_takes_small_steps_and_survives_a_checkpoint():
    model = build_preset("default", seed=1)
    rng = random.Random(0)
    for _ in range(500):
        x = {"a": rng.gauss(0, 1)}
        model.learn_one(x, x["a"] > 2)
    linear = model._learner.classifier.members["linear"]
    assert isinstance(linear, SmallSteps) and linear.max_weight == 1.0
    restored = pickle.loads(pickle.dumps(model))
    probe = {"a": 2.5}
    assert restored.predict_proba_one(probe) == model.predict_proba_one(probe)


def test_small_steps_pickled_with_its_state_as_a_python_dict_loads_as_it_was():
    """It was a Python class that pickled its `__dict__` (a `NEWOBJ`, then the dict); its fields
    are now compiled. Such a pickle, in any order of its keys, loads and learns on."""
    went_on = SmallSteps(linear_model.LogisticRegression(optim.SGD(0.1)), max_weight=2.0)
    rng = random.Random(5)
    for _ in range(100):
        went_on.learn_one({"a": rng.gauss(0, 1)}, rng.random() < 0.3, w=rng.choice([1.0, 9.0]))
    state = dict(reversed(went_on.__getstate__().items()))
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    loaded = pickle.loads(b"\x80\x02cstream_imbal.small_steps\nSmallSteps\n)\x81" + body + b"b.")
    assert (loaded.max_weight, loaded.max_steps) == (2.0, 100) and "model" not in vars(loaded)
    loaded.learn_one({"a": 1.0}, True, w=9.0)
    went_on.learn_one({"a": 1.0}, True, w=9.0)
    assert loaded.predict_proba_one({"a": 0.5}) == went_on.predict_proba_one({"a": 0.5})
