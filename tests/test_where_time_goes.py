"""The time-decomposition benchmark times the rare steps and leaves the code as it found it."""

from __future__ import annotations

import gc
import pickle

from benchmarks.harness.suites import load_suite
from benchmarks.where_time_goes import POOL_LEARNS, measure, shares
from stream_imbal import bounded_tree
from stream_imbal.ensemble import CandidatePool


def test_the_steps_are_timed_within_their_events_and_the_patches_undone():
    originals = (
        bounded_tree._SizeCheckedPerCall._estimate_model_size,
        CandidatePool.learn_one,
        pickle.dumps,
    )
    callbacks = list(gc.callbacks)
    stream = load_suite("report")[0].with_seed(1)
    rows = measure(stream.events()[:5_000], skip=0)

    assert len(rows) == 5_000
    assert all(max(steps.values(), default=0.0) <= seconds for seconds, steps in rows)
    learnt = [steps for _, steps in rows if POOL_LEARNS in steps]
    assert 0 < len(learnt) < len(rows)  # the balancing skips most majority events
    assert all("forest learns" in steps for steps in learnt)
    assert {"split attempt", "size check", "reference copy"} <= set(shares(rows))
    assert (
        bounded_tree._SizeCheckedPerCall._estimate_model_size,
        CandidatePool.learn_one,
        pickle.dumps,
    ) == originals
    assert gc.callbacks == callbacks
