"""The bounded trees predict exactly as river's Hoeffding tree, by a faster path, and grow on
imbalanced streams where river's stays a single leaf."""

from __future__ import annotations

import copy
import copyreg
import io
import pickle
import random
import subprocess
import sys
import types

import pytest
from river import tree
from river.tree.splitter import GaussianSplitter
from river.tree.utils import calculate_object_size

from stream_imbal import OnlineImbalancedClassifier, _hoeffding, bounded_tree
from stream_imbal.bounded_tree import BoundedHoeffdingTree, BoundedSubspaceTree
from stream_imbal.ensemble import SubspaceForest
from stream_imbal.gaussian_splitter import LeanGaussian


@pytest.mark.parametrize("leaf_prediction", ["nba", "nb", "mc"])
@pytest.mark.parametrize(
    "make",
    [
        lambda leaf: BoundedHoeffdingTree(leaf_prediction=leaf, max_size=0.05),
        lambda leaf: BoundedSubspaceTree(max_features=2, seed=1, leaf_prediction=leaf),
    ],
    ids=["hoeffding", "subspace"],
)
def test_predictions_equal_rivers_to_the_last_bit(make, leaf_prediction):
    rng = random.Random(0)
    model = make(leaf_prediction)
    assert model.predict_proba_one({"f0": 1.0}) == {}  # nothing learned yet
    compared = 0
    for i in range(12_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        if rng.random() < 0.05:  # a split's feature may be missing
            del x["f0"]
        if i % 5 == 0:
            expected = tree.HoeffdingTreeClassifier.predict_proba_one(model, x)
            assert model.predict_proba_one(x) == expected
            compared += 1
        y = x.get("f0", 0.0) * x["f1"] > 0 or rng.random() < 0.1
        model.learn_one(x, y, w=rng.choice([1.0, 3.5]))
    assert model.n_nodes > 5 and compared == 2_400  # the tree did split: branches were walked


def _with_max_depth(model, depth: int):
    model.max_depth = depth  # river's parameter, which the bounded trees leave at its default
    return model


@pytest.mark.parametrize(
    "make",
    [
        lambda: _with_max_depth(BoundedHoeffdingTree(max_size=0.05), 6),
        lambda: BoundedSubspaceTree(max_features=2, seed=1, max_size=0.05),
        lambda: BoundedSubspaceTree(max_features=2, seed=1, max_size=0.05, leaf_prediction="mc"),
    ],
    ids=["hoeffding", "subspace", "forest-leaves"],
)
def test_trees_learn_as_rivers_learn_one_would(make):
    """The fast path to the leaf grows the very tree river's own `learn_one` grows, whether the
    event was just predicted (learning starts from the leaf the prediction reached), another
    one was, or none."""
    ours, twin = make(), make()
    rng = random.Random(1)
    for _ in range(15_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        if rng.random() < 0.05:  # a split's feature may be missing
            del x["f1"]
        y = x.get("f1", 0.0) * x["f2"] > 0 or rng.random() < 0.1
        w = rng.choice([0.5, 1.0, 7.0])
        before = rng.choice(["this event", "another", "none"])
        if before == "this event":
            ours.predict_proba_one(x)
        elif before == "another":
            ours.predict_proba_one({f"f{k}": rng.gauss(0, 1) for k in range(4)})
        # Learned twice in a row at times: the tree changed since the prediction.
        for _ in range(2 if rng.random() < 0.5 else 1):
            ours.learn_one(x, y, w=w)
            tree.HoeffdingTreeClassifier.learn_one(twin, x, y, w=w)
            twin._calls += 1  # the size check by calls, as `learn_one` runs it
            if twin._calls % twin.memory_estimate_period == 0:
                twin._estimate_model_size()
    assert ours.n_nodes > 9 and ours.n_inactive_leaves > 0  # deep enough, and bounded
    assert (ours.n_nodes, ours.n_active_leaves, ours.n_inactive_leaves) == (
        twin.n_nodes,
        twin.n_active_leaves,
        twin.n_inactive_leaves,
    )
    assert [leaf.stats for leaf in ours._find_leaves()] == [
        leaf.stats for leaf in twin._find_leaves()
    ]
    probe = [{f"f{k}": rng.gauss(0, 1) for k in range(4)} for _ in range(300)]
    assert [ours.predict_proba_one(x) for x in probe] == [twin.predict_proba_one(x) for x in probe]


@pytest.mark.parametrize(
    "make",
    [
        lambda: BoundedHoeffdingTree(grace_period=10),
        lambda: BoundedSubspaceTree(max_features=2, seed=1, grace_period=10),
        lambda: BoundedSubspaceTree(max_features=2, seed=1, grace_period=10, leaf_prediction="mc"),
    ],
    ids=["hoeffding", "subspace", "forest-leaves"],
)
def test_a_prediction_is_not_reused_once_learning_changed_the_tree(make):
    """Each event is predicted, then learned twice (as a resampled event is): the second
    learning starts from the leaf the first reached, but where the first split that leaf, it
    must go down the new branch, as river's `learn_one` does."""
    ours, twin = make(), make()
    rng = random.Random(2)
    for _ in range(3_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(3)}
        y = x["f0"] * x["f1"] > 0
        ours.predict_proba_one(x)
        for w in (rng.choice([1.0, 3.0]), rng.choice([1.0, 3.0])):
            ours.learn_one(x, y, w=w)
            tree.HoeffdingTreeClassifier.learn_one(twin, x, y, w=w)
    assert ours.n_nodes == twin.n_nodes > 20
    assert [leaf.stats for leaf in ours._find_leaves()] == [
        leaf.stats for leaf in twin._find_leaves()
    ]
    ours.predict_proba_one(x)
    restored = pickle.loads(pickle.dumps(ours))  # what a checkpoint keeps: not the last event
    restored.learn_one(x, y)
    tree.HoeffdingTreeClassifier.learn_one(twin, x, y)
    assert [leaf.stats for leaf in restored._find_leaves()] == [
        leaf.stats for leaf in twin._find_leaves()
    ]


def test_the_sampled_size_check_holds_the_tree_to_its_bound():
    """The size check measures a sample of the leaves: the tree, measured whole, stays within
    `max_size` all the same, once the bound is reached (without the check it reaches 0.12)."""
    model = BoundedSubspaceTree(max_features=3, seed=1, max_size=0.1, memory_estimate_period=500)
    rng, sizes = random.Random(3), []
    for i in range(1, 30_001):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(6)}
        y = (x["f0"] * x["f1"] > 0) != (x["f2"] > 1)
        model.learn_one(x, y, w=rng.choice([0.5, 1.0, 12.5]))
        if i % 2_500 == 0:
            sizes.append(_hoeffding.object_size(model) / 2**20)
    assert model.n_inactive_leaves > 10  # the bound was reached, leaves were deactivated
    assert max(sizes) <= model.max_size


def _grown_with_a_binding_limit(n: int = 6_000, seed: int = 4) -> BoundedSubspaceTree:
    model = BoundedSubspaceTree(max_features=3, seed=1, max_size=0.05, memory_estimate_period=500)
    rng = random.Random(seed)
    for _ in range(n):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(6)}
        x["kind"] = rng.choice("abc")  # a nominal feature: its splitter holds other objects
        model.learn_one(x, x["f0"] * x["f1"] > 0, w=rng.choice([0.5, 12.5]))
    return model


