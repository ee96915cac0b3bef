"""CandidatePool: conformance, blend weights that follow skill, weights passed on, state."""

from __future__ import annotations

import math
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from river import base, linear_model, metrics, preprocessing, tree

from stream_imbal import OnlineImbalancedClassifier, _pool
from stream_imbal.ensemble import CandidatePool


def _linear():
    return preprocessing.StandardScaler() | linear_model.LogisticRegression()


def _xor(rng):
    x = {"a": rng.uniform(-1, 1), "b": rng.uniform(-1, 1)}
    return x, (x["a"] > 0) == (x["b"] > 0)


def _line(rng):
    """A noisy linear concept: the logistic model is the true one."""
    x = {"a": rng.uniform(-1, 1), "b": rng.uniform(-1, 1)}
    return x, rng.random() < 1 / (1 + math.exp(-4 * (x["a"] + 0.3 * x["b"])))


@pytest.mark.parametrize(("concept", "winner"), [(_xor, "tree"), (_line, "linear")])
def test_the_weights_follow_the_better_candidate(concept, winner):
    pool = CandidatePool({"linear": _linear(), "tree": tree.HoeffdingTreeClassifier()})
    rng = random.Random(4)
    for _ in range(6_000):
        x, y = concept(rng)
        pool.predict_proba_one(x)
        pool.learn_one(x, y)
    assert pool.weights[winner] > 0.5
    loser = "tree" if winner == "linear" else "linear"
    assert pool.skills[winner] > pool.skills[loser]
    assert math.isclose(sum(pool.weights.values()), 1.0)


def test_the_weights_move_when_the_concept_changes():
    pool = CandidatePool({"linear": _linear(), "tree": tree.HoeffdingTreeClassifier()})
    rng = random.Random(5)
    history = []
    for i in range(12_000):
        x, y = (_line if i < 3_000 else _xor)(rng)
        pool.predict_proba_one(x)
        pool.learn_one(x, y)
        if i in (2_999, 11_999):
            history.append(pool.weights["tree"])
    assert history[0] < 0.5 < history[1]


class _Recorder(base.Classifier):
    """Records the weights it is trained with; predicts a fixed probability."""

    def __init__(self, p: float = 0.5):
        self.p = p
        self.weights: list[float] = []

    def learn_one(self, x, y, w=1.0):
        self.weights.append(w)

    def predict_proba_one(self, x):
        return {True: self.p, False: 1 - self.p}


class _NoWeight(_Recorder):
    def learn_one(self, x, y):
        self.weights.append(1.0)


def test_sample_weights_are_passed_on_or_turned_into_repeats():
    pool = CandidatePool({"weighted": _Recorder(), "repeated": _NoWeight()}, seed=1)
    for _ in range(2_000):
        pool.learn_one({"a": 1.0}, True, w=3.0)
    weighted, repeated = pool.members["weighted"], pool.members["repeated"]
    assert weighted.weights == [3.0] * 2_000
    assert len(repeated.weights) == pytest.approx(6_000, rel=0.05)  # Poisson(3) repeats


def test_an_event_learned_several_times_is_scored_once():
    pool = CandidatePool({"a": _Recorder(0.9), "b": _Recorder(0.1)}, warm_up=1)
    for i, y in enumerate([False, True, False]):  # each class has events to rank against
        pool.learn_one({"a": float(i)}, y)
    assert pool._n_scored == {False: 1, True: 0}
    x = {"a": 1.0}
    for _ in range(5):  # one minority event, repeated by a balancing strategy
        pool.learn_one(x, True)
    assert pool._n_scored == {False: 1, True: 1}


def test_the_blend_is_a_probability_and_tracks_the_weights():
    pool = CandidatePool({"a": _Recorder(0.9), "b": _Recorder(0.1)}, warm_up=5)
    assert pool.predict_proba_one({"a": 1.0})[True] == pytest.approx(0.5)  # uniform weights
    for i in range(200):
        pool.learn_one({"a": float(i)}, i % 2 == 0)  # "a" is right on True, "b" on False
    proba = pool.predict_proba_one({"a": 1.0})
    assert sum(proba.values()) == pytest.approx(1.0)
    expected = 0.9 * pool.weights["a"] + 0.1 * pool.weights["b"]
    assert proba[True] == pytest.approx(expected)


def test_state_survives_pickling():
    pool = CandidatePool({"linear": _linear(), "tree": tree.HoeffdingTreeClassifier()})
    rng = random.Random(6)
    for _ in range(1_000):
        pool.learn_one(*_xor(rng))
    copy = pickle.loads(pickle.dumps(pool))
    x, _ = _xor(rng)
    assert copy.predict_proba_one(x) == pool.predict_proba_one(x)
    assert copy.weights == pool.weights


def test_a_pool_pickled_with_its_state_as_a_python_dict_loads_and_goes_on():
    """The pool was a Python class that pickled its `__dict__` (a `NEWOBJ`, then the dict);
    its per-event fields are now compiled. Such a pickle, in any order of its keys, loads and
    goes on as the pool that went on."""
    pool = CandidatePool({"linear": _linear(), "tree": tree.HoeffdingTreeClassifier()})
    rng = random.Random(8)
    for _ in range(1_000):
        pool.learn_one(*_xor(rng))
    state = dict(reversed(pool.__getstate__().items()))
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    loaded = pickle.loads(
        b"\x80\x02cstream_imbal.ensemble.pool\nCandidatePool\n)\x81" + body + b"b."
    )
    assert "_weights" not in vars(loaded)  # a C field
    for _ in range(1_000):
        x, y = _xor(rng)
        assert loaded.predict_proba_one(x) == pool.predict_proba_one(x)
        loaded.learn_one(x, y)
        pool.learn_one(x, y)
    assert loaded.weights == pool.weights


