"""Detection of a shift in the class proportions (prior shift)."""

from __future__ import annotations

import collections
import math
from collections.abc import Hashable, Mapping

import numpy as np
from river import base
from river.drift import ADWIN

from stream_imbal._drift import PriorFields

__all__ = ["PriorShiftDetector"]


class PriorShiftDetector(PriorFields, base.Base):
    """Watch each class's share of the labels with an adaptive window (ADWIN by default).

    A prior shift moves the class proportions while P(x | y) stays put: the model is still right
    about each class, only the decision rule must move. Each class's indicator [y = k] feeds its
    own clone of `detector`. When one fires, the most likely change point among the last
    `history` labels is found (the split maximising a two-segment multinomial likelihood), and
    `shares` and `support` give the proportions after it and how many events they rest on, so
    the caller can restart its prior estimate from the data after the change. ADWIN cuts its
    window in a few steps after a change, so one shift may fire several times in a row. Two
    classes share one detector (their indicators are complements).

    Parameters
    ----------
    detector
        A river drift detector on a real-valued input; defaults to `ADWIN(delta=0.002)`.
    history
        Number of recent labels kept to locate the change point.
    min_segment
        Fewest events on either side of a change point.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.drift import PriorShiftDetector
    >>> rng = random.Random(7)
    >>> detector = PriorShiftDetector()
    >>> detections = []
    >>> for i in range(12_000):
    ...     detector.update(rng.random() < (0.05 if i < 10_000 else 0.005))
    ...     if detector.drift_detected:
    ...         detections.append(i)
    >>> detections[0]
    10879
    >>> round(detector.shares[True], 4), detector.support  # the change was at 10_000
    (0.0075, 2009.0)

    """

    def __init__(
        self,
        detector: base.DriftDetector | None = None,
        history: int = 5000,
        min_segment: int = 100,
    ):
        self.detector = detector
        self.history = history
        self.min_segment = min_segment
        self._history: collections.deque = collections.deque(maxlen=history)
        self._prototype = detector if detector is not None else ADWIN(delta=0.002)
        self._detectors: dict[Hashable, base.DriftDetector] = {}
        self._classes: list[Hashable] = []
        self._active: list[tuple[Hashable, base.DriftDetector]] = []
        self.drift_detected = False
        self._split: int | None = None  # the change point of the history as it is

    def _add_class(self, y: Hashable) -> None:
        self._classes.append(y)
        # With two classes one detector is enough: the second's indicator is its complement.
        self._detectors[y] = None if len(self._classes) == 2 else self._prototype.clone()
        if len(self._classes) == 3:  # a third class needs the second's own detector back
            self._detectors[self._classes[1]] = self._prototype.clone()
        self._active = [(k, d) for k, d in self._detectors.items() if d is not None]

    @property
    def shares(self) -> dict[Hashable, float]:
        """Class shares since the most likely change point among the recent labels."""
        start = self._change_point()
        recent = list(self._history)[start:]
        return {label: recent.count(label) / len(recent) for label in self._classes}

    @property
    def support(self) -> float:
        """Number of events behind `shares`."""
        return float(len(self._history) - self._change_point())

    def _change_point(self) -> int:
        """Split of the recent labels that maximises a two-segment multinomial likelihood (the
        first such split; 0 when no split leaves `min_segment` events on each side), kept until
        the next label.

        Every split is scored at once with numpy; the splits within a hair of the best score
        are scored again as `_log_likelihood` scores them (numpy's logarithm may differ from
        `math.log` in the last bit), and the first best of those is the change point: the one
        a scan of every split with `_log_likelihood` finds.
        """
        if self._split is not None:
            return self._split
        history = list(self._history)
        n, low = len(history), self.min_segment
        splits = np.arange(low, min(n - low, n - 1) + 1)
        if not len(splits):
            self._split = 0
            return 0
        first_seen = {label: i for i, label in reversed(list(enumerate(history)))}
        labels = sorted(first_seen, key=first_seen.__getitem__)  # a Counter's order
        position = {label: k for k, label in enumerate(labels)}
        codes = np.array([position[label] for label in history], dtype=np.intp)
        before = np.zeros((len(labels), n + 1), dtype=np.int64)  # counts in history[:split]
        for k in range(len(labels)):
            np.cumsum(codes == k, out=before[k, 1:])
        before, totals = before[:, splits], before[:, n : n + 1]
        score = _vector_log_likelihood(before, splits) + _vector_log_likelihood(
            totals - before, n - splits
        )
        near = splits[score >= score.max() - 1e-9 * max(1.0, abs(score.max()))]
        best, best_split = -math.inf, 0
        for split in near.tolist():
            counts_before = {
                label: int(c) for label, c in zip(labels, before[:, split - low], strict=True)
            }
            counts_after = {
                label: int(totals[k, 0]) - counts_before[label] for k, label in enumerate(labels)
            }
            likelihood = _log_likelihood(counts_before, split) + _log_likelihood(
                counts_after, n - split
            )
            if likelihood > best:
                best, best_split = likelihood, split
        self._split = best_split
        return best_split

    @property
    def name(self) -> str:
        return f"{type(self._prototype).__name__}(prior)"


def _log_likelihood(counts: Mapping[Hashable, int], n: int) -> float:
    return sum(c * math.log(c / n) for c in counts.values() if c > 0)


def _vector_log_likelihood(counts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """`_log_likelihood` of each column of `counts` (classes by splits) over its `n`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = counts * np.log(counts / n)
    return np.where(counts > 0, terms, 0.0).sum(axis=0)
