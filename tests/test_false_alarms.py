"""False concept-drift alarms on stationary imbalanced streams, and true drifts still caught."""

from __future__ import annotations

import pickle
import random

import pytest

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.drift import CONCEPT, ClassRecallMonitor
from stream_imbal.simulation import Concept, Scenario, get_scenario


def _concept_drifts(scenario: Scenario) -> list[int]:
    """Indices of the concept drifts the default reports on `scenario`."""
    model = OnlineImbalancedClassifier(seed=scenario.seed)
    for x, y in scenario:
        model.predict_one(x)
        model.learn_one(x, y)
    return [event.index for event in model.drift_events if event.kind == CONCEPT]


@pytest.mark.slow
@pytest.mark.parametrize("ratio", [100, 1000])
def test_at_most_one_false_alarm_per_100k_stationary_events(ratio):
    scenario = Scenario(
        concepts=[Concept("SEA", {"variant": 0})],
        minority=1 / (1 + ratio),
        n_events=200_000,
        seed=1,
    )
    drifts = _concept_drifts(scenario)
    assert len(drifts) <= 2, drifts


@pytest.mark.slow
def test_a_true_abrupt_drift_is_still_caught():
    scenario = get_scenario("sea-abrupt", seed=0)  # 1:100, abrupt drifts at 15k and 30k
    drifts = _concept_drifts(scenario)
    assert any(30_000 <= i < 31_000 for i in drifts), drifts


@pytest.mark.slow
def test_the_demos_smaller_drift_is_caught():
    # SEA 0 -> 3 at 10,000 drops the majority's recall from 0.98 to 0.73: under the short
    # window's bound, caught by the long one (in 4 of seeds 0-4).
    drifts = _concept_drifts(get_scenario("demo", seed=0))
    assert any(10_000 <= i < 11_000 for i in drifts), drifts


def _first_report(monitor: ClassRecallMonitor) -> int | None:
    for i in range(10_000):
        y = i % 100 == 0  # 1:99
        monitor.update(y, y if i < 2_500 or not y else not y)  # then the minority is lost
        if monitor.drift_detected:
            return i
    return None


def test_no_drift_is_reported_before_every_class_has_min_events():
    assert 2_500 < _first_report(ClassRecallMonitor(min_events=0)) < 4_000
    # The same drop, seen before the 60th minority event, is not reported.
    assert _first_report(ClassRecallMonitor(min_events=60)) is None


def _first_report_of_a_small_drop(monitor: ClassRecallMonitor) -> int | None:
    rng = random.Random(0)
    for i in range(40_000):
        y = i % 100 == 0  # 1:99; the majority's recall falls from 0.98 to 0.8 at 20,000
        hit = rng.random() < (0.98 if i < 20_000 or y else 0.8)
        monitor.update(y, y if hit else not y)
        if monitor.drift_detected:
            return i
    return None


def test_the_long_window_catches_a_drop_the_short_one_cannot():
    assert 20_000 < _first_report_of_a_small_drop(ClassRecallMonitor()) < 21_500
    assert _first_report_of_a_small_drop(ClassRecallMonitor(long_window=0)) is None


def test_a_monitor_pickled_before_the_long_window_runs_without_it():
    monitor = ClassRecallMonitor()
    state = monitor.__dict__.copy()
    del state["long_window"], state["_long_detectors"]
    old = ClassRecallMonitor.__new__(ClassRecallMonitor)
    old.__setstate__(state)
    assert _first_report_of_a_small_drop(old) is None
    assert pickle.loads(pickle.dumps(monitor)).long_window == 200
