"""The Python classes whose per-event attributes are C fields (`CompiledFields`)."""

from __future__ import annotations

import types

import pytest
from stream_imbal._fields import CompiledFields

from stream_imbal import OnlineImbalancedClassifier, bounded_tree
from stream_imbal.balancing import ClassWeights, ReweightResample
from stream_imbal.drift import ClassHits, ClassRecallMonitor, DriftPolicy, PriorShiftDetector
from stream_imbal.ensemble import CandidatePool, SubspaceForest
from stream_imbal.gaussian_splitter import FastGaussianSplitter
from stream_imbal.priors import DecayedClassPrior
from stream_imbal.small_steps import SmallSteps
from stream_imbal.threshold import ThresholdCalibrator

CLASSES = [
    OnlineImbalancedClassifier,
    DriftPolicy,
    ClassRecallMonitor,
    ClassHits,
    PriorShiftDetector,
    ThresholdCalibrator,
    ClassWeights,
    ReweightResample,
    SmallSteps,
    CandidatePool,
    SubspaceForest,
    DecayedClassPrior,
    FastGaussianSplitter,
    bounded_tree.BoundedHoeffdingTree,
    bounded_tree.BoundedSubspaceTree,
    bounded_tree.SubspaceLeaf,
]


def _compiled(cls: type) -> bool:
    return cls.__module__.rsplit(".", 1)[-1].startswith("_")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_no_class_attribute_hides_a_c_field(cls):
    """A class attribute named as a C field would come first in the lookup: Python code would
    read and write the instance's `__dict__` while the compiled code reads the field."""
    assert issubclass(cls, CompiledFields)
    mro = cls.__mro__
    fields = {}  # name -> where in the MRO the compiled base that declares it is
    for at, base in enumerate(mro):
        if _compiled(base):
            for name, value in vars(base).items():
                if isinstance(value, types.GetSetDescriptorType):
                    fields.setdefault(name, at)
    assert fields
    hidden = {
        name
        for at, base in enumerate(mro)
        if not _compiled(base)
        for name in vars(base)
        if at < fields.get(name, -1)
    }
    assert not hidden, hidden
