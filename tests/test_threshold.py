"""The decision threshold: its early cut, its search, and what the classifier feeds it."""

from __future__ import annotations

import copy
import pickle
import random

import numpy as np
import pytest

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.threshold import ThresholdCalibrator, correct_binary


def test_before_a_search_the_cut_is_the_mean_score_of_the_training_mix():
    calibrator = ThresholdCalibrator()
    calibrator.update(0.1, False)
    calibrator.update(0.3, False)
    assert calibrator.cut(0.4) == 0.4  # no positive scored yet: the training share itself
    calibrator.update(0.7, True)
    assert calibrator.threshold is None
    assert calibrator.cut(0.4) == pytest.approx(0.4 * 0.7 + 0.6 * 0.2, abs=1e-3)
    assert calibrator.cut(0.5) == pytest.approx((0.7 + 0.2) / 2, abs=1e-3)


def test_the_early_cut_follows_recent_scores():
    calibrator = ThresholdCalibrator(window_size=200, positive_window=20)
    for _ in range(19):  # fewer positives than a search needs
        calibrator.update(0.9, True)
    for _ in range(1000):
        calibrator.update(0.1, False)
    for _ in range(1000):  # the negatives now score higher: their mean follows within ~100
        calibrator.update(0.5, False)
    assert calibrator.threshold is None
    assert calibrator.cut(0.5) == pytest.approx((0.5 + 0.9) / 2, abs=1e-3)


def test_the_first_search_replaces_the_early_cut_outright():
    rng = random.Random(3)
    calibrator = ThresholdCalibrator(max_step=0.01, refit_every=100)
    for _ in range(2000):
        positive = rng.random() < 0.1
        calibrator.update(rng.uniform(0.85, 0.9) if positive else rng.uniform(0.0, 0.8), positive)
    # The class means put the early cut near 0.64; the G-mean cut is in the gap (0.8, 0.85),
    # further than max_step from it, yet the first search goes all the way.
    assert 0.8 <= calibrator.threshold <= 0.85
    assert calibrator.cut(0.5) == calibrator.threshold


def test_reset_forgets_the_class_means():
    calibrator = ThresholdCalibrator()
    calibrator.update(0.2, False)
    calibrator.update(0.6, True)
    calibrator.reset()
    assert calibrator.cut(0.3) == 0.3
    calibrator.update(0.4, False)
    calibrator.update(0.5, True)
    assert calibrator.cut(0.5) == pytest.approx(0.45)


def test_the_classifier_decides_at_the_early_cut():
    rng = random.Random(0)
    model = OnlineImbalancedClassifier(seed=0)
    for i in range(400):  # 8 positives: far from the 20 a search needs
        positive = i % 50 == 49
        model.learn_one({"a": rng.gauss(2.0 if positive else 0.0, 1.0)}, positive)
    calibrator = model._calibrator
    trained, prior = model.training_priors[True], model.priors[True]
    cut = calibrator.cut(trained)
    assert calibrator.threshold is None and cut != trained
    assert model.threshold == pytest.approx(correct_binary(cut, trained, prior))
    for a in (-1.0, 0.5, 1.0, 1.5, 3.0):
        x = {"a": a}
        score = model._minority_score(model._learner, x)
        assert model.predict_one(x) == (score >= cut)


def test_the_event_that_brings_a_class_is_not_scored_for_the_threshold():
    model = OnlineImbalancedClassifier(seed=0)
    for _ in range(50):
        model.learn_one({"a": 0.0}, False)
    model.learn_one({"a": 3.0}, True)  # the learner had never seen a positive: no score
    assert model._calibrator.cut(0.25) == 0.25


def test_a_calibrator_pickled_before_the_class_means_existed_gets_them_empty():
    calibrator = ThresholdCalibrator(window_size=1000, positive_window=100)
    fresh = ThresholdCalibrator(window_size=1000, positive_window=100)
    for name in ("_mean_decays", "_score_sums", "_score_counts"):
        delattr(calibrator, name)  # the state an old checkpoint holds
    restored = pickle.loads(pickle.dumps(calibrator))
    assert restored._mean_decays == fresh._mean_decays
    for cal in (restored, fresh):
        cal.update(0.2, False)
        cal.update(0.6, True)
    assert restored.cut(0.5) == fresh.cut(0.5) == pytest.approx(0.4)


def _fed(pairs, **settings) -> ThresholdCalibrator:
    calibrator = ThresholdCalibrator(**settings)
    for score, positive in pairs:
        calibrator.update(score, positive)
    return calibrator


def test_swapping_the_classes_mirrors_the_windows_the_means_and_the_threshold():
    rng = random.Random(3)
    pairs = []
    for _ in range(1230):  # not a multiple of refit_every: some updates are still pending
        positive = rng.random() < 0.3
        pairs.append((rng.uniform(0.3, 1.0) if positive else rng.uniform(0.0, 0.6), positive))
    settings = {"window_size": 400, "positive_window": 400, "refit_every": 100}
    swapped = _fed(pairs, **settings)
    assert swapped.threshold is not None
    swapped.swap_classes()
    # What a calibrator fed the same events with the other class as positive would know.
    mirrored = _fed([(1.0 - score, not positive) for score, positive in pairs], **settings)
    mirrored._file_pending()
    for window in ("_positives", "_negatives"):
        assert np.sort(getattr(swapped, window).values) == pytest.approx(
            np.sort(getattr(mirrored, window).values)
        )
    assert swapped._positive_share == pytest.approx(mirrored._positive_share)
    fresh = copy.deepcopy(mirrored)
    fresh.threshold = None
    fresh._refit()  # the first search on the mirrored windows: no max_step, no hysteresis
    assert swapped.threshold == pytest.approx(fresh.threshold)


def test_swapping_before_a_search_mirrors_the_class_means():
    calibrator = _fed([(0.25, False), (0.25, False), (0.9, True)])
    calibrator.swap_classes()
    assert calibrator.threshold is None
    # Positives now score 1 - 0.25 on average, negatives 1 - 0.9.
    assert calibrator.cut(0.5) == pytest.approx(0.5 * 0.75 + 0.5 * 0.1)


def test_when_the_minority_changes_the_classifier_swaps_its_calibrator():
    rng = random.Random(1)
    model = OnlineImbalancedClassifier(seed=1)
    share = 0.1
    for i in range(20_000):
        share = min(0.9, share + 0.0001) if i > 3_000 else share
        positive = rng.random() < share
        x = {"a": rng.gauss(1.5 if positive else 0.0, 1.0)}
        before = copy.deepcopy(model._calibrator)
        minority = model.minority_class
        model.learn_one(x, positive)
        if i > 3_000 and model.minority_class != minority:
            break
    else:
        pytest.fail("the minority never changed")
    before.swap_classes()
    after = model._calibrator
    after._file_pending()
    # The same, but for the event of the flip, now recorded with the new classes.
    assert len(after._negatives.values) == len(before._negatives.values) + (positive is True)
    assert len(after._positives.values) == min(
        after.positive_window, len(before._positives.values) + (positive is False)
    )
    assert after.threshold is not None
    assert after.threshold == before.threshold
