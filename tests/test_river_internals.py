"""river's private tree internals that the bounded trees use exist on the installed river."""

from __future__ import annotations

import pytest
from river import linear_model, stats
from river.tree import HoeffdingTreeClassifier

from stream_imbal.bounded_tree import BoundedHoeffdingTree
from stream_imbal.classifier import linear_learner
from stream_imbal.ensemble.forest import SubspaceForest
from stream_imbal.river_internals import (
    PRIVATE_ATTRIBUTES,
    GaussianSplitter,
    InfoGainSplitCriterion,
    LeafNaiveBayesAdaptive,
    RandomLeafMajorityClass,
    check_river,
    missing_internals,
)
from tests.streams import gaussian_classes


def _events(n: int, seed: int):
    return gaussian_classes(n, seed, 0.3, {f"f{j}": 1.0 for j in range(6)})


def _learnt_instances() -> dict[type, object]:
    """An instance of each class of `PRIVATE_ATTRIBUTES`, from trees that have split and a
    logistic regression that has learnt."""
    forest, tree = SubspaceForest(seed=1), BoundedHoeffdingTree(grace_period=50)
    linear = linear_learner()
    for x, y in _events(3000, seed=2):
        forest.learn_one(x, y)
        tree.learn_one(x, y)
        linear.learn_one(x, bool(y))
    subspace_leaves = [leaf for t in forest.trees for leaf in t._find_leaves()]
    nba_leaves = tree._find_leaves()
    splitter = next(s for leaf in nba_leaves for s in leaf.splitters.values())
    gaussian = next(iter(splitter._att_dist_per_class.values()))
    return {
        HoeffdingTreeClassifier: tree,
        RandomLeafMajorityClass: next(
            leaf for leaf in subspace_leaves if isinstance(leaf, RandomLeafMajorityClass)
        ),
        LeafNaiveBayesAdaptive: next(
            leaf for leaf in nba_leaves if isinstance(leaf, LeafNaiveBayesAdaptive)
        ),
        GaussianSplitter: splitter,
        InfoGainSplitCriterion: InfoGainSplitCriterion(min_branch_fraction=0.01),
        stats.Var: gaussian._var,
        stats.Mean: gaussian._var.mean,
        linear_model.LogisticRegression: linear["LogisticRegression"],
    }


def test_every_private_attribute_used_exists_on_learnt_trees():
    instances = _learnt_instances()
    assert set(instances) == set(PRIVATE_ATTRIBUTES)
    assert missing_internals(instances) == []


def test_a_river_without_one_of_them_is_refused_at_import_naming_it(monkeypatch):
    monkeypatch.delattr(InfoGainSplitCriterion, "_compute_entropy_dict")
    with pytest.raises(ImportError, match=r"InfoGainSplitCriterion\._compute_entropy_dict"):
        check_river()