class _Plain:
    """An instance of a plain Python class."""


class _RiverLayout:
    """A `LeanGaussian`'s numbers laid out as river's Gaussian without a generator."""

    def __init__(self, seed, var):
        self.seed, self._var = seed, var


def _with_rivers_gaussians(model):
    """A copy of `model` whose splitters hold their Gaussians as river lays them out."""
    copied = copy.deepcopy(model)
    for leaf in copied._find_leaves():
        for splitter in (leaf.splitters or {}).values():
            dists = getattr(splitter, "_att_dist_per_class", {})
            for label, dist in dists.items():
                if isinstance(dist, LeanGaussian):  # (a nominal feature's: counts per value)
                    dists[label] = _RiverLayout(dist.seed, dist._var)
    return copied


def test_a_tree_measures_as_the_same_tree_with_rivers_gaussians():
    model = _grown_with_a_binding_limit()
    rivers = _with_rivers_gaussians(model)
    assert any(
        isinstance(dist, _RiverLayout)
        for leaf in rivers._find_leaves()
        for splitter in (leaf.splitters or {}).values()
        for dist in getattr(splitter, "_att_dist_per_class", {}).values()
    )
    leaves = model._find_leaves()
    assert model.n_inactive_leaves > 0 and len(leaves) > 10
    for part, same in zip([model, *leaves], [rivers, *rivers._find_leaves()], strict=True):
        assert _hoeffding.object_size(part) == _hoeffding.object_size(same)


