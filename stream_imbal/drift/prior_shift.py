"""Detection of a shift in the class proportions (prior shift)."""

from __future__ import annotations

from collections.abc import Hashable

from river import base
from river.drift import ADWIN

__all__ = ["PriorShiftDetector"]


class PriorShiftDetector(base.Base):
    """Watch each class's share of the labels with an adaptive window (ADWIN by default).

    A prior shift moves the class proportions while P(x | y) stays put: the model is still right
    about each class, only the decision rule must move. Each class's indicator [y = k] feeds its
    own clone of `detector`; when one fires, `shares` and `support` give the proportions
    estimated from the detector's window and how many events they rest on, so the caller can
    restart its prior estimate from the data after the change. ADWIN cuts its window in a few
    steps after a change, so one shift usually fires several times in quick succession. Two
    classes share one detector (their indicators are complements).

    Parameters
    ----------
    detector
        A river drift detector on a real-valued input; defaults to `ADWIN(delta=0.002)`. It must
        expose `estimation` and `width` to restart an estimate from (ADWIN does).

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
    >>> round(detector.shares[True], 4), detector.support
    (0.0054, 1120.0)

    """

    def __init__(self, detector: base.DriftDetector | None = None):
        self.detector = detector
        self._prototype = detector if detector is not None else ADWIN(delta=0.002)
        self._detectors: dict[Hashable, base.DriftDetector] = {}
        self._classes: list[Hashable] = []
        self._active: list[tuple[Hashable, base.DriftDetector]] = []
        self.drift_detected = False

    def update(self, y: Hashable) -> None:
        """Count one label."""
        if y not in self._detectors:
            self._add_class(y)
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
        """Class shares estimated from each detector's current window."""
        raw = {label: d.estimation for label, d in self._detectors.items() if d is not None}
        if len(self._classes) == 2:
            first, second = self._classes
            raw[second] = 1.0 - raw[first]
        total = sum(raw.values())
        return {label: share / total for label, share in raw.items()} if total else raw

    @property
    def support(self) -> float:
        """Number of events behind `shares` (the narrowest detector window)."""
        return float(min(d.width for d in self._detectors.values() if d is not None))

    @property
    def name(self) -> str:
        return f"{type(self._prototype).__name__}(prior)"
