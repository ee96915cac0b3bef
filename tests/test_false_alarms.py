"""False concept-drift alarms on stationary imbalanced streams, and true drifts still caught."""

from __future__ import annotations

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