def test_the_size_measure_is_close_to_rivers():
    """On a tree of river's own objects (its Gaussian splitter): within 10%. river's
    `getsizeof` of a `__dict__` is larger before its class's key sharing settles (early in a
    process, as here), which the measure does not follow."""
    model = BoundedSubspaceTree(max_features=3, seed=1, max_size=0.3, memory_estimate_period=500)
    model.splitter = GaussianSplitter()  # its Gaussians: a random generator each, 2.5 KB
    rng = random.Random(4)
    for _ in range(6_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(6)}
        model.learn_one(x, x["f0"] * x["f1"] > 0, w=rng.choice([0.5, 12.5]))
    leaves = model._find_leaves()
    assert model.n_inactive_leaves > 0 and len(leaves) > 10
    # The tree's compiled fields, as river's class holds them: in its `__dict__`.
    as_rivers = _Plain()
    as_rivers.__dict__.update(model.__getstate__(), _route=model._route)
    assert _hoeffding.object_size(model) == _hoeffding.object_size(as_rivers)
    for part, rivers in [(model, as_rivers), *((leaf, leaf) for leaf in leaves)]:
        assert _hoeffding.object_size(part) == pytest.approx(calculate_object_size(rivers), rel=0.1)


def test_a_tree_measures_the_same_after_a_pickling_or_a_deep_copy():
    """A checkpoint's tree must deactivate the leaves the tree that went on would have."""
    model = _grown_with_a_binding_limit()
    leaves = model._find_leaves()
    for other in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert _hoeffding.object_size(other) == _hoeffding.object_size(model)
        assert [_hoeffding.object_size(leaf) for leaf in other._find_leaves()] == [
            _hoeffding.object_size(leaf) for leaf in leaves
        ]


def test_a_restored_forest_goes_on_as_the_forest_that_was_not_restored():
    """river's `getsizeof` measure made a restored forest deactivate other leaves, and so
    predict otherwise, some thousands of events on (pickle does not keep floats shared)."""
    forest = SubspaceForest(n_models=3, max_size=0.15, seed=1)
    rng = random.Random(5)

    def event():
        x = {f"f{k}": rng.gauss(0, 1) for k in range(6)}
        return x, (x["f0"] * x["f1"] > 0) != (rng.random() < 0.05)

    for _ in range(3_000):
        forest.learn_one(*event())
    restored = pickle.loads(pickle.dumps(forest))
    for _ in range(9_000):
        x, y = event()
        assert restored.predict_proba_one(x) == forest.predict_proba_one(x)
        forest.learn_one(x, y)
        restored.learn_one(x, y)
    assert sum(tree.n_inactive_leaves for tree in forest.trees) > 0  # the limit bound


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1.5, 1.5], 56 + 2 * 8 + 2 * 24),  # a float each time it is held, shared or not
        ({"a": 1.0}, 96 + 8 + 5 * 16 + 50 + 24),  # a dict of string keys, as grown to one item
        ({1: 1.0, 2: 2.0}, 96 + 8 + 5 * 24 + 2 * 24 + 2 * 28),  # other keys: 24-byte entries
        ({0.5: 1.5, 2.5: 1.5}, 96 + 8 + 5 * 24 + 4 * 24),  # float keys and values, each held
        ([{"a": 1.5}, {"a": 1.5}], 56 + 2 * 8 + 2 * (96 + 8 + 5 * 16 + 24) + 50),
        (["ab", "a" + "b"], 56 + 2 * 8 + 51),  # a string once per distinct value, as 3.11 has it
        (["é"], 56 + 8 + 72 + 2 * 1),  # 1, 2 or 4 bytes a character, as 3.11 lays it out
        (set(range(5)), 216 + 16 * 32 + 5 * 28),
        ([10**30], 56 + 8 + 40),  # a big int at each hold, as a float
    ],
)
def test_the_size_measure_charges_each_object_by_its_content(value, expected):
    assert _hoeffding.object_size(value) == expected


