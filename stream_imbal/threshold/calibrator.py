"""A decision threshold chosen on a bounded window of recent (score, label) pairs."""

from __future__ import annotations

import math

import numpy as np
from river import base

from stream_imbal._calibration import CalibratorFields
from stream_imbal.threshold.objectives import OBJECTIVES, scores_at_cuts

__all__ = ["ThresholdCalibrator"]


class ThresholdCalibrator(CalibratorFields, base.Base):
    """Pick the threshold on the positive-class score that maximises an objective lately.

    Keeps the scores of the last `positive_window` positives and of the last `window_size`
    negatives in two ring buffers: at 1:500 a window over all events would hold a handful of
    positives, while class-wise windows keep enough evidence of the rare class. Negatives are
    weighted back to the stream's class mix for objectives that depend on it (precision,
    F-beta, cost, the alert rate): the share given to `update` (the classifier's prior
    estimate, which follows a prior shift), else a decayed estimate of its own. G-mean, recall
    and balanced accuracy only use per-class rates. Every
    `refit_every` updates, once there are at least `min_positives` positives and as many
    negatives, the buffers are sorted and every cut is scanned once for the best objective; the
    threshold moves towards it only if that gains more than `hysteresis` over the current
    threshold, and by at most `max_step`: a few events cannot swing it.

    Until that first search, `cut` gives the decision a cut from the scores themselves: the
    mean score of the training distribution, the mix of the two classes' recent mean scores
    (each decayed over half its window) in the shares the learner was trained on. For a
    calibrated learner this is its training prior; unlike the prior, it also holds while the
    scores are far from calibrated, as a young learner's are. A short or very rare stream may
    never gather the evidence for a search: there this cut is the decision.

    An alert budget (`objective="alert_rate"`) is met differently. The first threshold is the
    score above which the `alert_rate` share of the stream lies, read from the two windows mixed
    in the stream's class shares, at the first search with `min_positives` negatives; until
    then nothing is flagged, so a young model never exceeds the budget. From there the
    threshold tracks that quantile event by event (stochastic approximation, in log-odds): each
    update flagged raises it by `budget_step * (1 - alert_rate)`, each other lowers it by
    `budget_step * alert_rate`, so it settles where the share flagged is the budget. Unlike a
    window of past scores, it follows the learner as it learns and the stream's mix as the prior
    moves, within about 1 / (budget_step * alert_rate) updates. The updates are the labelled
    events, or, once `track` is called, every event scored on arrival: with labels that come
    late the budget then follows the events as they are scored. Give it a negative window of at
    least 100 / `alert_rate` events, so that the first threshold rests on about 100 negatives.

    When the positive class becomes the other one (a minority that changed), `swap_classes`
    mirrors all of this: the score s of one class is the score 1 - s of the other.

    Parameters
    ----------
    objective
        "gmean" (default): the geometric mean of the class recalls; "alert_rate": flag the
        share `alert_rate` of events; "precision": the most recall at `min_precision`;
        "recall": the fewest false alarms at `min_recall`; "cost": the least
        `cost_fp * FP + cost_fn * FN`; "fbeta": F-beta; "balanced_accuracy".
    window_size
        Number of recent negatives the threshold is chosen on.
    positive_window
        Number of recent positives the threshold is chosen on.
    min_positives
        Evidence needed before the threshold is moved at all.
    refit_every
        Updates between two searches (the search sorts the buffers).
    hysteresis
        Smallest objective gain that justifies a move.
    max_step
        Largest change of the threshold in one move.
    beta
        The beta of F-beta.
    cost_fp, cost_fn
        Costs of a false positive and of a false negative, for "cost".
    min_precision
        The precision to hold, for "precision".
    min_recall
        The recall to hold, for "recall".
    alert_rate
        The share of events to flag, for "alert_rate".
    budget_step
        The step of the threshold's tracking of an alert budget, in log-odds.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.threshold import ThresholdCalibrator
    >>> rng = random.Random(0)
    >>> calibrator = ThresholdCalibrator()
    >>> calibrator.update(0.2, False)
    >>> calibrator.update(0.6, True)
    >>> calibrator.threshold is None  # no search yet
    True
    >>> round(calibrator.cut(training_share=0.5), 3)  # the class means, mixed half and half
    0.4
    >>> for _ in range(5000):
    ...     positive = rng.random() < 0.05
    ...     score = rng.uniform(0.3, 1.0) if positive else rng.uniform(0.0, 0.4)
    ...     calibrator.update(score, positive)
    >>> 0.3 <= calibrator.threshold <= 0.4
    True

    A budget of 2% of the events, on a stream where 5% are positive:

    >>> budget = ThresholdCalibrator(objective="alert_rate", alert_rate=0.02, window_size=5000)
    >>> flagged = 0
    >>> for i in range(20_000):
    ...     positive = rng.random() < 0.05
    ...     score = rng.uniform(0.3, 1.0) if positive else rng.uniform(0.0, 0.4)
    ...     flagged += i >= 10_000 and score >= budget.cut(training_share=0.5)
    ...     budget.update(score, positive, stream_share=0.05)
    >>> print(f"{flagged / 10_000:.1%}")
    2.0%

    """

    def __init__(
        self,
        objective: str = "gmean",
        window_size: int = 2000,
        positive_window: int = 200,
        min_positives: int = 20,
        refit_every: int = 500,
        hysteresis: float = 0.005,
        max_step: float = 0.2,
        beta: float = 1.0,
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
        min_precision: float = 0.5,
        min_recall: float = 0.8,
        alert_rate: float = 0.01,
        budget_step: float = 0.2,
    ):
        if objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {objective!r}; expected one of {OBJECTIVES}")
        for name, value in [
            ("window_size", window_size),
            ("positive_window", positive_window),
            ("refit_every", refit_every),
        ]:
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        for name, value in [
            ("min_precision", min_precision),
            ("min_recall", min_recall),
            ("alert_rate", alert_rate),
        ]:
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if not (beta > 0 and cost_fp > 0 and cost_fn > 0):
            raise ValueError("beta, cost_fp and cost_fn must be > 0")
        self.objective = objective
        self.window_size = window_size
        self.positive_window = positive_window
        self.min_positives = min_positives
        self.refit_every = refit_every
        self.hysteresis = hysteresis
        self.max_step = max_step
        self.beta = beta
        self.cost_fp = cost_fp
        self.cost_fn = cost_fn
        self.min_precision = min_precision
        self.min_recall = min_recall
        self.alert_rate = alert_rate
        self.budget_step = budget_step
        self._decay = 0.5 ** (1.0 / window_size)
        self._tracks_arrivals = False  # `track` has been called: the budget follows arrivals
        self.reset()

    def _start_class_means(self) -> None:
        # Per class (index 1: positives), the decay of the mean score (a half-life of half the
        # class's window), the decayed sum of the scores and the decayed count.
        self._mean_decays = (0.5 ** (2.0 / self.window_size), 0.5 ** (2.0 / self.positive_window))
        self._score_sums = [0.0, 0.0]
        self._score_counts = [0.0, 0.0]

    def reset(self) -> None:
        """Forget the buffers, the class means and the threshold (after a concept drift)."""
        self._positives = _Window(self.positive_window)
        self._negatives = _Window(self.window_size)
        self._positive_share = 0.5
        self._stream_share: float | None = None  # the last share given to `update`
        # Updates not yet filed into the windows (nothing reads those between two refits).
        self._pending_scores: list[float] = []
        self._pending_labels: list[bool] = []
        self.threshold: float | None = None
        self._start_class_means()

    def swap_classes(self) -> None:
        """The positive class is now the other one (the minority changed): mirror what is known.

        Every recorded score s of a class becomes the score 1 - s of the other class, in that
        class's window (the most recent ones, if it holds fewer); the class means and the stream
        mix are mirrored too. A threshold searched before is searched again on the mirrored
        windows at once, free of `max_step`; without one, the early cut reads the mirrored means.
        """
        self._file_pending()
        positives, negatives = self._positives.in_order, self._negatives.in_order
        self._positives = _Window(self.positive_window)
        self._positives.extend(1.0 - negatives)
        self._negatives = _Window(self.window_size)
        self._negatives.extend(1.0 - positives)
        self._positive_share = 1.0 - self._positive_share
        if self._stream_share is not None:
            self._stream_share = 1.0 - self._stream_share
        sums, counts = self._score_sums, self._score_counts
        self._score_sums = [counts[1] - sums[1], counts[0] - sums[0]]
        self._score_counts = [counts[1], counts[0]]
        if self.threshold is not None:
            self.threshold = None
            self._refit()

    def track(self, score: float) -> None:
        """Count an event scored on arrival toward an alert budget. Once it is called, the budget
        follows the scores of every event scored rather than those of the labelled events, which
        may come weeks later; a caller that scores events as they arrive should call it for each
        (`ScoreThenLearn` does)."""
        self._tracks_arrivals = True
        if self.objective == "alert_rate" and self.threshold is not None:
            self._track_budget(score)

    def _track_budget(self, score: float) -> None:
        threshold = min(max(self.threshold, _LOWEST), 1.0 - _LOWEST)
        log_odds = math.log(threshold / (1.0 - threshold))
        log_odds += self.budget_step * ((score >= threshold) - self.alert_rate)
        self.threshold = 1.0 / (1.0 + math.exp(-log_odds))

    def _file_pending(self) -> None:
        decay, share = self._decay, self._positive_share
        for positive in self._pending_labels:
            share = share * decay + positive * (1 - decay)
        self._positive_share = share
        scores = np.array(self._pending_scores, dtype=float)
        labels = np.array(self._pending_labels, dtype=bool)
        self._positives.extend(scores[labels])
        self._negatives.extend(scores[~labels])
        self._pending_scores, self._pending_labels = [], []

    def _refit(self) -> None:
        n_pos, n_neg = len(self._positives.values), len(self._negatives.values)
        budget = self.objective == "alert_rate"
        if n_neg < self.min_positives or (n_pos < self.min_positives and not budget):
            return
        share = self._stream_share if self._stream_share is not None else self._positive_share
        share = min(max(share, 1e-6), 1 - 1e-6)
        positives, negatives = np.sort(self._positives.values), np.sort(self._negatives.values)
        # Cut j > 0 predicts positive every score >= cuts[j - 1]; cut 0 predicts none. Cuts fall
        # between distinct scores: a threshold cannot split equal ones.
        cuts = np.unique(np.concatenate((positives, negatives)))[::-1]
        tp = np.zeros(len(cuts) + 1)
        tp[1:] = n_pos - np.searchsorted(positives, cuts)
        fp = np.zeros(len(cuts) + 1)
        fp[1:] = n_neg - np.searchsorted(negatives, cuts)
        if budget:
            if self.threshold is not None:  # tracked in `_track_budget` from here
                return
            # The share flagged at each cut; without positives yet, as if all were flagged.
            tpr = tp / n_pos if n_pos else (tp > 0) | (fp > 0)
            flagged = share * tpr + (1 - share) * fp / n_neg
            best = int(np.searchsorted(flagged, self.alert_rate, side="right")) - 1
            self.threshold = _between(cuts, best)
            return
        # Each negative stands for this many negatives of the stream's mix per positive.
        negative_weight = (1 - share) / share * n_pos / n_neg
        values = scores_at_cuts(
            tp,
            fp * negative_weight,
            n_pos,
            n_neg * negative_weight,
            self.objective,
            self.beta,
            self.cost_fp,
            self.cost_fn,
            self.min_precision,
            self.min_recall,
        )
        best = int(np.argmax(values))
        target = _between(cuts, best)
        if self.threshold is None:
            self.threshold = float(target)
            return
        current = values[int(np.count_nonzero(cuts >= self.threshold))]
        if values[best] - current > self.hysteresis:
            step = max(-self.max_step, min(self.max_step, target - self.threshold))
            self.threshold = float(self.threshold + step)


