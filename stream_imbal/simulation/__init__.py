"""Simulated imbalanced streams with known concept drifts and prior shifts.

Scenarios draw each label first, with a scheduled minority share, then the features from river's
synthetic generators conditioned on that label, and record the ground truth of every event.

Each name is imported from its module on first use: the built-in scenarios' names without
river's datasets (which import scikit-learn), so that `simulate --help` lists them at once.

"""

from __future__ import annotations

from stream_imbal.lazy import lazy_attributes

#: Name -> the module that defines it.
_MODULES = {
    "GENERATORS": "concepts",
    "INCREMENTAL_GENERATORS": "concepts",
    "Concept": "concepts",
    "KINDS": "drift",
    "Drift": "drift",
    "SCENARIOS": "named",
    "get_scenario": "named",
    "ClassConditionalSampler": "sampler",
    "EventTruth": "scenario",
    "Scenario": "scenario",
    "SHAPES": "schedule",
    "PriorSchedule": "schedule",
    "load_scenario_file": "toml_file",
    "load_scenario_suite": "toml_file",
    "scenario_from_dict": "toml_file",
    "scenario_to_toml": "toml_file",
}

__all__ = sorted(_MODULES)

__getattr__ = lazy_attributes(__name__, _MODULES)
