"""A decision threshold chosen on a bounded window of recent (score, label) pairs."""

from __future__ import annotations

import numpy as np
from river import base

from stream_imbal.threshold.objectives import OBJECTIVES, scores_at_cuts

__all__ = ["ThresholdCalibrator"]


class ThresholdCalibrator(base.Base):
    """Pick the threshold on the positive-class score that maximises an objective lately.

    Keeps the last `window_size` (score, is_positive) pairs in a ring buffer. Every
    `refit_every` updates, once the window holds at least `min_positives` positives and as many
    negatives, it sorts the window, scans every cut once for the best objective and moves the
    threshold towards it, but only if that gains more than `hysteresis` over the current
    threshold on the same window, and by at most `max_step`: a few events cannot swing it.

    Parameters
    ----------
    objective
        "gmean" (default), "fbeta", "balanced_accuracy" or "cost".
    window_size
        Number of recent pairs the threshold is chosen on.
    min_positives
        Evidence needed before the threshold is moved at all.
    refit_every
        Updates between two searches (the search sorts the window).
    hysteresis
        Smallest objective gain that justifies a move.
    max_step
        Largest change of the threshold in one move.
    beta
        The beta of F-beta.
    cost_fp, cost_fn
        Costs of a false positive and of a false negative, for "cost".

    Examples
    --------
    >>> import random
    >>> from stream_imbal.threshold import ThresholdCalibrator
    >>> rng = random.Random(0)
    >>> calibrator = ThresholdCalibrator(max_step=1.0)
    >>> calibrator.threshold is None
    True
    >>> for _ in range(5000):
    ...     positive = rng.random() < 0.05
    ...     score = rng.uniform(0.3, 1.0) if positive else rng.uniform(0.0, 0.4)
    ...     calibrator.update(score, positive)
    >>> 0.3 <= calibrator.threshold <= 0.4
    True

    """

    def __init__(
        self,
        objective: str = "gmean",
        window_size: int = 2000,
        min_positives: int = 20,
        refit_every: int = 250,
        hysteresis: float = 0.005,
        max_step: float = 0.2,
        beta: float = 1.0,
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
    ):
        if objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {objective!r}; expected one of {OBJECTIVES}")
        for name, value in [("window_size", window_size), ("refit_every", refit_every)]:
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        self.objective = objective
        self.window_size = window_size
        self.min_positives = min_positives
        self.refit_every = refit_every
        self.hysteresis = hysteresis
        self.max_step = max_step
        self.beta = beta
        self.cost_fp = cost_fp
        self.cost_fn = cost_fn
        self.reset()

    def reset(self) -> None:
        """Forget the window and the threshold (after a concept drift)."""
        self._scores: list[float] = []
        self._labels: list[bool] = []
        self._cursor = 0
        self._until_refit = self.refit_every
        self.threshold: float | None = None

    def update(self, score: float, positive: bool) -> None:
        """Record the score of an event and whether it was positive."""
        if len(self._scores) < self.window_size:
            self._scores.append(score)
            self._labels.append(positive)
        else:
            self._scores[self._cursor] = score
            self._labels[self._cursor] = positive
            self._cursor = (self._cursor + 1) % self.window_size
        self._until_refit -= 1
        if not self._until_refit:
            self._until_refit = self.refit_every
            self._refit()

    def _refit(self) -> None:
        labels = np.array(self._labels, dtype=bool)
        n_pos = int(labels.sum())
        n_neg = len(labels) - n_pos
        if min(n_pos, n_neg) < self.min_positives:
            return
        raw = np.array(self._scores)
        order = np.argsort(-raw, kind="stable")
        scores = raw[order]
        # Cut i predicts the i highest scores positive; cut 0 predicts none.
        tp = np.concatenate(([0], np.cumsum(labels[order])))
        fp = np.arange(len(tp)) - tp
        values = scores_at_cuts(
            tp, fp, n_pos, n_neg, self.objective, self.beta, self.cost_fp, self.cost_fn
        )
        # A cut between equal scores cannot be realised by a threshold.
        realisable = np.concatenate(([True], scores[1:] < scores[:-1], [True]))
        best = int(np.argmax(np.where(realisable, values, -np.inf)))
        upper = scores[best - 1] if best > 0 else 1.0
        lower = scores[best] if best < len(scores) else 0.0
        target = (upper + lower) / 2
        if self.threshold is None:
            self.threshold = float(target)
            return
        current = values[int(np.count_nonzero(scores >= self.threshold))]
        if values[best] - current > self.hysteresis:
            step = max(-self.max_step, min(self.max_step, target - self.threshold))
            self.threshold = float(self.threshold + step)
