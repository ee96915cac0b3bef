"""Detection of a shift in the class proportions (prior shift)."""

from __future__ import annotations

import collections
import math
from collections.abc import Hashable

from river import base
from river.drift import ADWIN

__all__ = ["PriorShiftDetector"]


class PriorShiftDetector(base.Base):
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

    def update(self, y: Hashable) -> None:
        """Count one label."""
        if y not in self._detectors:
            self._add_class(y)
        self._history.append(y)
        drift = False
        for label, detector in self._active:
            detector.update(1.0 if y == label else 0.0)
            drift = drift or detector.drift_detected
        self.drift_detected = drift

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
        """Split of the recent labels that maximises a two-segment multinomial likelihood."""
        history = list(self._history)
        n = len(history)
        after = collections.Counter(history)
        before: collections.Counter = collections.Counter()
        best, best_split = -math.inf, 0
        for split in range(n):
            if split >= self.min_segment and n - split >= self.min_segment:
                likelihood = _log_likelihood(before, split) + _log_likelihood(after, n - split)
                if likelihood > best:
                    best, best_split = likelihood, split
            before[history[split]] += 1
            after[history[split]] -= 1
        return best_split

    @property
    def name(self) -> str:
        return f"{type(self._prototype).__name__}(prior)"


def _log_likelihood(counts: collections.Counter, n: int) -> float:
    return sum(c * math.log(c / n) for c in counts.values() if c > 0)
