"""The bounded trees predict exactly as river's Hoeffding tree, by a faster path."""

from __future__ import annotations

import random

import pytest
from river import tree

from stream_imbal.bounded_tree import BoundedHoeffdingTree, BoundedSubspaceTree


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
