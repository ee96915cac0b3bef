"""The core classifier: river conformance, state, bad input, classes, bounded memory."""

from __future__ import annotations

import math
import pickle
import random

import pytest
from stream_imbal._fields import CompiledFields

from stream_imbal import (
    InvalidEventError,
    InvalidLabelError,
    OnlineImbalancedClassifier,
    _hoeffding,
)
from stream_imbal.bounded_tree import BoundedSubspaceTree
from stream_imbal.evaluate import prequential
from stream_imbal.online import Event, ScoreThenLearn
from stream_imbal.priors import SlidingWindowPrior
from tests.streams import gaussian_classes


def blobs(n: int, minority: float, seed: int, shift: float = 2.0, labels=(False, True)):
    rng = random.Random(seed)
    for _ in range(n):
        positive = rng.random() < minority
        x = {f"f{i}": rng.gauss(shift if positive and i < 2 else 0.0, 1.0) for i in range(5)}
        yield x, labels[positive]


def test_pickled_model_predicts_identically():
    model = OnlineImbalancedClassifier(seed=1)
    events = list(blobs(6000, 0.02, seed=3))
    for x, y in events[:5000]:
        model.learn_one(x, y)
    restored = pickle.loads(pickle.dumps(model))
    for x, y in events[5000:]:
        assert restored.predict_proba_one(x) == model.predict_proba_one(x)
        assert restored.predict_one(x) == model.predict_one(x)
        model.learn_one(x, y)
        restored.learn_one(x, y)
    assert restored.threshold == model.threshold
    assert restored.priors == model.priors


def test_introspection_after_learning():
    model = OnlineImbalancedClassifier(seed=0)
    for x, y in blobs(5000, 0.05, seed=0):
        model.learn_one(x, y)
    assert model.n_seen == 5000
    assert model.minority_class is True
    assert math.isclose(sum(model.priors.values()), 1.0)
    low, high = model.prior_intervals[True]
    assert low < model.priors[True] < high
    assert 0.02 < model.priors[True] < 0.09
    # Balancing trains the learner on a far less skewed prior than the stream's.
    assert model.training_priors[True] > 5 * model.priors[True]
    assert 0.0 < model.threshold < 1.0
    assert set(model.class_adjustments) == {False, True}


@pytest.mark.parametrize(
    "x, message",
    [
        ({"a": float("nan")}, "feature 'a' is NaN"),
        ({"a": 1.0, "b": float("inf")}, "feature 'b' is infinite"),
        ({"a": "12"}, "feature 'a' is not numeric"),
        ({"a": None}, "feature 'a' is not numeric"),
        ({}, "empty event"),
        ([1.0, 2.0], "features must be a dict"),
    ],
)
def test_bad_event_is_refused_clearly(x, message):
    model = OnlineImbalancedClassifier()
    with pytest.raises(InvalidEventError, match=message):
        model.predict_one(x)
    with pytest.raises(InvalidEventError, match=message):
        model.learn_one(x, True)
    assert model.n_seen == 0  # nothing was half-learned


@pytest.mark.parametrize(
    "y, message",
    [(None, "missing label"), (float("nan"), "NaN"), (["a"], "hashable")],
)
def test_bad_label_is_refused_clearly(y, message):
    model = OnlineImbalancedClassifier()
    with pytest.raises(InvalidLabelError, match=message):
        model.learn_one({"a": 1.0}, y)


def test_a_new_label_becomes_a_new_class():
    model = OnlineImbalancedClassifier(seed=0)
    for x, y in blobs(3000, 0.05, seed=1, labels=("ok", "fraud")):
        model.learn_one(x, y)
    assert set(model.predict_proba_one({"f0": 0.0})) == {"ok", "fraud"}
    assert model.predict_one({f"f{i}": 2.5 for i in range(5)}) == "fraud"
    rng = random.Random(2)
    for _ in range(300):
        model.learn_one({f"f{i}": rng.gauss(-3.0, 1.0) for i in range(5)}, "chargeback")
        x, y = next(blobs(1, 0.05, seed=rng.randrange(10**6), labels=("ok", "fraud")))
        model.learn_one(x, y)
    proba = model.predict_proba_one({f"f{i}": -3.0 for i in range(5)})
    assert set(proba) == {"ok", "fraud", "chargeback"}
    assert model.predict_one({f"f{i}": -3.0 for i in range(5)}) == "chargeback"
    # The one-vs-rest member of "fraud" kept what it had learned.
    assert model.predict_one({f"f{i}": 2.5 for i in range(5)}) == "fraud"
    assert model.threshold is None and model.class_adjustments


def test_state_stays_bounded_on_a_long_stream():
    model = OnlineImbalancedClassifier(seed=0)
    sizes = {}
    for i, (x, y) in enumerate(blobs(100_000, 0.01, seed=5), start=1):
        model.learn_one(x, y)
        if i % 10_000 == 0:
            # The forest grows to its limit (1.7 MiB as its size checks measure it) within 10k
            # events, then stays there; a tree may pass its share by what it learns between two
            # checks (2,000 learning calls).
            trees = _bounded_trees(model)
            assert len(trees) == 8
            assert sum(_hoeffding.object_size(t) for t in trees) <= 1.7 * 2**20
            assert max(_hoeffding.object_size(t) / t._max_byte_size for t in trees) < 1.15
        if i in (50_000, 100_000):
            sizes[i] = len(pickle.dumps(model))
    # The checkpoint's size follows: it would double from 50k to 100k if the state grew with the
    # events; about 0.7 MB, where river's Gaussians (a random generator each) made it about 3 MB.
    assert sizes[100_000] < 1.1 * sizes[50_000], sizes
    assert max(sizes.values()) < 1_000_000, sizes


