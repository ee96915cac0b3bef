"""river's own conformance checks on the classifier, in several configurations, and on every
component added to the default and the benchmark: one place for all of them."""

from __future__ import annotations

import pytest
from river import checks, linear_model, tree

from benchmarks.harness.windowed_refit import WindowedRefitClassifier
from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.balancing import Resample
from stream_imbal.bounded_tree import BoundedHoeffdingTree, BoundedSubspaceTree
from stream_imbal.drift import DriftPolicy
from stream_imbal.ensemble import CandidatePool, OOBClassifier, SubspaceForest, UOBClassifier
from stream_imbal.labels import BinaryLabels
from stream_imbal.preprocessing import ClippedStandardScaler
from stream_imbal.priors import SlidingWindowPrior
from stream_imbal.scaled_logistic import ScaledLogisticRegression
from stream_imbal.small_steps import SmallSteps
from stream_imbal.threshold import ThresholdCalibrator

#: Components checked with each of their `_unit_test_params`.
COMPONENTS = (
    BoundedHoeffdingTree,
    BoundedSubspaceTree,
    CandidatePool,
    ClippedStandardScaler,
    OOBClassifier,
    ScaledLogisticRegression,
    SmallSteps,
    SubspaceForest,
    UOBClassifier,
    WindowedRefitClassifier,
)
#: Configurations of the classifier checked as they are.
CONFIGURATIONS = {
    "default": OnlineImbalancedClassifier(seed=42),
    "tree-resample": OnlineImbalancedClassifier(
        learner=tree.HoeffdingTreeClassifier(),
        prior=SlidingWindowPrior(window_size=500),
        balancing=Resample("over"),
        drift=DriftPolicy(response="reset"),
        threshold_policy=ThresholdCalibrator(objective="fbeta", beta=2.0),
        seed=7,
    ),
    "binary-labels": BinaryLabels(linear_model.LogisticRegression()),
}


def _models():
    yield from CONFIGURATIONS.items()
    for cls in COMPONENTS:
        for k, params in enumerate(cls._unit_test_params()):
            yield f"{cls.__name__}[{k}]", cls(**params)


def _cases():
    for name, model in _models():
        for check in checks.yield_checks(model):
            if check.__name__ not in model._unit_test_skips():  # as check_estimator does
                yield pytest.param(model, check, id=f"{name}-{check.__name__}")


@pytest.mark.parametrize(("model", "check"), list(_cases()))
def test_river_conformance(model, check):
    check(model.clone())
