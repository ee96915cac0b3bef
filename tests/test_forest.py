"""The default's non-linear candidate: a small online random forest."""

from __future__ import annotations

import math
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stream_imbal._hoeffding import DRAWS_IN_C

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.balancing.strategy import poisson
from stream_imbal.ensemble import CandidatePool, SubspaceForest
from tests.streams import xor_classes


def _events(n, seed):
    return xor_classes(n, seed)


@pytest.mark.parametrize(("max_features", "watched"), [(0.5, 5), (0.6, 6), ("sqrt", 3), (0.01, 2)])
def test_each_leaf_watches_its_share_of_the_features(max_features, watched):
    forest = SubspaceForest(max_features=max_features, seed=1)
    for x, y in _events(50, seed=1):
        forest.learn_one(x, y)
    assert len(forest.trees) == forest.n_models == 8
    for tree in forest.trees:
        (leaf,) = tree._root.iter_leaves()
        assert len(leaf.feature_indices) == watched


def test_a_sparse_first_event_does_not_narrow_the_leaves_made_later():
    forest = SubspaceForest(seed=1)
    forest.learn_one({"f0": 0.5, "f1": -0.5}, True)  # 2 of the 10 features
    assert {tree.max_features for tree in forest.trees} == {2}
    for x, y in _events(4_000, seed=2):
        forest.learn_one(x, y)
    watched = {
        len(leaf.feature_indices)
        for tree in forest.trees
        for leaf in tree._root.iter_leaves()
        if leaf.feature_indices
    }
    assert {tree.max_features for tree in forest.trees} == {5} and watched == {5}


@pytest.mark.parametrize(
    ("n_features", "max_features", "sqrt_cap", "watched"),
    [
        (48, 0.5, 2.0, 14),
        (48, 0.5, None, 24),
        (48, 1.0, 1.0, 7),
        (16, 0.5, 2.0, 8),
        (3, 0.5, 0.1, 2),
    ],
)
def test_wide_events_cap_the_watched_features_at_a_multiple_of_their_root(
    n_features, max_features, sqrt_cap, watched
):
    forest = SubspaceForest(max_features=max_features, sqrt_cap=sqrt_cap, seed=1)
    rng = random.Random(0)
    for _ in range(20):
        forest.learn_one({f"f{k}": rng.random() for k in range(n_features)}, rng.random() < 0.5)
    assert {len(leaf.feature_indices) for tree in forest.trees for leaf in tree._find_leaves()} == {
        watched
    }


@pytest.mark.parametrize("max_features", [0, 1.5, "log2", None])
def test_a_bad_share_of_features_is_refused(max_features):
    with pytest.raises(ValueError, match="max_features"):
        SubspaceForest(max_features=max_features)


@pytest.mark.parametrize("sqrt_cap", [0, -1.0, float("nan")])
def test_a_bad_cap_is_refused(sqrt_cap):
    with pytest.raises(ValueError, match="sqrt_cap"):
        SubspaceForest(sqrt_cap=sqrt_cap)


@pytest.mark.parametrize("leaf_prediction", ["naive_bayes", "", None])
def test_a_bad_leaf_prediction_is_refused(leaf_prediction):
    with pytest.raises(ValueError, match="leaf_prediction"):
        SubspaceForest(leaf_prediction=leaf_prediction)


def test_the_same_seed_learns_the_same_forest():
    def run(seed):
        forest = SubspaceForest(seed=seed)
        for x, y in _events(3_000, seed=2):
            forest.learn_one(x, y)
        probe = {f"f{k}": 0.3 for k in range(10)}
        return forest.predict_proba_one(probe), pickle.loads(pickle.dumps(forest))

    (first, restored), (again, _) = run(7), run(7)
    assert first == again
    assert restored.predict_proba_one({f"f{k}": 0.3 for k in range(10)}) == first


def test_the_default_blends_the_linear_model_with_the_forest():
    model = OnlineImbalancedClassifier(seed=3)
    pool = model._prototype
    assert isinstance(pool, CandidatePool)
    assert set(pool.candidates) == {"linear", "forest"}
    assert pool.candidates["forest"].seed == 3


@pytest.mark.parametrize("rate", [0.5, 3.0, 6.0])
def test_the_compiled_poisson_draws_average_their_rate(rate):
    rng = random.Random(0)
    draws = [poisson(rate, rng) for _ in range(20_000)]
    assert abs(sum(draws) / len(draws) - rate) < 0.05 * rate
    assert min(draws) == 0


