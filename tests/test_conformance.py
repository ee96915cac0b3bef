"""river's own conformance checks on every component added to the default and the benchmark."""

from __future__ import annotations

import pytest
from river import checks

from stream_imbal.bench.windowed_refit import WindowedRefitClassifier
from stream_imbal.bounded_tree import BoundedHoeffdingTree, BoundedSubspaceTree
from stream_imbal.ensemble import SubspaceForest
from stream_imbal.preprocessing import ClippedStandardScaler
from stream_imbal.small_steps import SmallSteps

COMPONENTS = (
    BoundedHoeffdingTree,
    BoundedSubspaceTree,
    ClippedStandardScaler,
    SmallSteps,
    SubspaceForest,
    WindowedRefitClassifier,
)


def _cases():
    for cls in COMPONENTS:
        for k, params in enumerate(cls._unit_test_params()):
            model = cls(**params)
            for check in checks.yield_checks(model):
                yield pytest.param(model, check, id=f"{cls.__name__}[{k}]-{check.__name__}")


@pytest.mark.parametrize(("model", "check"), list(_cases()))
def test_river_conformance(model, check):
    check(model.clone())
