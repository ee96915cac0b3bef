"""The compiled FHDDM detects as river's, update by update, and the recall monitor uses it only
where it is river's."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from river.drift import binary

from stream_imbal import _fhddm
from stream_imbal.drift import ClassRecallMonitor

CompiledFHDDM = _fhddm.CompiledFHDDM


@settings(max_examples=80, deadline=None)
@given(
    window=st.integers(1, 60),
    confidence=st.sampled_from([1e-6, 1e-3, 0.05, 0.5]),
    runs=st.lists(st.tuples(st.booleans(), st.integers(1, 80)), max_size=30),
)
def test_its_detections_are_rivers_update_by_update(window, confidence, runs):
    compiled = CompiledFHDDM(window, confidence)
    river_own = binary.FHDDM(sliding_window_size=window, confidence_level=confidence)
    for hit, length in runs:  # runs of hits and misses: drifts, and restarts after them
        for _ in range(length):
            compiled.update(hit)
            river_own.update(hit)
            assert compiled.drift_detected == river_own.drift_detected
            assert compiled.warning_detected == river_own.warning_detected


def test_a_pickled_detector_goes_on_as_the_one_that_was_not():
    compiled, river_own = CompiledFHDDM(25), binary.FHDDM(sliding_window_size=25)
    hits = ([True] * 60 + [False] * 20) * 5
    for i, hit in enumerate(hits):
        if i % 37 == 0:
            compiled = pickle.loads(pickle.dumps(compiled))
        compiled.update(hit)
        river_own.update(hit)
        assert compiled.drift_detected == river_own.drift_detected


def test_the_monitor_compiles_rivers_fhddm_only():
    default, short = (
        ClassRecallMonitor(),
        ClassRecallMonitor(binary.FHDDM(sliding_window_size=25, short_window_size=10)),
    )
    for monitor in (default, short):
        for i in range(100):
            monitor.update(i % 3 == 0, i % 5 == 0)
    assert {type(d) for d in default._detectors.values()} == {CompiledFHDDM}
    assert {type(d) for d in short._detectors.values()} == {binary.FHDDM}
    assert {type(d) for d in short._long_detectors.values()} == {CompiledFHDDM}
    assert default.name.startswith("FHDDM(")  # drift events name river's detector
