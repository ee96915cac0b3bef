"""The prior-shift detector's change point: the split a scan of every split finds."""

from __future__ import annotations

import collections
import math
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from stream_imbal.drift import PriorShiftDetector


def _scanned_change_point(history: list, min_segment: int) -> int:
    """Every split scored in turn, with Counters: the rule as first written."""
    n = len(history)
    after = collections.Counter(history)
    before: collections.Counter = collections.Counter()
    best, best_split = -math.inf, 0
    for split in range(n):
        if split >= min_segment and n - split >= min_segment:
            likelihood = _log_likelihood(before, split) + _log_likelihood(after, n - split)
            if likelihood > best:
                best, best_split = likelihood, split
        before[history[split]] += 1
        after[history[split]] -= 1
    return best_split


def _log_likelihood(counts: collections.Counter, n: int) -> float:
    return sum(c * math.log(c / n) for c in counts.values() if c > 0)


histories = st.one_of(
    st.lists(st.sampled_from("ab"), max_size=600),
    st.lists(st.sampled_from([False, True, 2, "c"]), max_size=400),
    # long runs: shifts, and plateaus of equal likelihood where the first split must win
    st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 120)), max_size=8).map(
        lambda runs: [label for label, length in runs for _ in range(length)]
    ),
)


@settings(max_examples=300, deadline=None)
@given(histories, st.integers(min_value=0, max_value=150))
def test_the_change_point_is_the_first_best_split_of_a_full_scan(history, min_segment):
    detector = PriorShiftDetector(history=1_000, min_segment=min_segment)
    for label in history:
        detector.update(label)
    expected = _scanned_change_point(history, min_segment)
    assert detector._change_point() == expected
    assert detector.support == len(history) - expected
    if history:
        recent = history[expected:]
        assert detector.shares == {k: recent.count(k) / len(recent) for k in detector._classes}


def test_the_change_point_follows_new_labels_and_old_pickles():
    detector = PriorShiftDetector(min_segment=10)
    history = [False] * 300 + [True] * 40
    for label in history:
        detector.update(label)
    assert detector.support == 40.0
    detector.update(True)
    assert detector.support == 41.0  # computed again for the longer history
    state = pickle.loads(pickle.dumps(detector)).__getstate__()
    del state["_split"]  # a detector pickled before the split was kept
    restored = PriorShiftDetector.__new__(PriorShiftDetector)
    restored.__setstate__(state)
    assert restored.support == 41.0