class _Fixed(base.Classifier):
    """Predicts a fixed function of x["u"]; learns nothing."""

    def __init__(self, score):
        self.score = score

    def learn_one(self, x, y, w=1.0):
        pass

    def predict_proba_one(self, x):
        p = self.score(x["u"])
        return {True: p, False: 1 - p}


def test_the_better_ranking_wins_over_the_better_calibrated():
    """A confident candidate, wrong on one event in seven, has the lower Brier loss; a timid one
    (probabilities 0.45 to 0.55) ranks every event right. The pool follows the ranking: that is
    what a threshold, G-mean and PR-AUC make of a score."""
    confident = _Fixed(lambda u: 0.99 if (u > 0.5) != (int(u * 1e6) % 7 == 0) else 0.01)
    timid = _Fixed(lambda u: 0.45 + 0.1 * u)
    pool = CandidatePool({"confident": confident, "timid": timid})
    rng = random.Random(8)
    brier = {"confident": 0.0, "timid": 0.0}
    for _ in range(3_000):
        u = rng.random()
        x, y = {"u": u}, u > 0.5
        for name, model in pool.members.items():
            brier[name] += 2 * (1 - model.predict_proba_one(x)[y]) ** 2
        pool.learn_one(x, y)
    assert brier["confident"] < brier["timid"]
    assert pool.skills["timid"] == pytest.approx(1.0)
    assert pool.skills["confident"] < 0.9
    assert pool.weights["timid"] > 0.9


def test_bad_parameters():
    with pytest.raises(ValueError, match="two or more"):
        CandidatePool({"only": _linear()})
    with pytest.raises(ValueError, match="> 0"):
        CandidatePool({"a": _linear(), "b": _linear()}, temperature=0)
    with pytest.raises(ValueError, match="buffer"):
        CandidatePool({"a": _linear(), "b": _linear()}, buffer=0)
    for weights in ({"a": 1.0}, {"a": 1.0, "c": 1.0}, {"a": -1.0, "b": 2.0}, {"a": 0, "b": 0}):
        with pytest.raises(ValueError, match="warm_up_weights"):
            CandidatePool({"a": _linear(), "b": _linear()}, warm_up_weights=weights)


def test_warm_up_weights_hold_until_each_class_has_its_scored_events():
    pool = CandidatePool(
        {"a": _linear(), "b": tree.HoeffdingTreeClassifier()},
        warm_up=5,
        warm_up_weights={"a": 3, "b": 1},
    )
    assert pool.weights == {"a": 0.75, "b": 0.25}
    rng = random.Random(3)
    positives = 0
    for _ in range(3_000):
        x = {"f": rng.uniform(-1, 1)}
        y = x["f"] > 0.9
        pool.learn_one(x, y)
        positives += y
        if positives < 5:  # fewer than 5 scored positive events
            assert pool.weights == {"a": 0.75, "b": 0.25}
    assert pool.weights["a"] != 0.75  # skill took over
    restored = pickle.loads(pickle.dumps(pool.clone()))
    assert restored.weights == {"a": 0.75, "b": 0.25}  # a fresh pool (a challenger) starts there


def test_the_classifier_exposes_the_blend_weights():
    model = OnlineImbalancedClassifier(seed=1)
    rng = random.Random(7)
    gmean = metrics.GeometricMean()
    for _ in range(10_000):
        x = {"a": rng.uniform(-1, 1), "b": rng.uniform(-1, 1)}
        y = min(x["a"], x["b"]) > 0.75 or max(x["a"], x["b"]) < -0.75  # two corners, 1:31
        if (decision := model.predict_one(x)) is not None:
            gmean.update(y, decision)
        model.learn_one(x, y)
    assert set(model.candidate_weights) == {"linear", "forest"}
    assert model.candidate_weights["forest"] > 0.5
    assert gmean.get() > 0.8
    linear_only = OnlineImbalancedClassifier(
        learner=preprocessing.StandardScaler() | linear_model.LogisticRegression()
    )
    assert linear_only.candidate_weights == {}


class _Scored:
    """What `balanced_skills` and `reweigh` read of a pool."""

    def __init__(self, sums: dict, counts: dict, temperature: float):
        self._classes = list(sums)
        self._members = [None] * len(next(iter(sums.values())))
        self._skill_sums, self._counts, self.temperature = sums, counts, temperature


def _python_weights(sums: dict, counts: dict, temperature: float) -> tuple[list, list]:
    """The skills and weights as first written, with Python's `sum` and `max`."""
    classes, n = list(sums), len(next(iter(sums.values())))
    skills = [sum(sums[k][i] / counts[k] for k in classes) / len(classes) for i in range(n)]
    best = max(skills)
    scores = [math.exp((skill - best) / temperature) for skill in skills]
    return skills, [score / sum(scores) for score in scores]


@settings(max_examples=300, deadline=None)
@given(
    n_classes=st.integers(1, 3),
    n_candidates=st.integers(1, 3),
    data=st.data(),
    temperature=st.floats(0.001, 10.0),
)
def test_skills_and_weights_are_pythons_to_the_bit(n_classes, n_candidates, data, temperature):
    """Two candidates and two classes (the default's) are summed in C: the same numbers as
    Python's `sum` and `max`, which any other count still uses."""
    sums, counts = {}, {}
    for k in range(n_classes):
        sums[k] = data.draw(
            st.lists(st.floats(0.0, 1e3), min_size=n_candidates, max_size=n_candidates)
        )
        counts[k] = data.draw(st.floats(1e-3, 1e4))
    pool = _Scored(sums, counts, temperature)
    skills, weights = _python_weights(sums, counts, temperature)
    assert _pool.balanced_skills(pool) == skills
    _pool.reweigh(pool)
    assert pool._weights == weights
