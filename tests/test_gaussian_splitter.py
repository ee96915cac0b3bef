"""The fast Gaussian splitter keeps river's statistics and makes river's split suggestions, to
the last bit, and trees grown with it are river's trees; its Gaussians are lighter than
river's, so a size limit holds more of its leaves."""

from __future__ import annotations

import copy
import math
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from river import tree
from river.proba import Gaussian
from river.tree.split_criterion import GiniSplitCriterion, InfoGainSplitCriterion
from river.tree.splitter import GaussianSplitter

from stream_imbal import _hoeffding
from stream_imbal.bounded_tree import BoundedSubspaceTree
from stream_imbal.gaussian_splitter import FastGaussianSplitter, LeanGaussian


def _state(splitter) -> list:
    return [
        (label, dist._var.mean.n, dist._var.mean._mean, dist._var._S)
        for label, dist in splitter._att_dist_per_class.items()
    ] + [splitter._min_per_class, splitter._max_per_class]


def _suggestion(splitter, criterion, counts):
    best = splitter.best_evaluated_split_suggestion(criterion, counts, "f", True)
    return best.merit, best.feature, best.split_info, best.children_stats


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "criterion",
    [
        InfoGainSplitCriterion(min_branch_fraction=0.01),
        GiniSplitCriterion(min_branch_fraction=0.01),
    ],
    ids=["info-gain", "gini"],
)
def test_statistics_and_suggestions_equal_rivers(n_classes, criterion):
    rng = random.Random(n_classes)
    fast, own = FastGaussianSplitter(n_splits=7), GaussianSplitter(n_splits=7)
    counts: dict = {}
    compared = 0
    for i in range(3_000):
        y = rng.randrange(n_classes) if rng.random() < 0.3 else 0
        # A class whose values never vary (deviation 0), missing values, heavy weights.
        x = 2.5 if y == n_classes - 1 and n_classes == 3 else rng.gauss(y, 1.0 + y)
        x = None if rng.random() < 0.02 else x
        w = rng.choice([0.5, 1.0, 6.0, 60.0])
        counts[y] = counts.get(y, 0.0) + w
        fast.update(x, y, w)
        own.update(x, y, w)
        if i % 50 == 0 or i < 5:
            assert _state(fast) == _state(own)
            assert _suggestion(fast, criterion, counts) == _suggestion(own, criterion, counts)
            compared += 1
    assert compared == 64 and _suggestion(fast, criterion, counts)[0] > 0


def test_a_splitter_with_one_value_or_none_suggests_no_split():
    empty, single = FastGaussianSplitter(), FastGaussianSplitter()
    single.update(1.0, True, 1.0)
    criterion = InfoGainSplitCriterion(0.01)
    for splitter in (empty, single):
        assert splitter.best_evaluated_split_suggestion(
            criterion, {True: 1.0}, "f", True
        ).merit == float("-inf")


def test_clone_is_a_fresh_splitter_with_the_same_cut_count():
    splitter = FastGaussianSplitter(n_splits=4)
    splitter.update(1.0, True, 1.0)
    twin = splitter.clone()
    assert type(twin) is FastGaussianSplitter and twin.n_splits == 4
    assert twin._att_dist_per_class == {}
    assert splitter.clone({"n_splits": 9}).n_splits == 9


def _grow_twins(max_size: float, n: int = 12_000):
    ours = BoundedSubspaceTree(max_features=3, seed=1, max_size=max_size, grace_period=50)
    twin = BoundedSubspaceTree(max_features=3, seed=1, max_size=max_size, grace_period=50)
    twin.splitter = GaussianSplitter()
    assert type(ours.splitter) is FastGaussianSplitter
    rng = random.Random(3)
    for _ in range(n):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(5)}
        y = x["f0"] * x["f1"] > 0.3 or rng.random() < 0.05
        w = rng.choice([0.5, 1.0, 12.0])
        ours.learn_one(x, y, w=w)
        twin.learn_one(x, y, w=w)
    return ours, twin, rng


def test_a_tree_grown_with_it_is_the_tree_rivers_splitter_grows():
    ours, twin, rng = _grow_twins(max_size=100.0)
    assert ours.n_nodes == twin.n_nodes > 9
    assert [leaf.stats for leaf in ours._find_leaves()] == [
        leaf.stats for leaf in twin._find_leaves()
    ]
    probe = [{f"f{k}": rng.gauss(0, 1) for k in range(5)} for _ in range(300)]
    assert [ours.predict_proba_one(x) for x in probe] == [
        tree.HoeffdingTreeClassifier.predict_proba_one(twin, x) for x in probe
    ]
    assert len(pickle.dumps(ours)) < 0.5 * len(pickle.dumps(twin))  # the same tree, lighter


def test_its_leaves_are_lighter_so_a_size_limit_holds_more_of_them():
    ours, twin, _ = _grow_twins(max_size=0.1)
    assert twin.n_inactive_leaves > 0  # the limit binds
    assert ours._active_leaf_size_estimate < 0.6 * twin._active_leaf_size_estimate
    # (How many of them stay active at the end depends on how many inactive ones each made.)
    assert ours.n_leaves > 1.5 * twin.n_leaves


