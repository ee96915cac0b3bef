"""Recall of every class over a sliding window of recent events."""

from __future__ import annotations

import math
from collections.abc import Hashable

from river import metrics, utils

__all__ = ["WindowedClassRecall"]


class WindowedClassRecall(metrics.base.MultiClassMetric):
    """Recall of every class over the last `window_size` events.

    The overall error rate hides a minority class that stops being recognised; its own recall
    over a recent window does not. Updating is O(1): the window is a ring buffer over a
    confusion matrix, the oldest event being reverted as a new one comes in.

    Parameters
    ----------
    window_size
        How many recent events the recalls are measured on.

    Examples
    --------

    >>> from stream_imbal.metrics import WindowedClassRecall

    >>> y_true = ["fraud", "ok", "ok", "fraud", "ok", "ok"]
    >>> y_pred = ["fraud", "ok", "fraud", "ok", "ok", "ok"]

    >>> metric = WindowedClassRecall(window_size=4)
    >>> for yt, yp in zip(y_true, y_pred):
    ...     metric.update(yt, yp)

    The first fraud, recognised, has left the window; the second one was missed:

    >>> metric.get()
    {'fraud': 0.0, 'ok': 0.6666666666666666}
    >>> metric
    WindowedClassRecall: {'fraud': 0.00%, 'ok': 66.67%}

    A class without an event in the window has no recall:

    >>> metric.recall("chargeback")
    nan

    """

    def __init__(self, window_size: int = 1000):
        if window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}")
        super().__init__(utils.Rolling(metrics.ConfusionMatrix, window_size=window_size))
        self.window_size = window_size

    def revert(self, y_true, y_pred, w=1.0) -> None:
        raise NotImplementedError("a WindowedClassRecall forgets old events by itself")

    def recall(self, label: Hashable) -> float:
        """Recall of `label` over the window, NaN if it has no event there."""
        support = self.cm.sum_row.get(label, 0.0)
        return self.cm[label][label] / support if support else math.nan

    def get(self) -> dict[Hashable, float]:
        """Recall of every class that has an event in the window, in label order."""
        sum_row = self.cm.sum_row
        return {c: self.cm[c][c] / n for c, n in sorted(sum_row.items(), key=_by_str) if n}

    def __repr__(self):
        recalls = ", ".join(f"{c!r}: {r:.2%}" for c, r in self.get().items())
        return f"{type(self).__name__}: {{{recalls}}}"


def _by_str(item: tuple[Hashable, float]) -> str:
    return str(item[0])