def _between(cuts: np.ndarray, j: int) -> float:
    """A threshold that makes cut j: midway between the scores it separates."""
    upper = cuts[j - 1] if j > 0 else 1.0
    lower = cuts[j] if j < len(cuts) else 0.0
    return float((upper + lower) / 2)


_LOWEST = 1e-12  # the closest a tracked threshold gets to 0 or 1


class _Window:
    """The last `size` values added, in a ring buffer (in no useful order: searches sort them)."""

    def __init__(self, size: int):
        self._buffer = np.empty(size)
        self._cursor = 0
        self._filled = 0

    def extend(self, values: np.ndarray) -> None:
        buffer, cursor = self._buffer, self._cursor
        size = len(buffer)
        new = values[-size:]
        head = min(cursor + len(new), size) - cursor  # what fits before the end of the buffer
        buffer[cursor : cursor + head] = new[:head]
        buffer[: len(new) - head] = new[head:]
        self._cursor = (cursor + len(new)) % size
        self._filled = min(self._filled + len(new), size)

    @property
    def values(self) -> np.ndarray:
        return self._buffer[: self._filled]

    @property
    def in_order(self) -> np.ndarray:
        """The values, oldest first."""
        if self._filled < len(self._buffer):
            return self._buffer[: self._filled].copy()
        return np.roll(self._buffer, -self._cursor)
