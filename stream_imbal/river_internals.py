"""river's tree internals that the bounded trees and their compiled kernels use, in one place.

river keeps the working parts of its Hoeffding trees and linear models private: modules
outside its API and attributes with a leading underscore. For speed, the bounded trees
(`bounded_tree`), the Gaussian splitter (`gaussian_splitter`), the compiled logistic regression
(`scaled_logistic`) and the compiled kernels (`_hoeffding.pyx`, `_logistic.pyx`) read and write
some of them. Every private river name they import comes from here, and `PRIVATE_ATTRIBUTES` lists
the private attributes they touch, per river class. `missing_internals` checks that list against
the installed river, so a release of river that renames one fails with one clear message at
import (`check_river`), not with an AttributeError deep inside a tree. The list is checked on
river's classes; `tests/test_river_internals.py` also checks it on a tree that has learnt.

Examples
--------
>>> from stream_imbal.river_internals import missing_internals
>>> missing_internals()
[]

"""

from __future__ import annotations

import river
from river import linear_model, stats
from river.forest.adaptive_random_forest import BaseTreeClassifier
from river.tree import HoeffdingTreeClassifier
from river.tree.base import Leaf
from river.tree.nodes.arf_htc_nodes import RandomLeafMajorityClass
from river.tree.nodes.branch import NumericBinaryBranch
from river.tree.nodes.htc_nodes import LeafMajorityClass, LeafNaiveBayes, LeafNaiveBayesAdaptive
from river.tree.split_criterion import InfoGainSplitCriterion
from river.tree.splitter import GaussianSplitter
from river.tree.utils import BranchFactory, do_naive_bayes_prediction

__all__ = [
    "BaseTreeClassifier",
    "BranchFactory",
    "GaussianSplitter",
    "InfoGainSplitCriterion",
    "Leaf",
    "LeafMajorityClass",
    "LeafNaiveBayes",
    "LeafNaiveBayesAdaptive",
    "NumericBinaryBranch",
    "PRIVATE_ATTRIBUTES",
    "RandomLeafMajorityClass",
    "check_river",
    "do_naive_bayes_prediction",
    "missing_internals",
]

#: The river release these internals were read from.
TESTED_RIVER = "0.26"

#: Private attributes used, per river class: methods are checked on the class, fields (set in
#: `__init__` or at the first event) on an instance that has learnt (the test).
PRIVATE_ATTRIBUTES: dict[type, dict[str, tuple[str, ...]]] = {
    HoeffdingTreeClassifier: {
        "methods": ("_attempt_to_split", "_find_leaves", "_enforce_size_limit"),
        "fields": (
            "_root",
            "_train_weight_seen_by_model",
            "_growth_allowed",
            "_n_active_leaves",
            "_n_inactive_leaves",
            "_active_leaf_size_estimate",
            "_inactive_leaf_size_estimate",
            "_size_estimate_overhead_fraction",
            "_max_byte_size",
        ),
    },
    RandomLeafMajorityClass: {
        "methods": ("_sample_features",),
        "fields": ("_last_split_attempt_at", "_disabled_attrs"),
    },
    LeafNaiveBayesAdaptive: {"methods": (), "fields": ("_mc_correct_weight", "_nb_correct_weight")},
    GaussianSplitter: {
        "methods": (),
        "fields": ("_att_dist_per_class", "_min_per_class", "_max_per_class"),
    },
    InfoGainSplitCriterion: {"methods": ("_compute_entropy_dict",), "fields": ()},
    stats.Var: {"methods": (), "fields": ("_S",)},
    stats.Mean: {"methods": (), "fields": ("_mean",)},
    linear_model.LogisticRegression: {"methods": (), "fields": ("_weights",)},
}


def missing_internals(instances: dict[type, object] | None = None) -> list[str]:
    """The private attributes of `PRIVATE_ATTRIBUTES` the installed river lacks: the methods on
    each class, and the fields on `instances` (class -> an instance of it) when given."""
    missing = []
    for cls, names in PRIVATE_ATTRIBUTES.items():
        missing += [f"{cls.__name__}.{m}" for m in names["methods"] if not hasattr(cls, m)]
        instance = (instances or {}).get(cls)
        if instance is not None:
            missing += [f"{cls.__name__}.{f}" for f in names["fields"] if not hasattr(instance, f)]
    return missing


def check_river() -> None:
    """Raise ImportError, naming what is missing, if the installed river lacks a method used."""
    missing = missing_internals()
    if missing:
        raise ImportError(
            f"river {river.__version__} lacks the internals stream-imbal's trees and linear "
            f"models use "
            f"({', '.join(missing)}); they were read from river {TESTED_RIVER}: install "
            f"river=={TESTED_RIVER}.*"
        )
