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
    model = OnlineImbalancedClassifier(seed=0, warm_up=1)
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


def _scored_stream(n: int, share: float, seed: int):
    """(score, positive) pairs: positives score higher, with overlap."""
    rng = random.Random(seed)
    for _ in range(n):
        positive = rng.random() < share
        yield (rng.betavariate(5, 2) if positive else rng.betavariate(2, 5)), positive


def _flagged_share(calibrator: ThresholdCalibrator, pairs, share: float, skip: int) -> float:
    flagged = seen = 0
    for i, (score, positive) in enumerate(pairs):
        if i >= skip:
            flagged += score >= calibrator.cut(0.5)
            seen += 1
        calibrator.update(score, positive, stream_share=share)
    return flagged / seen


@pytest.mark.parametrize("budget", [0.005, 0.02])
def test_an_alert_budget_flags_its_share_of_the_events(budget):
    calibrator = ThresholdCalibrator(objective="alert_rate", alert_rate=budget, window_size=10_000)
    share = _flagged_share(calibrator, _scored_stream(60_000, 0.01, seed=1), 0.01, skip=10_000)
    assert share == pytest.approx(budget, rel=0.15)


def test_an_alert_budget_follows_a_prior_shift():
    calibrator = ThresholdCalibrator(objective="alert_rate", alert_rate=0.02, window_size=5000)
    _flagged_share(calibrator, _scored_stream(20_000, 0.005, seed=2), 0.005, skip=0)
    # Four times as many positives: at the old threshold, far more events would be flagged.
    old = calibrator.threshold
    shifted = list(_scored_stream(30_000, 0.02, seed=3))
    before = sum(score >= old for score, _ in shifted) / len(shifted)
    after = _flagged_share(calibrator, shifted, 0.02, skip=10_000)
    assert before > 0.03
    assert after == pytest.approx(0.02, rel=0.15)


def test_an_alert_budget_flags_nothing_before_its_first_threshold():
    calibrator = ThresholdCalibrator(objective="alert_rate", alert_rate=0.5, refit_every=100)
    for _ in range(99):
        calibrator.update(0.99, False)
    assert calibrator.threshold is None and calibrator.cut(0.5) > 1.0  # above every score
    calibrator.update(0.99, False)
    assert calibrator.threshold is not None


def test_a_precision_target_holds_the_precision_with_the_most_recall():
    pairs = list(_scored_stream(20_000, 0.05, seed=4))
    calibrator = _fed(pairs, objective="precision", min_precision=0.3)
    positives = [s for s, p in pairs[-2000:] if p]
    negatives = [s for s, p in pairs[-2000:] if not p]
    cut = calibrator.threshold
    tp = sum(s >= cut for s in positives)
    fp = sum(s >= cut for s in negatives)
    assert tp / (tp + fp) == pytest.approx(0.3, abs=0.1)
    looser = _fed(pairs, objective="precision", min_precision=0.15)
    assert looser.threshold < cut  # less precision asked: more recall given


def test_a_recall_target_flags_as_little_as_that_recall_allows():
    pairs = list(_scored_stream(20_000, 0.05, seed=5))
    calibrator = _fed(pairs, objective="recall", min_recall=0.9)
    positives = [s for s, p in pairs[-4000:] if p]
    recall = sum(s >= calibrator.threshold for s in positives) / len(positives)
    assert recall == pytest.approx(0.9, abs=0.05)
    assert _fed(pairs, objective="recall", min_recall=0.6).threshold > calibrator.threshold


def test_a_costlier_miss_lowers_the_threshold():
    pairs = list(_scored_stream(20_000, 0.05, seed=6))
    cheap = _fed(pairs, objective="cost", cost_fn=1.0, cost_fp=1.0)
    dear = _fed(pairs, objective="cost", cost_fn=50.0, cost_fp=1.0)
    assert dear.threshold < cheap.threshold


@pytest.mark.parametrize(
    "settings",
    [{"alert_rate": 0.0}, {"min_precision": 1.5}, {"min_recall": -0.1}, {"cost_fn": 0.0}],
)
def test_objective_numbers_out_of_range_are_refused(settings):
    with pytest.raises(ValueError, match="must be"):
        ThresholdCalibrator(**settings)


def test_a_precision_out_of_reach_flags_nothing():
    rng = random.Random(7)  # scores that say nothing of the class: precision near 0.05
    pairs = [(rng.random(), rng.random() < 0.05) for _ in range(5000)]
    calibrator = _fed(pairs, objective="precision", min_precision=0.5)
    assert not any(score >= calibrator.threshold for score, _ in pairs[-2000:])


def test_an_alert_budget_tracked_on_arrivals_follows_them_not_the_late_labels():
    """Labels come late: the labelled scores are those of a time when fewer events scored high.
    Tracked on the arrivals, the budget holds on them; tracked on the labels, it would not."""
    rng = random.Random(8)
    calibrator = ThresholdCalibrator(objective="alert_rate", alert_rate=0.02, window_size=5000)
    for _ in range(10_000):  # labelled history, to read a first threshold from
        positive = rng.random() < 0.01
        calibrator.update(rng.betavariate(5, 2) if positive else rng.betavariate(2, 5), positive)
    flagged = 0
    for i in range(20_000):
        score = rng.betavariate(2.5, 4)  # arrivals now score higher than the labelled ones
        if i >= 5000:
            flagged += score >= calibrator.cut(0.5)
        calibrator.track(score)
        if i % 10 == 0:  # a late label, from the old distribution
            calibrator.update(rng.betavariate(2, 5), False)
    assert flagged / 15_000 == pytest.approx(0.02, rel=0.2)


@pytest.mark.parametrize("objective", ["gmean", "alert_rate"])
def test_a_calibrator_pickled_with_its_state_as_a_python_dict_loads_and_goes_on(objective):
    """The calibrator was a Python class that pickled its `__dict__` (a `NEWOBJ`, then the
    dict); its per-event fields are now compiled. Such a pickle, in any order of its keys,
    loads and goes on as the calibrator that went on."""
    rng = random.Random(3)

    def scored() -> tuple[float, bool]:
        positive = rng.random() < 0.05
        return min(1.0, max(0.0, rng.gauss(0.6 if positive else 0.3, 0.15))), positive

    went_on = ThresholdCalibrator(objective=objective, refit_every=100)
    for _ in range(1_500):
        went_on.update(*scored(), 0.05)
    state = dict(reversed(went_on.__getstate__().items()))
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    header = b"\x80\x02cstream_imbal.threshold.calibrator\nThresholdCalibrator\n)\x81"
    former = header + body + b"b."
    loaded = pickle.loads(former)
    assert "threshold" not in vars(loaded)  # a C field
    for _ in range(1_500):
        score, positive = scored()
        loaded.update(score, positive, 0.05)
        went_on.update(score, positive, 0.05)
        assert loaded.cut(0.3) == went_on.cut(0.3)
    assert went_on.threshold is not None
