"""Simulated imbalanced streams with known concept drifts and prior shifts.

Scenarios draw each label first, with a scheduled minority share, then the features from river's
synthetic generators conditioned on that label, and record the ground truth of every event.

"""

from __future__ import annotations

from stream_imbal.simulation.concepts import GENERATORS, INCREMENTAL_GENERATORS, Concept
from stream_imbal.simulation.drift import KINDS, Drift
from stream_imbal.simulation.named import SCENARIOS, get_scenario
from stream_imbal.simulation.sampler import ClassConditionalSampler
from stream_imbal.simulation.scenario import EventTruth, Scenario
from stream_imbal.simulation.schedule import SHAPES, PriorSchedule
from stream_imbal.simulation.toml_file import (
    load_scenario_file,
    load_scenario_suite,
    scenario_from_dict,
    scenario_to_toml,
)

__all__ = [
    "GENERATORS",
    "INCREMENTAL_GENERATORS",
    "KINDS",
    "SCENARIOS",
    "SHAPES",
    "ClassConditionalSampler",
    "Concept",
    "Drift",
    "EventTruth",
    "PriorSchedule",
    "Scenario",
    "get_scenario",
    "load_scenario_file",
    "load_scenario_suite",
    "scenario_from_dict",
    "scenario_to_toml",
]