def _bounded_trees(model) -> list[BoundedSubspaceTree]:
    """The bounded trees `model` learns with, found through its objects' attributes."""
    found, todo, seen = [], [model], set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, BoundedSubspaceTree):
            found.append(obj)
        elif isinstance(obj, dict):
            todo.extend(obj.values())
        elif isinstance(obj, list | tuple):
            todo.extend(obj)
        elif isinstance(obj, CompiledFields):  # C fields, then its `__dict__`
            todo.extend(obj.__getstate__().values())
        elif hasattr(obj, "__dict__"):
            todo.extend(vars(obj).values())
    return found


def _stream(n: int, seed: int, share: float = 0.05):
    return gaussian_classes(n, seed, share, {"a": 2.0, "b": 0.0})


def test_the_balancing_argument_is_cloned_not_shared():
    from stream_imbal.balancing import OnlineSMOTE

    smote = OnlineSMOTE(seed=1)
    model = OnlineImbalancedClassifier(balancing=smote, seed=1)
    for x, y in _stream(2_000, 1):
        model.learn_one(x, y)
    assert smote.n_synthetic == 0  # the user's object was never trained with
    assert model._balancing.n_synthetic > 0


def test_a_challenger_has_its_own_balancing():
    from stream_imbal.balancing import OnlineSMOTE
    from stream_imbal.classifier import linear_learner

    # The linear learner cannot follow the flip without a challenger (the default's forest can).
    model = OnlineImbalancedClassifier(
        learner=linear_learner(), balancing=OnlineSMOTE(seed=1), seed=1
    )
    rng = random.Random(2)
    trials = 0
    for i in range(30_000):
        y = rng.random() < 0.05
        mean = (2.0 if y else 0.0) if i < 10_000 else (-2.0 if y else 0.0)  # concept flip
        model.learn_one({"a": rng.gauss(mean, 1.0), "b": rng.random()}, y)
        if model._challenger is not None:
            trials += 1
            assert model._challenger_balancing is not model._balancing
    assert trials > 0, "the drift should have put a challenger on trial"


def test_a_class_that_leaves_the_sliding_window_stays_the_minority():
    model = OnlineImbalancedClassifier(prior=SlidingWindowPrior(window_size=200), seed=3)
    minorities = set()
    for x, y in _stream(20_000, 3, share=0.002):  # often no minority in the window
        model.learn_one(x, y)
        if len(model.priors) == 2 or minorities:  # from the first time both were seen
            minorities.add(model.minority_class)
    assert minorities == {True}


def test_the_repr_shows_the_parts_really_in_use():
    text = repr(OnlineImbalancedClassifier(seed=1))
    for part in (
        "learner=CandidatePool",
        "prior=DecayedClassPrior",
        "balancing=ReweightResample",
        "drift=DriftPolicy",
        "threshold_policy=ThresholdCalibrator",
        "seed=1",
    ):
        assert f"\n  {part}" in text, part


def test_the_model_abstains_until_each_class_has_its_warm_up_labels():
    model = OnlineImbalancedClassifier(seed=0, warm_up=3)
    core = ScoreThenLearn(model)
    statuses = []
    for i in range(40):
        positive = i % 10 == 9  # the third positive is event 29
        event = Event(i, float(i), {"a": 2.0 if positive else 0.0}, label=positive)
        statuses.append(core.on_event(event).prediction.status)
    assert statuses[:30] == ["warming_up"] * 30 and set(statuses[30:]) == {"scored"}
    assert model.predict_one({"a": 2.0}) is True and model.predict_one({"a": 0.0}) is False
    assert not model.warming_up


def test_an_abstaining_model_is_scored_as_raising_no_alarm():
    events = [({"a": float(i % 7 == 6)}, i % 7 == 6) for i in range(700)]
    patient = prequential(OnlineImbalancedClassifier(seed=0, warm_up=50), iter(events))
    # Its 50 first positives are missed: scored as no alarm, not skipped.
    assert patient.summary["minority_recall"] < 0.55
    assert patient.summary["n_events"] == 700


def test_a_dict_changed_between_predict_and_learn_is_not_learnt_from_a_stale_prediction():
    trained = OnlineImbalancedClassifier(seed=3)
    rng = random.Random(3)
    for _ in range(600):
        positive = rng.random() < 0.1
        trained.learn_one({"a": rng.gauss(2.0 if positive else 0.0, 1.0)}, positive)
    mutated, fresh = pickle.loads(pickle.dumps(trained)), pickle.loads(pickle.dumps(trained))
    x = {"a": 0.0}
    mutated.predict_one(x)
    x["a"] = 3.0  # changed after its prediction: the cached score would be stale
    assert mutated.predict_proba_one(x) == fresh.predict_proba_one({"a": 3.0})
    mutated.learn_one(x, True)
    fresh.learn_one({"a": 3.0}, True)
    probe = {"a": 1.5}
    assert mutated.predict_proba_one(probe) == fresh.predict_proba_one(probe)
