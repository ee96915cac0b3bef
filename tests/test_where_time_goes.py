"""The time-decomposition benchmark times the rare steps and leaves the code as it found it."""

from __future__ import annotations

import gc

from river.tree import HoeffdingTreeClassifier

from benchmarks.harness.suites import load_suite
from benchmarks.where_time_goes import POOL_LEARNS, StepClock, instrumented, measure, shares
from stream_imbal import _classifier, _hoeffding, bounded_tree
from stream_imbal.ensemble import CandidatePool


def test_the_steps_are_timed_within_their_events_and_the_patches_undone():
    def patched():
        return (
            bounded_tree._SizeCheckedPerCall._estimate_model_size,
            CandidatePool.learn_one,
            _classifier.pickle_to_predict,
            HoeffdingTreeClassifier._attempt_to_split,
            _hoeffding._RIVER_ATTEMPT,
        )

    originals = patched()
    callbacks = list(gc.callbacks)
    stream = load_suite("report")[0].with_seed(1)
    rows = measure(stream.events()[:5_000], skip=0)

    assert len(rows) == 5_000
    assert all(max(steps.values(), default=0.0) <= seconds for seconds, steps in rows)
    learnt = [steps for _, steps in rows if POOL_LEARNS in steps]
    assert 0 < len(learnt) < len(rows)  # the balancing skips most majority events
    assert all("forest learns" in steps for steps in learnt)
    assert {"split attempt", "size check", "reference copy"} <= set(shares(rows))
    assert patched() == originals
    assert gc.callbacks == callbacks


def test_timing_split_attempts_leaves_the_unchanging_ones_to_the_kernel():
    """`attempt_may_change` decides only while the tree's method passes for river's own."""
    with instrumented(StepClock()):
        assert HoeffdingTreeClassifier._attempt_to_split is _hoeffding._RIVER_ATTEMPT
