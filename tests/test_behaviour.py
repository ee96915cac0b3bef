"""What the default must show on drifting 1:100 streams and on a pure prior shift."""

from __future__ import annotations

import math

import pytest
from river import linear_model, preprocessing

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.evaluate import prequential
from stream_imbal.simulation import get_scenario


def gmean_between(windows, start: int, end: int) -> float:
    """G-mean over the events in [start, end) from the windows' confusion counts."""
    rows = windows[(windows.start >= start) & (windows.end <= end)]
    tp, fp, fn, tn = (rows[c].sum() for c in ("tp", "fp", "fn", "tn"))
    return math.sqrt(tp / (tp + fn) * tn / (tn + fp))


@pytest.fixture(scope="module")
def sea_runs():
    scenario = get_scenario("sea-abrupt", seed=0)  # 1:100, abrupt drifts at 15k and 30k
    default = prequential(OnlineImbalancedClassifier(seed=0), scenario.iter_truth(), 500)
    bare = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    return scenario, default, prequential(bare, scenario.iter_truth(), 500)


def test_gmean_recovers_within_3000_events_of_each_drift(sea_runs):
    scenario, default, _ = sea_runs
    drifts = [position for position, kind in scenario.drift_points if kind == "concept"]
    assert drifts == [15_000, 30_000]
    for drift in drifts:
        before = gmean_between(default.windows, drift - 5000, drift)
        after = gmean_between(default.windows, drift + 1000, drift + 3000)
        assert before > 0.85
        assert after >= 0.9 * before, (drift, before, after)


def test_default_beats_logistic_regression_without_imbalance_handling(sea_runs):
    _, default, bare = sea_runs
    assert default.summary["minority_recall"] > bare.summary["minority_recall"] + 0.2
    assert default.summary["gmean"] > bare.summary["gmean"] + 0.15
    assert default.summary["gmean"] > 0.9


def test_a_pure_prior_shift_is_tracked_reported_as_prior_and_recalibrated():
    scenario = get_scenario("prior-shift", seed=2)  # 5% -> 0.5% -> 20% at 10k and 20k
    model = OnlineImbalancedClassifier(seed=2)
    snapshots = {}
    for i, (x, y, truth) in enumerate(scenario.iter_truth(), start=1):
        model.predict_one(x)
        model.learn_one(x, y)
        if i in (2000, 10_000, 12_000, 20_000, 22_000):
            snapshots[i] = (model.priors[True], truth.minority_share, model.threshold)

    for i in (2000, 12_000, 22_000):  # 2000 events into each segment
        estimate, truth, _ = snapshots[i]
        assert abs(estimate - truth) / truth < 0.3, (i, estimate, truth)
    kinds = [(event.index, event.kind) for event in model.drift_events]
    assert all(kind == "prior" for _, kind in kinds), kinds
    assert any(10_000 <= i < 12_000 for i, _ in kinds)
    assert any(20_000 <= i < 22_000 for i, _ in kinds)
    # The threshold on the minority probability follows the prior down, then up.
    assert snapshots[12_000][2] < 0.5 * snapshots[10_000][2]
    assert snapshots[22_000][2] > 5 * snapshots[20_000][2]
