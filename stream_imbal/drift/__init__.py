"""Concept-drift and prior-shift detection composed from river's detectors."""

from __future__ import annotations

from stream_imbal.drift.challenger import Challenger
from stream_imbal.drift.class_recall import ClassRecallMonitor
from stream_imbal.drift.confirmation import ClassHits, recall_drop_p
from stream_imbal.drift.events import CONCEPT, PRIOR, SCHEMA, DriftEvent
from stream_imbal.drift.policy import RESPONSES, DriftPolicy
from stream_imbal.drift.prior_shift import PriorShiftDetector

__all__ = [
    "CONCEPT",
    "PRIOR",
    "RESPONSES",
    "SCHEMA",
    "Challenger",
    "ClassHits",
    "ClassRecallMonitor",
    "DriftEvent",
    "DriftPolicy",
    "PriorShiftDetector",
    "recall_drop_p",
]