_values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False), st.integers(-(10**6), 10**6), st.just(0.0)
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_values, st.sampled_from([0.5, 1.0, 4.0, 12.5, 1])), max_size=40),
    st.integers(0, 3),
    st.lists(_values, min_size=1, max_size=4),
)
def test_lean_gaussian_computes_what_rivers_gaussian_does(updates, reverts, probes):
    lean, river_own = LeanGaussian(), Gaussian()
    for x, w in updates:
        lean.update(x, w)
        river_own.update(x, w)
    for x, w in updates[-reverts:] if reverts else []:
        lean.revert(x, w)
        river_own.revert(x, w)
    # A variance below 0 (reverts' rounding): river's sigma is a complex number, its cdf fails.
    real = not isinstance(river_own.sigma, complex)
    for g in (lean, pickle.loads(pickle.dumps(lean)), copy.deepcopy(lean)):
        assert (g.n_samples, g.mu, g.mode) == (river_own.n_samples, river_own.mu, river_own.mode)
        assert _same(g.sigma, river_own.sigma) if real else math.isnan(g.sigma)
        assert repr(g) == repr(river_own) or not real
        for x in probes:
            assert _same(g(x), river_own(x))
            assert _same(g.log_pdf(x), river_own.log_pdf(x))
            assert _same(g.cdf(x), river_own.cdf(x)) if real else math.isnan(g.cdf(x))


def _same(a, b) -> bool:
    return a == b or (a != a and b != b)


def test_lean_gaussian_samples_as_rivers_from_one_generator_made_when_first_needed():
    seeded = LeanGaussian(seed=1), Gaussian(seed=1)
    assert len(pickle.dumps(seeded[0])) < 200  # no generator yet
    for g in seeded:
        g.update(0.0)
        g.update(2.0)
    assert [seeded[0].sample() for _ in range(3)] == [seeded[1].sample() for _ in range(3)]
    restored = pickle.loads(pickle.dumps(seeded[0]))  # the generator goes on where it was
    assert [restored.sample() for _ in range(3)] == [seeded[1].sample() for _ in range(3)]
    made = LeanGaussian._from_state(4, 1.5, 2.0, ddof=1)
    river_made = Gaussian._from_state(4, 1.5, 2.0, ddof=1)
    assert (made.mu, made.sigma, made(1.0)) == (river_made.mu, river_made.sigma, river_made(1.0))


def _former_pickle(var) -> bytes:
    """The pickle the former Python `LeanGaussian` (river's Gaussian without a generator, `var`
    its `stats.Var`) made: its class, a `NEWOBJ`, then its `__dict__` and a `BUILD`."""
    state = pickle.dumps({"seed": None, "_var": var}, protocol=2)[2:-1]  # no header, no STOP
    return b"\x80\x02cstream_imbal.gaussian_splitter\nLeanGaussian\n)\x81" + state + b"b."


def test_a_pickle_of_the_former_python_lean_gaussian_loads_with_its_numbers():
    river_own = Gaussian()
    for x in (1.0, 2.5, 7.0):
        river_own.update(x, 3.0)
    loaded = pickle.loads(_former_pickle(river_own._var))
    assert type(loaded) is LeanGaussian
    assert (loaded.n_samples, loaded.mu, loaded.sigma) == (
        river_own.n_samples,
        river_own.mu,
        river_own.sigma,
    )
    loaded.update(4.0)
    river_own.update(4.0)
    assert (loaded.mu, loaded.sigma) == (river_own.mu, river_own.sigma)


def _grown_splitter() -> FastGaussianSplitter:
    splitter, rng = FastGaussianSplitter(), random.Random(3)
    for _ in range(200):
        y = rng.random() < 0.3
        splitter.update(rng.gauss(1.0 if y else 0.0, 1.0), y, rng.choice([0.5, 4.0]))
    return splitter


def test_a_splitter_pickled_before_its_fields_were_compiled_loads_and_learns_on():
    """The former Python splitter pickled its `__dict__`: its class, a `NEWOBJ`, the dict."""
    grown = _grown_splitter()
    state = pickle.dumps(grown.__getstate__(), protocol=2)[2:-1]  # no header, no STOP
    former = b"\x80\x02cstream_imbal.gaussian_splitter\nFastGaussianSplitter\n)\x81" + state
    loaded = pickle.loads(former + b"b.")
    assert type(loaded) is FastGaussianSplitter and "_min_per_class" not in vars(loaded)
    for splitter in (loaded, grown):
        splitter.update(5.0, True, 2.0)
    assert pickle.dumps(loaded) == pickle.dumps(grown)
    assert loaded._max_per_class[True] == 5.0


def test_a_splitter_measures_as_rivers_class_holding_the_same_attributes():
    """Its compiled fields are charged as river's `__dict__` would hold them."""
    grown = _grown_splitter()

    class Plain:
        pass

    as_rivers = Plain()
    as_rivers.__dict__.update(grown.__getstate__())
    assert list(vars(as_rivers)) == [
        "_min_per_class",
        "_max_per_class",
        "_att_dist_per_class",
        "n_splits",
    ]
    assert _hoeffding.object_size(grown) == _hoeffding.object_size(as_rivers)


def test_lean_gaussian_densities_equal_rivers_on_many_points():
    """A last-bit difference is rare (`d * d` for `d ** 2` changed 6 log-densities in 120,000):
    many Gaussians and points, each compared."""
    rng, differing = random.Random(1), 0
    for _ in range(2_000):
        lean, river_own = LeanGaussian(), Gaussian()
        for _ in range(rng.randint(2, 20)):
            x, w = rng.uniform(-1e3, 1e3), rng.choice([0.5, 1.0, 3.0])
            lean.update(x, w)
            river_own.update(x, w)
        for _ in range(20):
            x = rng.choice([rng.uniform(-2e3, 2e3), rng.randint(-2000, 2000)])
            differing += lean.log_pdf(x) != river_own.log_pdf(x)
            differing += lean(x) != river_own(x)
            differing += lean.cdf(x) != river_own.cdf(x)
    assert differing == 0
