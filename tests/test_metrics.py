from __future__ import annotations

import math
import pickle
import random

import pytest
from river import linear_model, metrics

from stream_imbal.metrics import KappaM, WindowedClassRecall


def _feed(metric, y_true, y_pred):
    for yt, yp in zip(y_true, y_pred, strict=True):
        metric.update(yt, yp)
    return metric


def test_windowed_recall_slides():
    metric = WindowedClassRecall(window_size=3)
    _feed(metric, [1, 0, 1], [1, 0, 0])
    assert metric.get() == {0: 1.0, 1: 0.5}
    # The recognised minority event leaves the window, a missed majority one comes in.
    _feed(metric, [0], [1])
    assert metric.get() == {0: 0.5, 1: 0.0}
    assert metric.recall(1) == 0.0


def test_windowed_recall_all_majority_window():
    metric = _feed(WindowedClassRecall(window_size=2), [1, 0, 0], [1, 1, 0])
    assert metric.get() == {0: 0.5}
    assert math.isnan(metric.recall(1))


def test_windowed_recall_matches_recomputation():
    rng = random.Random(3)
    y_true = [rng.choice("aab") for _ in range(200)]
    y_pred = [rng.choice("ab") for _ in range(200)]
    metric = _feed(WindowedClassRecall(window_size=50), y_true, y_pred)
    pairs = list(zip(y_true[-50:], y_pred[-50:], strict=True))
    for label in "ab":
        hits = [yt == yp for yt, yp in pairs if yt == label]
        assert metric.recall(label) == pytest.approx(sum(hits) / len(hits))


def test_windowed_recall_classes_are_those_in_the_window():
    # A class only predicted is in the window (its recall is undefined); one gone is not.
    metric = _feed(WindowedClassRecall(window_size=2), ["c", "a", "a"], ["c", "b", "a"])
    assert sorted(metric.classes) == ["a", "b"]
    assert math.isnan(metric.recall("b")) and math.isnan(metric.recall("c"))


def test_windowed_recall_pickles_mid_stream():
    metric = _feed(WindowedClassRecall(window_size=3), [1, 0, 1, 0], [1, 0, 0, 0])
    copy = pickle.loads(pickle.dumps(metric))
    _feed(metric, [1], [1])
    _feed(copy, [1], [1])
    assert copy.get() == metric.get() == {0: 1.0, 1: 0.5}


def test_windowed_recall_is_a_classification_metric():
    metric = WindowedClassRecall()
    assert metric.works_with(linear_model.LogisticRegression())
    assert not metric.works_with(linear_model.LinearRegression())
    assert metric.bigger_is_better


def test_windowed_recall_cannot_revert_or_be_empty():
    with pytest.raises(NotImplementedError):
        WindowedClassRecall().revert(0, 0)
    with pytest.raises(ValueError, match="window_size"):
        WindowedClassRecall(window_size=0)


def test_kappa_m_by_hand():
    # accuracy 7/10, majority (class 0, 6 of 10) accuracy 6/10: (0.7 - 0.6) / 0.4 = 0.25
    y_true = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 0, 0, 1, 2, 1, 0, 2, 2]
    assert _feed(KappaM(), y_true, y_pred).get() == pytest.approx(0.25)


def test_kappa_m_negative_when_worse_than_majority():
    # always predicting the minority: accuracy 0.2 against 0.8
    metric = _feed(KappaM(), [0, 0, 0, 0, 1], [1, 1, 1, 1, 1])
    assert metric.get() == pytest.approx((0.2 - 0.8) / 0.2)


def test_kappa_m_undefined_on_one_class_or_nothing():
    assert math.isnan(KappaM().get())
    assert math.isnan(_feed(KappaM(), [0, 0, 0], [0, 1, 0]).get())


def test_kappa_m_revert_and_shared_cm():
    cm = metrics.ConfusionMatrix()
    metric = KappaM(cm=cm)
    _feed(cm, [0, 0, 1, 1, 0], [0, 1, 1, 0, 0])
    assert metric.get() == pytest.approx((0.6 - 0.6) / 0.4)
    metric.revert(0, 1)
    assert metric.get() == pytest.approx((0.75 - 0.5) / 0.5)


def test_kappa_m_window_matches_cumulative_on_last_events():
    rng = random.Random(7)
    y_true = [int(rng.random() < 0.2) for _ in range(300)]
    y_pred = [int(rng.random() < 0.3) for _ in range(300)]
    windowed = _feed(KappaM(window_size=40), y_true, y_pred)
    assert windowed.get() == pytest.approx(_feed(KappaM(), y_true[-40:], y_pred[-40:]).get())
    with pytest.raises(NotImplementedError):
        windowed.revert(0, 0)


def test_kappa_m_rejects_bad_window():
    with pytest.raises(ValueError, match="window_size"):
        KappaM(window_size=0)
    with pytest.raises(ValueError, match="shared"):
        KappaM(window_size=10, cm=metrics.ConfusionMatrix())
