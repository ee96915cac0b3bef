"""The default predicts what it predicted when `tests/data/default_outputs.npz` was recorded.

The recording (`tests/data/record_default_outputs.py`) was made before the forest's trees were
compiled: the compiled trees run the same arithmetic in the same order, so the probabilities are
the recorded ones to the last bit, and the decisions the same.
"""

from __future__ import annotations

import importlib.util
import pathlib
import pickle

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


def test_a_default_restored_from_a_pickle_midway_predicts_as_recorded(recorded):
    events = record.stream_events("rbf8-abrupt")
    model = record.OnlineImbalancedClassifier(seed=1)
    probas = []
    for i, (x, y) in enumerate(events):
        if i == len(events) // 2:  # as a checkpoint and a restart do
            model = pickle.loads(pickle.dumps(model))
        probas.append(model.predict_proba_one(x).get(True, 0.0))
        model.predict_one(x)
        model.learn_one(x, y)
    np.testing.assert_array_equal(probas, recorded["rbf8-abrupt/proba"])
