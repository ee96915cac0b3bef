"""A small online random forest: the default's non-linear candidate."""

from __future__ import annotations

import math
import random

from river import base
from river.tree import HoeffdingTreeClassifier

from stream_imbal import _hoeffding
from stream_imbal.bounded_tree import BoundedSubspaceTree

__all__ = ["SubspaceForest"]


class SubspaceForest(_hoeffding.ForestFields, base.Classifier):
    """Online bagging of Hoeffding trees that each split on random subsets of the features.

    Each tree is a `BoundedSubspaceTree` whose leaves watch `max_features` of the d features
    (half of them by default, but at most `sqrt_cap` times sqrt(d), at least 2, or d when
    d < 2), d being the most features an event has had so far: a wider event raises the count
    for the leaves made after it. The cap only acts on wide events (d > 16 by default): a leaf's
    learning and split attempts cost in proportion to the features it watches, and on wide
    tables 2 sqrt(d) features rank and classify as well as d / 2 (docs/approach.md). Every tree
    learns each event with its weight times k, k ~ Poisson(`lambda_value`), as in Adaptive
    Random Forest (Gomes et al. 2017), whose value of 6 we keep: the larger weights also make
    the trees split sooner. The forest predicts the mean of its trees' probabilities. Its leaves
    predict their class shares by default ("mc"): averaged over the trees, those rank events as
    well as naive Bayes leaves on deep trees, and cost nothing while learning, where river's
    adaptive naive Bayes leaves ("nba") predict both ways at every event.

    The per-event work (the draws, the trees' walks and learning, the mean) is compiled
    (`stream_imbal._hoeffding`); the trees keep river's nodes, which is what a forest pickles.

    Unlike ARF there is no drift detector per tree: inside `OnlineImbalancedClassifier` the
    forest is one learner, which the classifier's drift policy watches and replaces as a whole.
    `max_size` bounds the whole forest (each tree gets an equal share), so its memory stays flat
    however long the stream. The trees' Gaussians carry no random generator of their own
    (`LeanGaussian`, three C doubles), which is most of what river's leaves weigh, so the bound
    holds many more active leaves.

    Parameters
    ----------
    n_models
        Number of trees.
    max_features
        Features each leaf watches: a share of the d features in (0, 1] (rounded up), or
        "sqrt" for round(sqrt(d)).
    sqrt_cap
        Most features each leaf watches, as a multiple of sqrt(d) (rounded); None for no cap.
    lambda_value
        Mean of the Poisson multiple of each event's weight, per tree.
    max_size
        Largest size of the forest, in MiB, as its trees' size checks measure it
        (`stream_imbal._hoeffding.object_size`: river's estimate, from the trees' content alone).
    grace_period
        Weight a leaf learns between two split attempts.
    leaf_prediction
        How leaves predict, as in river's Hoeffding trees: "mc" (class shares), "nb" (naive
        Bayes) or "nba" (whichever has been right more often at that leaf).
    seed
        Seed of the Poisson draws and of the trees' feature draws.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.ensemble import SubspaceForest
    >>> rng = random.Random(0)
    >>> forest = SubspaceForest(seed=1)
    >>> hits = 0
    >>> for i in range(6_000):  # XOR of two of four features
    ...     x = {f"f{k}": rng.uniform(-1, 1) for k in range(4)}
    ...     y = (x["f0"] > 0) != (x["f1"] > 0)
    ...     hits += i >= 5_000 and forest.predict_one(x) == y
    ...     forest.learn_one(x, y)
    >>> hits > 900
    True

    """

    def __init__(
        self,
        n_models: int = 8,
        max_features: float | str = 0.5,
        sqrt_cap: float | None = 2.0,
        lambda_value: float = 6.0,
        max_size: float = 1.7,
        grace_period: int = 200,
        leaf_prediction: str = "mc",
        seed: int | None = None,
    ):
        if n_models < 1 or lambda_value <= 0 or max_size <= 0:
            raise ValueError("n_models must be >= 1, lambda_value and max_size > 0")
        if max_features != "sqrt" and not (
            isinstance(max_features, float | int) and 0 < max_features <= 1
        ):
            raise ValueError(f'max_features must be in (0, 1] or "sqrt", got {max_features!r}')
        if sqrt_cap is not None and not sqrt_cap > 0:
            raise ValueError(f"sqrt_cap must be > 0 or None, got {sqrt_cap!r}")
        # river would print a warning and fall back to "nba", and only when the first event plants
        # the trees: refuse a bad value here instead.
        valid = HoeffdingTreeClassifier._VALID_LEAF_PREDICTION
        if leaf_prediction not in valid:
            raise ValueError(f"leaf_prediction must be one of {valid}, got {leaf_prediction!r}")
        self.n_models = n_models
        self.max_features = max_features
        self.sqrt_cap = sqrt_cap
        self.lambda_value = lambda_value
        self.max_size = max_size
        self.grace_period = grace_period
        self.leaf_prediction = leaf_prediction
        self.seed = seed
        self._rng = random.Random(seed)
        self._trees: list[BoundedSubspaceTree] = []
        self._mirrors: list = []  # each tree's `_hoeffding.TreeMirror`, made by the walks
        self._n_features = 0  # the most features an event had

    @classmethod
    def _unit_test_params(cls):
        yield {"n_models": 3, "max_size": 0.2, "seed": 1}

    @property
    def _multiclass(self) -> bool:  # type: ignore[override]
        return True

    @property
    def trees(self) -> list[BoundedSubspaceTree]:
        """The trees (none before the first event)."""
        return list(self._trees)

    def _widen(self, n_features: int) -> None:
        """An event with `n_features`, more than any before (`learn_one`): the trees watch a
        share of those from the leaves they make next (all of them, for the first event)."""
        self._n_features = n_features
        if not self._trees:
            self._plant()
        watched = self._watched()
        for tree in self._trees:
            tree.max_features = watched

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_mirrors"] = []  # made again by the walks, from the trees
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if self._mirrors is None:  # (forests pickled before mirrors)
            self._mirrors = []

    def _watched(self) -> int:
        n_features = self._n_features
        if self.max_features == "sqrt":
            watched = round(math.sqrt(n_features))
        else:
            watched = math.ceil(self.max_features * n_features)
        if self.sqrt_cap is not None:
            watched = min(watched, round(self.sqrt_cap * math.sqrt(n_features)))
        return max(min(2, n_features), watched)

    def _plant(self) -> None:
        self._trees = [
            BoundedSubspaceTree(
                max_features=self._watched(),
                seed=self._rng.getrandbits(32),
                max_size=self.max_size / self.n_models,
                grace_period=self.grace_period,
                leaf_prediction=self.leaf_prediction,
            )
            for _ in range(self.n_models)
        ]
