"""Hoeffding trees whose memory limit holds when they learn weighted events."""

from __future__ import annotations

import copyreg
import functools
import io
import math
import pickle
import random

from river import tree

from stream_imbal import _hoeffding
from stream_imbal.gaussian_splitter import FastGaussianSplitter
from stream_imbal.river_internals import (
    BaseTreeClassifier,
    LeafMajorityClass,
    LeafNaiveBayes,
    LeafNaiveBayesAdaptive,
    RandomLeafMajorityClass,
    check_river,
    do_naive_bayes_prediction,
)

check_river()

__all__ = ["BoundedHoeffdingTree", "BoundedSubspaceTree", "SubspaceLeaf", "pickle_to_predict"]


class _SizeCheckedPerCall(_hoeffding.TreeFields):
    """Checks the tree's size every `memory_estimate_period` calls of `learn_one` (see below),
    and learns and predicts as river does without its recursive walk (a generator per level, most
    of the cost of a deep tree's prediction) and deep copy: the walk and the learning at a leaf
    are compiled (`stream_imbal._hoeffding`), on river's nodes and leaves.

    A prediction or a learning call remembers the leaf it reached (and its parent) for its event:
    learning that same dict next, with no split since, starts from that leaf instead of walking
    again.

    A size check measures a sample of the leaves rather than all of them (`_estimate_model_size`).
    """

    #: Leaves of each kind (active, inactive) measured at a size check.
    LEAVES_MEASURED = 8

    _n_active_leaves: int
    _n_inactive_leaves: int
    _active_leaf_size_estimate: float
    _inactive_leaf_size_estimate: float
    _size_estimate_overhead_fraction: float
    _max_byte_size: float
    classes: set
    nb_threshold: int

    def predict_proba_one(self, x):
        proba = dict.fromkeys(sorted(self.classes), 0.0)
        leaf = self.leaf_for(x)
        if leaf is not None:
            proba.update(self._leaf_proba(leaf, x))
        return proba

    def leaf_for(self, x: dict):
        """The leaf that predicts `x` (None before the first event), remembered for learning it.

        Where a split's feature is missing from `x`, the walk takes the busiest branch, as
        river's prediction does.
        """
        return _hoeffding.leaf_for(self, x)

    def _leaf_proba(self, leaf, x) -> dict:
        """The leaf's prediction, by river's rules for its kind of leaf."""
        rule = _leaf_rule(type(leaf))
        if rule == "nba":
            naive_bayes = leaf._nb_correct_weight >= leaf._mc_correct_weight
        else:
            naive_bayes = rule == "nb" and leaf.total_weight >= self.nb_threshold
        if naive_bayes and leaf.is_active():
            return do_naive_bayes_prediction(x, leaf.stats, leaf.splitters)
        total = sum(leaf.stats.values())
        if not total or math.isnan(total):
            return dict(leaf.stats)
        scale = 1 / total  # as river scales, to the last bit
        return {label: n * scale for label, n in leaf.stats.items()}

    def learn_one(self, x, y, *, w=1.0):
        _hoeffding.learn_one(self, x, y, w)

    def _learn_from_root(self, x, y, w: float) -> None:
        """River's own learning, from a walk from the root: for the first event, and for an
        event that misses a split's feature or brings a new category."""
        super().learn_one(x, y, w=w)  # type: ignore[misc]

    def _find_leaves(self) -> list:
        return _hoeffding.find_leaves(self)

    def _enforce_size_limit(self) -> None:
        _hoeffding.enforce_size_limit(self)

    def _estimate_model_size(self) -> None:
        """River's size check (Kirkby 2007), at about half its cost.

        River measures every leaf, to estimate the size of an active and of an inactive leaf,
        then the whole tree, whose size over the leaves' estimate is the overhead fraction
        (branches and the tree's own fields); past `max_size` it deactivates the least promising
        leaves. Measuring is much of a deep tree's learning time, and the whole tree holds every
        leaf again, so here the leaf estimates come from at most `LEAVES_MEASURED` leaves of
        each kind, spread over the tree; and the measure (`stream_imbal._hoeffding.object_size`,
        compiled) charges each object what a fresh one of its content takes, where river's
        `sys.getsizeof` depends on the objects' history: so a tree restored from a checkpoint,
        or grown in another process, deactivates the leaves this one would.
        """
        leaves = self._find_leaves()
        for active, field in (
            (True, "_active_leaf_size_estimate"),
            (False, "_inactive_leaf_size_estimate"),
        ):
            kind = [leaf for leaf in leaves if leaf.is_active() is active]
            if kind:
                sample = kind[:: -(-len(kind) // self.LEAVES_MEASURED)]
                setattr(self, field, sum(map(_hoeffding.object_size, sample)) / len(sample))
        estimated = (
            self._n_active_leaves * self._active_leaf_size_estimate
            + self._n_inactive_leaves * self._inactive_leaf_size_estimate
        )
        size = _hoeffding.object_size(self)
        if estimated:
            self._size_estimate_overhead_fraction = size / estimated
        if size > self._max_byte_size:
            self._enforce_size_limit()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        del state["_route"]  # keyed by the event's identity
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._route = _hoeffding.Route()  # (trees pickled before routes existed get one too)


@functools.cache
def _leaf_rule(leaf_type: type) -> str:
    """How river's leaves of this type predict: "nba", "nb" or "mc" (an ABC check, done once)."""
    if issubclass(leaf_type, LeafNaiveBayesAdaptive):
        return "nba"
    return "nb" if issubclass(leaf_type, LeafNaiveBayes) else "mc"


class BoundedHoeffdingTree(_SizeCheckedPerCall, tree.HoeffdingTreeClassifier):
    """river's `HoeffdingTreeClassifier`, with its size checked every `memory_estimate_period`
    learning calls and leaves that may split whatever their class shares.

    Two departures from river's defaults, both for imbalanced streams:

    - river measures the tree and enforces `max_size` (MiB) when the *weight* it has learned is a
      multiple of `memory_estimate_period`. Balancing gives events fractional weights (0.5, 12.5,
      ...), so that sum is almost never a whole multiple and the tree grows without bound: on a
      stationary stream its pickled size grows about linearly with the events. Here the check
      runs every `memory_estimate_period` calls of `learn_one`, whatever their weights. Past the
      limit, river deactivates the least promising leaves (they keep predicting from their
      class counts, but drop the per-feature statistics that split them), as in Kirkby (2007).
    - river does not try to split a leaf whose majority class holds more than
      `max_share_to_split` of its weight (0.99 by default), and each such leaf loses its
      per-feature statistics at every attempt (the null split wins, the leaf is deactivated and
      at once reactivated, empty). On a 1:200 stream a tree then never grows past its root. MOA's
      Hoeffding tree has no such rule; here `max_share_to_split` is 1.0, so a leaf may split
      whatever its class shares, as in MOA.

    It learns and predicts as river's tree does, only faster (see `tests/test_bounded_tree.py`);
    its splitters are `FastGaussianSplitter`s, river's Gaussian splitter computed inline.
    Learning the dict it has just predicted starts from the leaf that prediction reached: do not
    mutate the dict in between.

    Parameters
    ----------
    max_size
        Largest size of the tree, in MiB, as river estimates it with the measure
        `stream_imbal._hoeffding.object_size` (from the tree's content alone).
    memory_estimate_period
        Learning calls between two size checks.
    max_share_to_split
        Largest share of the majority class in a leaf that may still split (1.0: any leaf).
    grace_period, delta, leaf_prediction
        As in `river.tree.HoeffdingTreeClassifier` (its other parameters keep their defaults).

    Examples
    --------
    >>> import pickle
    >>> import random
    >>> from stream_imbal.bounded_tree import BoundedHoeffdingTree
    >>> rng = random.Random(0)
    >>> model = BoundedHoeffdingTree(max_size=0.2, memory_estimate_period=1000)
    >>> sizes = []
    >>> for i in range(1, 60_001):
    ...     x = {f"f{k}": rng.gauss(0, 1) for k in range(5)}
    ...     model.learn_one(x, x["f0"] * x["f1"] > 0, w=rng.choice([0.5, 12.5]))
    ...     if i in (20_000, 60_000):
    ...         sizes.append(len(pickle.dumps(model)))
    >>> sizes[1] < 1.5 * sizes[0]
    True

    """

    def __init__(
        self,
        max_size: float = 0.5,
        memory_estimate_period: int = 2000,
        max_share_to_split: float = 1.0,
        grace_period: int = 200,
        delta: float = 1e-7,
        leaf_prediction: str = "nba",
    ):
        super().__init__(
            grace_period=grace_period,
            delta=delta,
            leaf_prediction=leaf_prediction,
            max_size=max_size,
            memory_estimate_period=memory_estimate_period,
            max_share_to_split=max_share_to_split,
            splitter=FastGaussianSplitter(),
        )
        self._calls = 0
        self._route = _hoeffding.Route()

    @classmethod
    def _unit_test_params(cls):
        yield {"max_size": 0.1, "memory_estimate_period": 100}


class BoundedSubspaceTree(_SizeCheckedPerCall, BaseTreeClassifier):
    """A `BoundedHoeffdingTree` whose every leaf watches, and may split on, only `max_features`
    features drawn at random when the leaf is made: the tree of an adaptive random forest
    (Gomes et al. 2017), river's `forest.ARFClassifier` member, with the two changes above.

    Parameters
    ----------
    max_features
        Features each leaf watches (all of them when an event has fewer).
    seed
        Seed of the draws of features.
    max_size, memory_estimate_period, max_share_to_split, grace_period, delta, leaf_prediction
        As in `BoundedHoeffdingTree`.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.bounded_tree import BoundedSubspaceTree
    >>> rng = random.Random(0)
    >>> model = BoundedSubspaceTree(max_features=2, seed=1)
    >>> for _ in range(3_000):
    ...     x = {f"f{k}": rng.uniform(-1, 1) for k in range(4)}
    ...     model.learn_one(x, x["f0"] + x["f1"] > 0)
    >>> model.n_active_leaves > 1
    True

    """

    def __init__(
        self,
        max_features: int = 2,
        seed: int | None = None,
        max_size: float = 0.5,
        memory_estimate_period: int = 2000,
        max_share_to_split: float = 1.0,
        grace_period: int = 200,
        delta: float = 1e-7,
        leaf_prediction: str = "nba",
    ):
        super().__init__(
            max_features=max_features,
            rng=random.Random(seed),
            grace_period=grace_period,
            delta=delta,
            leaf_prediction=leaf_prediction,
            max_size=max_size,
            memory_estimate_period=memory_estimate_period,
            max_share_to_split=max_share_to_split,
            splitter=FastGaussianSplitter(),
        )
        self.seed = seed
        self._calls = 0
        self._route = _hoeffding.Route()

    @classmethod
    def _unit_test_params(cls):
        yield {"max_features": 2, "seed": 1, "max_size": 0.1, "memory_estimate_period": 100}

    def _new_leaf(self, initial_stats=None, parent=None):
        if self._leaf_prediction != self._MAJORITY_CLASS:
            return super()._new_leaf(initial_stats, parent)
        depth = 0 if parent is None else parent.depth + 1  # as river's tree makes its leaf
        stats = {} if initial_stats is None else initial_stats
        return SubspaceLeaf(stats, depth, self.splitter, self.max_features, self.rng)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        # A tree pickled before `SubspaceLeaf` holds river's own leaves: the same attributes.
        pending = [(None, 0)]  # (branch, slot of a child); None: the root
        while pending:
            branch, slot = pending.pop()
            node = self._root if branch is None else branch.children[slot]
            if type(node) is RandomLeafMajorityClass:
                node, river_leaf = SubspaceLeaf.__new__(SubspaceLeaf), node
                node.__setstate__(vars(river_leaf))
                if branch is None:
                    self._root = node
                else:
                    branch.children[slot] = node
            pending.extend((node, i) for i in range(len(getattr(node, "children", ()))))


class SubspaceLeaf(_hoeffding.LeafFields, RandomLeafMajorityClass):
    """river's `RandomLeafMajorityClass`, the leaf of a `BoundedSubspaceTree` that predicts its
    majority class (the default forest's), with its attributes as C fields: the compiled
    learning (`stream_imbal._hoeffding`) reads them without a lookup by name. It pickles and
    measures as river's leaf."""


def pickle_to_predict(model: object) -> bytes:
    """A pickle of `model` that predicts as it does but is not to learn: its majority-class
    leaves (those of a tree with `leaf_prediction="mc"`, the default forest's) are pickled
    without their splitters, the per-feature statistics that only their learning reads and
    most of what a forest pickles. For a copy kept only to predict, as the drift alarms'
    reference copies are (`OnlineImbalancedClassifier`)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TO_PREDICT
    pickler.dump(model)
    return buffer.getvalue()


def _leaf_to_predict(leaf: LeafMajorityClass) -> tuple:
    state = dict(leaf.__getstate__())
    state["splitters"] = {}  # still active: it predicts from its class counts alone
    return copyreg.__newobj__, (type(leaf),), state


_TO_PREDICT = copyreg.dispatch_table | {
    LeafMajorityClass: _leaf_to_predict,
    RandomLeafMajorityClass: _leaf_to_predict,
    SubspaceLeaf: _leaf_to_predict,
}
