"""Kappa-M: Cohen's kappa measured against the majority-class classifier."""

from __future__ import annotations

import math

from river import metrics, utils

__all__ = ["KappaM"]


class KappaM(metrics.base.MultiClassMetric):
    r"""Kappa-M score, cumulative or over a sliding window.

    $$
    \kappa_m = (p_0 - p_m) / (1 - p_m)
    $$

    where $p_0$ is the accuracy of the classifier and $p_m$ the accuracy of the classifier that
    always predicts the majority class of the same events. Unlike Cohen's kappa it is negative
    as soon as a classifier does worse than that trivial one, which is what matters on an
    imbalanced stream. It is NaN when undefined: before any event, or when every event belongs
    to one class ($p_m = 1$).

    Parameters
    ----------
    window_size
        Measure over the last `window_size` events only; `None` (default) measures over all of
        them.
    cm
        A confusion matrix shared with other metrics (cumulative mode only), to save storage
        and time.

    Examples
    --------

    >>> from stream_imbal.metrics import KappaM

    >>> y_true = [0, 0, 0, 0, 1, 0, 0, 1, 0, 0]
    >>> y_pred = [0, 1, 1, 0, 1, 0, 0, 1, 0, 0]

    Accuracy 0.8 against 0.8 for always predicting 0: no better than the majority classifier.

    >>> metric = KappaM()
    >>> for yt, yp in zip(y_true, y_pred):
    ...     metric.update(yt, yp)
    >>> metric
    KappaM: 0.00%

    Over the last 5 events, accuracy 1.0 against 0.8:

    >>> metric = KappaM(window_size=5)
    >>> for yt, yp in zip(y_true, y_pred):
    ...     metric.update(yt, yp)
    >>> metric
    KappaM: 100.00%

    References
    ----------
    [^1]: A. Bifet, G. De Francisci Morales, J. Read, G. Holmes, B. Pfahringer (2015). "Efficient
    Online Evaluation of Big Data Stream Classifiers". KDD 2015, pp. 59-68.

    """

    def __init__(self, window_size: int | None = None, cm: metrics.ConfusionMatrix | None = None):
        if window_size is not None:
            if window_size < 1:
                raise ValueError(f"window_size must be >= 1, got {window_size}")
            if cm is not None:
                raise ValueError("a shared confusion matrix cannot be windowed: pass one or other")
            cm = utils.Rolling(metrics.ConfusionMatrix, window_size=window_size)
        super().__init__(cm)
        self.window_size = window_size

    def revert(self, y_true, y_pred, w=1.0) -> None:
        if self.window_size is not None:
            raise NotImplementedError("a windowed KappaM forgets old events by itself")
        super().revert(y_true, y_pred, w)

    def get(self) -> float:
        total = self.cm.total_weight
        if not total:
            return math.nan
        majority_accuracy = max(self.cm.sum_row.values()) / total
        if majority_accuracy == 1.0:
            return math.nan
        accuracy = self.cm.total_true_positives / total
        return (accuracy - majority_accuracy) / (1.0 - majority_accuracy)