def test_the_size_measure_does_not_depend_on_what_the_process_did_before():
    """A `__dict__`'s `getsizeof` depends on its class's key sharing, which settles after the
    process has made some instances: two trees grown alike measure alike, the first included."""
    script = (
        "import random\n"
        "from river.tree.splitter import GaussianSplitter\n"
        "from stream_imbal._hoeffding import object_size\n"
        "from stream_imbal.bounded_tree import BoundedSubspaceTree\n"
        "def grow():\n"
        "    model = BoundedSubspaceTree(max_features=3, seed=1, max_size=0.1, grace_period=50)\n"
        "    model.splitter = GaussianSplitter()\n"
        "    rng = random.Random(3)\n"
        "    for _ in range(4_000):\n"
        "        x = {f'f{k}': rng.gauss(0, 1) for k in range(5)}\n"
        "        model.learn_one(x, x['f0'] * x['f1'] > 0.3, w=rng.choice([0.5, 1.0, 12.0]))\n"
        "    return object_size(model), model.n_inactive_leaves\n"
        "print(grow() == grow())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.stdout.strip() == "True", run.stderr


def _rare_class_stream(n: int, seed: int = 0):
    """Unweighted events, about 1 in 200 of them positive: those with f0 above 0.995."""
    rng = random.Random(seed)
    for _ in range(n):
        x = {f"f{k}": rng.random() for k in range(2)}
        yield x, x["f0"] > 0.995


@pytest.mark.parametrize(
    "make",
    [BoundedHoeffdingTree, lambda: BoundedSubspaceTree(max_features=2, seed=1)],
    ids=["hoeffding", "subspace"],
)
def test_trees_split_leaves_whose_majority_holds_over_99_percent(make):
    rivers, ours = tree.HoeffdingTreeClassifier(), make()
    for x, y in _rare_class_stream(20_000):
        rivers.learn_one(x, y)
        ours.learn_one(x, y)
    assert rivers.n_nodes == 1  # river's max_share_to_split=0.99: the root never splits
    assert ours.n_nodes > 1
    hits = sum(ours.predict_one(x) == y for x, y in _rare_class_stream(2_000, seed=1) if y)
    assert hits >= 5  # the split found the rare class


def _tree_state(model) -> tuple:
    leaves = model._find_leaves()
    return (
        model._n_active_leaves,
        model._n_inactive_leaves,
        len(leaves),
        tuple(leaf.is_active() for leaf in leaves),
    )


@pytest.mark.parametrize("max_share_to_split", [1.0, 0.9])
def test_split_attempts_skipped_as_unchanging_leave_rivers_tree_unchanged(max_share_to_split):
    """Where the compiled check says river's `_attempt_to_split` would change nothing, river's
    own attempt, on a copy, indeed changes nothing; and the check does say so for most leaves."""
    rng = random.Random(3)
    model = BoundedSubspaceTree(
        max_features=3,
        seed=2,
        grace_period=50,
        leaf_prediction="mc",  # the forest's leaves
        max_share_to_split=max_share_to_split,
    )
    model.tau = 0.005  # river's tie-break, low: the merits decide, for longer
    skipped = tried = 0
    for i in range(6_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(5)}
        y = x["f0"] + x["f1"] * x["f2"] > 1.5 or rng.random() < 0.02  # about 1 in 8
        model.learn_one(x, y, w=rng.choice([1.0, 4.0]))
        if i % 250:
            continue
        for index, leaf in enumerate(model._find_leaves()):
            if not leaf.is_active():
                continue
            tried += 1
            if _hoeffding.attempt_may_change(model, leaf):
                continue
            skipped += 1
            copy = pickle.loads(pickle.dumps(model))
            before = _tree_state(copy)
            tree.HoeffdingTreeClassifier._attempt_to_split(
                copy, copy._find_leaves()[index], None, None
            )
            assert _tree_state(copy) == before
    assert tried > 40
    assert skipped > tried / 2


def test_a_leaf_whose_majority_holds_over_max_share_is_left_to_river():
    """river pre-prunes such a leaf, then rebalances the active leaves under the size limit:
    the check leaves all of that to river, whatever the merits of its splits."""
    rng = random.Random(4)
    model = BoundedSubspaceTree(max_features=3, seed=2, grace_period=50, leaf_prediction="mc")
    for _ in range(3_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(5)}
        model.learn_one(x, x["f0"] + x["f1"] * x["f2"] > 1.0, w=rng.choice([1.0, 4.0]))
    leaves = model._find_leaves()
    checked = 0
    for index, leaf in enumerate(leaves):
        if not leaf.is_active() or sum(1 for n in leaf.stats.values() if n) < 2:
            continue
        copy = pickle.loads(pickle.dumps(model))
        copied = copy._find_leaves()[index]
        copy.tau = 0.005  # river's tie-break, low: the merits alone would not split
        assert not _hoeffding.attempt_may_change(copy, copied)
        copy.max_share_to_split = max(leaf.stats.values()) / sum(leaf.stats.values()) - 1e-9
        assert _hoeffding.attempt_may_change(copy, copied)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("seed", [1, 2])
def test_a_walk_along_the_mirror_reaches_rivers_leaf_as_the_tree_grows(seed):
    """`leaf_in` (the forest's walk along a tree's arrays) against the walk along river's nodes,
    before and after every event of a tree's growth (splits, the size limit's deactivations;
    the mirror takes in the splits since its last walk as its walks meet them):
    features missing, integers at and around the cut points, inputs that are not dicts, and
    keys that are one object per name (as a decoder's cache gives) in changing orders, which
    the walk finds where they were in the last event."""
    rng = random.Random(seed)
    model = BoundedSubspaceTree(
        max_features=3, seed=seed, max_size=0.05, memory_estimate_period=300, grace_period=50
    )
    mirror = _hoeffding.TreeMirror(model)
    assert _hoeffding.leaf_in(mirror, {"f0": 1.0}) == (None, None, True)  # no event yet
    probes = [{f"f{k}": rng.gauss(0, 1) for k in range(4)} for _ in range(40)]
    probes += [{f"f{k}": rng.randint(-2, 2) for k in range(4)} for _ in range(10)]
    probes += [{"f0": 0.1, "f2": -0.3}, {}, {"f1": 2, "f3": 0.5, "other": 1.0}]
    names = [f"f{k}" for k in range(4)]
    for order in (names, names[::-1], names[1:], ["other", *names], names[2:] + names[:2]):
        probes += [{name: rng.gauss(0, 1) for name in order} for _ in range(8)]
    splits = 0
    for i in range(4_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        model.learn_one(x, (x["f0"] > 0) != (x["f1"] + x["f2"] > 0.5), w=rng.choice([1.0, 6.0]))
        if i % 20 == 0 or i > 3_900:
            cuts = [b.threshold for b in model._root.iter_branches()] if model.n_branches else []
            at_cuts = [{f"f{k}": cut for k in range(4)} for cut in cuts]  # ties: <= goes left
            for probe in [*probes, *at_cuts, x]:
                parent, leaf, walked = _hoeffding.walk(model._root, probe)
                got = _hoeffding.leaf_in(mirror, probe)
                assert got[0] is parent and got[1] is leaf and got[2] == walked
            assert len(mirror) <= model.n_nodes  # a split node's entry is reused, none is lost
            splits = model.n_branches
        probe = types.MappingProxyType(probes[0])  # not a dict: river's walk
        assert _hoeffding.leaf_in(mirror, probe)[1] is _hoeffding.walk(model._root, probe)[1]
    assert splits >= 10 and model.n_inactive_leaves > 0  # it grew, and met its size limit


def test_a_forest_pickled_to_predict_predicts_as_the_forest_and_weighs_less():
    """The drift alarms' reference copies leave out the majority-class leaves' splitters."""
    events = _gaussian_events(3, 6_000, 6, lambda x: (x["f0"] * x["f1"] > 0.2) != (x["f2"] > 1))
    forest = SubspaceForest(seed=3)
    for x, y in events[:4_000]:
        forest.learn_one(x, y)
    to_predict = bounded_tree.pickle_to_predict(forest)
    full = pickle.dumps(forest, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(to_predict) < 0.8 * len(full)
    copy, whole = pickle.loads(to_predict), pickle.loads(full)
    leaves = [leaf for tree in copy.trees for leaf in tree._root.iter_leaves()]
    assert leaves and all(leaf.splitters == {} for leaf in leaves)
    for x, _ in events[4_000:]:
        assert (
            copy.predict_proba_one(x) == whole.predict_proba_one(x) == forest.predict_proba_one(x)
        )
    for x, y in events[4_000:5_000]:  # the original goes on learning as its full copy does
        forest.learn_one(x, y)
        whole.learn_one(x, y)
    for x, _ in events[5_000:]:
        assert forest.predict_proba_one(x) == whole.predict_proba_one(x)


def test_the_defaults_reference_copy_predicts_as_its_learner():
    events = _gaussian_events(4, 5_000, 5, lambda x: x["f0"] + x["f1"] * x["f2"] > 2.0)
    model = OnlineImbalancedClassifier(seed=4)
    for x, y in events[:4_000]:
        model.learn_one(x, y)
    learner = model._learner
    copy = pickle.loads(bounded_tree.pickle_to_predict(learner))
    for x, _ in events[4_000:]:
        assert copy.predict_proba_one(dict(x)) == learner.predict_proba_one(dict(x))


def _gaussian_events(seed: int, n: int, n_features: int, concept) -> list[tuple[dict, bool]]:
    rng = random.Random(seed)
    xs = [{f"f{k}": rng.gauss(0, 1) for k in range(n_features)} for _ in range(n)]
    return [(x, concept(x)) for x in xs]


def _leaf_states(model) -> list[tuple]:
    return [(leaf.is_active(), dict(leaf.stats)) for leaf in model._root.iter_leaves()]


@pytest.mark.parametrize(
    "make",
    [
        lambda: BoundedHoeffdingTree(grace_period=20, max_size=0.05),
        lambda: BoundedSubspaceTree(max_features=2, seed=3, grace_period=20, max_size=0.01),
    ],
    ids=["hoeffding", "subspace"],
)
def test_the_compiled_size_limit_keeps_and_drops_the_leaves_river_does(make):
    """`enforce_size_limit` against river's own `_enforce_size_limit`, on copies of a tree as it
    grows, at limits that deactivate most leaves, some, or reactivate them; leaves of equal
    promise (pure ones: 0) keep their order; `stop_mem_management` stops the growth instead."""
    model = make()
    rng = random.Random(5)
    compared, changes = 0, set()
    for i in range(6_000):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(4)}
        model.learn_one(x, x["f0"] + x["f1"] * x["f2"] > 0.5, w=rng.choice([1.0, 2.5]))
        if i % 250 or model.n_nodes < 3:
            continue
        leaves = list(model._root.iter_leaves())
        assert _hoeffding.find_leaves(model) == leaves  # the very leaves, in river's order
        size = model._active_leaf_size_estimate * len(leaves)
        for limit in (0.0, size / 4, size / 2, size * 2):
            for stop in (False, True):
                ours, theirs = pickle.loads(pickle.dumps(model)), pickle.loads(pickle.dumps(model))
                for twin in (ours, theirs):
                    twin._max_byte_size, twin.stop_mem_management = limit, stop
                _hoeffding.enforce_size_limit(ours)
                tree.HoeffdingTreeClassifier._enforce_size_limit(theirs)
                assert _leaf_states(ours) == _leaf_states(theirs)
                before = [leaf.is_active() for leaf in leaves]
                after = [leaf.is_active() for leaf in ours._root.iter_leaves()]
                changes |= {
                    "off" if b else "on" for b, a in zip(before, after, strict=True) if a != b
                }
                counters = ("_n_active_leaves", "_n_inactive_leaves", "_growth_allowed")
                assert [getattr(ours, c) for c in counters] == [
                    getattr(theirs, c) for c in counters
                ]
                compared += 1
    assert compared > 100 and changes == {"off", "on"}  # leaves deactivated, and reactivated


def _forest_tree_events(n: int, seed: int) -> list[tuple[dict, bool, float]]:
    rng = random.Random(seed)
    events = []
    for _ in range(n):
        x = {f"f{k}": rng.gauss(0, 1) for k in range(6)}
        events.append((x, x["f0"] * x["f1"] > 0.3, rng.choice([0.5, 12.5])))
    return events


def test_a_tree_pickled_with_rivers_leaves_loads_them_as_subspace_leaves_and_goes_on():
    """A forest's tree pickled before `SubspaceLeaf` holds river's `RandomLeafMajorityClass`:
    loaded, it holds `SubspaceLeaf`s with the same attributes, and learns and predicts as the
    tree that went on."""
    model = BoundedSubspaceTree(
        max_features=3, seed=1, leaf_prediction="mc", max_size=0.05, memory_estimate_period=500
    )
    events = _forest_tree_events(8_000, seed=5)
    for x, y, w in events[:4_000]:
        model.learn_one(x, y, w=w)
    leaves = model._find_leaves()
    assert len(leaves) > 5 and all(type(leaf) is bounded_tree.SubspaceLeaf for leaf in leaves)
    for leaf in leaves:  # measured as river's leaf holding the same attributes
        as_rivers = bounded_tree.RandomLeafMajorityClass.__new__(
            bounded_tree.RandomLeafMajorityClass
        )
        as_rivers.__dict__.update(leaf.__getstate__())
        assert _hoeffding.object_size(leaf) == _hoeffding.object_size(as_rivers)

    def as_rivers_leaf(leaf):  # river's class, its `__dict__` the state
        rivers = (bounded_tree.RandomLeafMajorityClass, object, None)
        return copyreg._reconstructor, rivers, leaf.__getstate__()

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table | {bounded_tree.SubspaceLeaf: as_rivers_leaf}
    pickler.dump(model)
    assert b"RandomLeafMajorityClass" in buffer.getvalue()
    former = pickle.loads(buffer.getvalue())
    assert [type(leaf) for leaf in former._find_leaves()] == [type(leaf) for leaf in leaves]
    for x, y, w in events[4_000:]:
        assert former.predict_proba_one(x) == model.predict_proba_one(x)
        former.learn_one(x, y, w=w)
        model.learn_one(x, y, w=w)
    assert pickle.dumps(former) == pickle.dumps(model)