def _knuth_poisson(rate: float, rng: random.Random) -> int:
    """Knuth's method with `rng.random()`: the draws `poisson` must make."""
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class _OwnDraws(random.Random):
    def random(self) -> float:
        return 0.5 * super().random()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**64),
    rate=st.floats(min_value=0.01, max_value=40.0),
    n=st.integers(min_value=1, max_value=400),
    skip=st.integers(min_value=0, max_value=700),
)
def test_poisson_draws_what_random_random_draws(seed, rate, n, skip):
    """`poisson` reads a `random.Random`'s Mersenne Twister in C: the same draws, and the
    generator left in the same state, as Knuth's method through `Random.random`, across the
    refills of its 624 words and from a state restored mid-way."""
    assert DRAWS_IN_C  # CPython's layout of the generator: the C draws are in use
    ours, theirs = random.Random(seed), random.Random(seed)
    for rng in (ours, theirs):
        for _ in range(skip):
            rng.random()
    ours.setstate(theirs.getstate())
    drawn = [poisson(rate, ours) for _ in range(n)]
    assert drawn == [_knuth_poisson(rate, theirs) for _ in range(n)]
    assert ours.getstate() == theirs.getstate()
    assert ours.random() == theirs.random()
    own = _OwnDraws(seed)  # a subclass's own `random` is called
    assert poisson(rate, own) == _knuth_poisson(rate, _OwnDraws(seed))


def _mean_of_leaf_shares(forest: SubspaceForest, x: dict) -> dict:
    """The forest's prediction as dicts compute it: each tree's leaf's class shares, summed per
    label (equal labels are one), over the sum of all."""
    mean: dict = {}
    for tree in forest.trees:
        stats = tree.leaf_for(x).stats
        total = 0.0
        for count in stats.values():
            total += count
        if total > 0:
            for label, count in stats.items():
                mean[label] = mean.get(label, 0.0) + count / total
    total = 0.0
    for share in mean.values():
        total += share
    return {label: share / total for label, share in mean.items()} if total > 0 else {}


def test_the_forest_predicts_the_mean_of_its_leaves_class_shares():
    """Three classes whose labels arrive as equal strings that are not the same object: the
    trees' counts hold different ones, and the forest's sums treat them as one label."""
    forest = SubspaceForest(n_models=6, seed=3, grace_period=50)
    rng = random.Random(2)
    for _ in range(3_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        y = "".join(["class-", str(int(x["f0"] > 0) + int(x["f1"] > 0.5))])  # a new str each time
        forest.predict_proba_one(x)
        forest.learn_one(x, y, w=rng.choice([1.0, 4.0]))
    leaves = [leaf for tree in forest.trees for leaf in tree._find_leaves()]
    assert len(leaves) > 6 * 3
    assert len({id(label) for leaf in leaves for label in leaf.stats}) > 3  # equal, not one
    n_classes = set()
    for _ in range(500):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        predicted = forest.predict_proba_one(x)
        assert list(predicted.items()) == list(_mean_of_leaf_shares(forest, x).items())
        n_classes.add(len(predicted))
    assert 3 in n_classes


def test_a_value_whose_comparison_empties_the_event_leaves_the_walks_sound():
    """The forest reads an event's items once for all its trees: a value compared by Python
    code that empties the event (freeing its other values) is walked as the event was."""
    rng = random.Random(4)
    forest = SubspaceForest(n_models=4, seed=4, max_features=1.0)
    for _ in range(3_000):
        x = {"a": rng.gauss(0, 1), "b": rng.gauss(0, 1)}
        forest.learn_one(x, x["a"] + x["b"] > 0)
    event: dict = {}

    class Emptying(int):
        def __le__(self, other):
            event.clear()
            return int(self) <= other

    event.update({"a": Emptying(1), "b": 0.5})
    expected = forest.predict_proba_one({"a": 1, "b": 0.5})
    assert forest.predict_proba_one(event) == expected
    assert event == {}


@pytest.mark.parametrize("with_mirrors", [True, False])
def test_a_forest_pickled_with_its_state_as_a_python_dict_loads_and_goes_on(with_mirrors):
    """The forest was a Python class that pickled its `__dict__` (a `NEWOBJ`, then the dict; with
    no mirrors before they existed); its per-event fields are now compiled. Such a pickle, in
    any order of its keys, loads and goes on as the forest that went on."""
    events = list(_events(4_000, seed=3))
    forest = SubspaceForest(n_models=4, seed=2)
    for x, y in events[:2_000]:
        forest.predict_proba_one(x)
        forest.learn_one(x, y)
    state = dict(reversed(forest.__getstate__().items()))
    if not with_mirrors:
        del state["_mirrors"]
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    header = b"\x80\x02cstream_imbal.ensemble.forest\nSubspaceForest\n)\x81"
    loaded = pickle.loads(header + body + b"b.")
    assert "_trees" not in vars(loaded) and loaded._mirrors == []  # C fields
    for x, y in events[2_000:]:
        assert loaded.predict_proba_one(x) == forest.predict_proba_one(x)
        loaded.learn_one(x, y)
        forest.learn_one(x, y)
