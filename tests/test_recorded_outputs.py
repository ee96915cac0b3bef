"""The default predicts what it predicted when `tests/data/default_outputs.npz` was recorded.

The recording (`tests/data/record_default_outputs.py`) was made before the forest's trees were
compiled: the compiled trees run the same arithmetic in the same order, so the probabilities are
the recorded ones to the last bit, and the decisions the same.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

_SCRIPT = pathlib.Path(__file__).parent / "data" / "record_default_outputs.py"
_spec = importlib.util.spec_from_file_location("record_default_outputs", _SCRIPT)
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


@pytest.fixture(scope="module")
def recorded():
    with np.load(record.PATH) as arrays:
        return dict(arrays)


@pytest.mark.parametrize("name", record.STREAMS)
def test_the_default_predicts_as_recorded(name, recorded):
    events = record.stream_events(name)
    probas, decisions = record.default_outputs(events)
    np.testing.assert_array_equal(probas, recorded[f"{name}/proba"])
    np.testing.assert_array_equal(decisions, recorded[f"{name}/decision"])


@pytest.mark.parametrize("name", record.STREAMS)
def test_the_forest_predicts_as_recorded(name, recorded):
    events = record.stream_events(name)
    np.testing.assert_array_equal(record.forest_outputs(events), recorded[f"{name}/forest"])
