"""Concept-drift and prior-shift detection composed from river's detectors."""

from __future__ import annotations

from stream_imbal.drift.challenger import Challenger
from stream_imbal.drift.class_recall import ClassRecallMonitor
from stream_imbal.drift.events import CONCEPT, PRIOR, SCHEMA, DriftEvent
from stream_imbal.drift.policy import RESPONSES, DriftPolicy
from stream_imbal.drift.prior_shift import PriorShiftDetector

__all__ = [
    "CONCEPT",
    "PRIOR",
    "RESPONSES",
    "SCHEMA",
    "Challenger",
    "ClassRecallMonitor",
    "DriftEvent",
    "DriftPolicy",
    "PriorShiftDetector",
]
