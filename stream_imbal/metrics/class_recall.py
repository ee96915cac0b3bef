"""Recall of every class over a sliding window of recent events."""

from __future__ import annotations

import collections
import math
from collections.abc import Hashable

from river import base, metrics

__all__ = ["WindowedClassRecall"]


class WindowedClassRecall(metrics.base.Metric):
    """Recall of every class over the last `window_size` events.

    The overall error rate hides a minority class that stops being recognised; its own recall
    over a recent window does not. Updating is O(1): the window is a queue of (label,
    prediction) pairs over per-class counts, the oldest pair leaving as a new one comes in.

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

    The alerts for fraud over the window, and the share of the "ok" events among them:

    >>> metric.predicted_share("fraud"), metric.false_positive_rate("fraud")
    (0.25, 0.3333333333333333)

    """

    def __init__(self, window_size: int = 1000):
        if window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}")
        self.window_size = window_size
        self._window: collections.deque[tuple[Hashable, Hashable]] = collections.deque()
        self._support: dict[Hashable, int] = {}  # events of each class in the window
        self._hits: dict[Hashable, int] = {}  # of which recognised
        self._predicted: dict[Hashable, int] = {}  # predictions of each class in the window

    @property
    def bigger_is_better(self) -> bool:
        return True

    def works_with(self, model: base.Estimator) -> bool:
        return isinstance(model, base.Classifier)

    def update(self, y_true: Hashable, y_pred: Hashable) -> None:
        window, support, hits, predicted = self._window, self._support, self._hits, self._predicted
        if len(window) == self.window_size:
            old_true, old_pred = window.popleft()
            support[old_true] -= 1
            predicted[old_pred] -= 1
            if old_true == old_pred:
                hits[old_true] -= 1
        window.append((y_true, y_pred))
        support[y_true] = support.get(y_true, 0) + 1
        predicted[y_pred] = predicted.get(y_pred, 0) + 1
        if y_true == y_pred:
            hits[y_true] = hits.get(y_true, 0) + 1

    def revert(self, y_true, y_pred) -> None:
        raise NotImplementedError("a WindowedClassRecall forgets old events by itself")

    @property
    def classes(self) -> list[Hashable]:
        """The classes with an event or a prediction in the window."""
        seen = {c for c, n in self._support.items() if n}
        return list(seen | {c for c, n in self._predicted.items() if n})

    def recall(self, label: Hashable) -> float:
        """Recall of `label` over the window, NaN if it has no event there."""
        support = self._support.get(label, 0)
        return self._hits.get(label, 0) / support if support else math.nan

    def predicted_share(self, label: Hashable) -> float:
        """Share of the window's events predicted as `label` (its alert rate), NaN if empty."""
        n = len(self._window)
        return self._predicted.get(label, 0) / n if n else math.nan

    def false_positive_rate(self, label: Hashable) -> float:
        """Share of the other classes' events in the window predicted as `label`, NaN if none."""
        others = len(self._window) - self._support.get(label, 0)
        wrong = self._predicted.get(label, 0) - self._hits.get(label, 0)
        return wrong / others if others else math.nan

    def get(self) -> dict[Hashable, float]:
        """Recall of every class that has an event in the window, in label order."""
        support = sorted(self._support.items(), key=_by_str)
        return {c: self._hits.get(c, 0) / n for c, n in support if n}

    def __repr__(self):
        recalls = ", ".join(f"{c!r}: {r:.2%}" for c, r in self.get().items())
        return f"{type(self).__name__}: {{{recalls}}}"


def _by_str(item: tuple[Hashable, float]) -> str:
    return str(item[0])
