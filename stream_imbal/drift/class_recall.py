"""Per-class error monitoring, so a drift that hurts only the minority class is caught."""

from __future__ import annotations

from collections.abc import Hashable

from river import base
from river.drift.binary import DDM

__all__ = ["ClassRecallMonitor"]


class ClassRecallMonitor(base.Base):
    """Run one binary drift detector per class on that class's errors (DDM-OCI style).

    At 1:100 the minority barely moves the overall error rate, so a detector on the overall
    error misses a drift that only hurts the minority. Here each class gets its own clone of
    `detector`, updated only on events of that class with 1 for a miss (the recall's
    complement), so a drop of any class's recall is tested on that class's own events.
    `warning_detected` stays up while any class's detector is in its warning zone.

    Parameters
    ----------
    detector
        A river binary detector with warnings (`drift.binary.DDM`, `EDDM`, `FHDDM`, `HDDMA`,
        `HDDMW`); defaults to `DDM()`. Non-binary detectors such as `drift.ADWIN` and
        `drift.PageHinkley` work too (they see 0/1 values) but never warn.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.drift import ClassRecallMonitor
    >>> rng = random.Random(1)
    >>> monitor = ClassRecallMonitor()
    >>> for i in range(20_000):
    ...     y = rng.random() < 0.01
    ...     miss_rate = 0.1 if (i < 10_000 or not y) else 0.8  # minority recall drops
    ...     y_pred = (not y) if rng.random() < miss_rate else y
    ...     monitor.update(y, y_pred)
    ...     if monitor.drift_detected:
    ...         print(f"drift on class {monitor.drifted_class} at {i}")
    ...         break
    drift on class True at 10819

    """

    def __init__(self, detector: base.DriftDetector | None = None):
        self.detector = detector
        self._prototype = detector if detector is not None else DDM()
        self._warns = hasattr(self._prototype, "warning_detected")
        self._detectors: dict[Hashable, base.DriftDetector] = {}
        self._warning_classes: set[Hashable] = set()
        self.drift_detected = False
        self.warning_detected = False
        self.drifted_class: Hashable | None = None

    def update(self, y_true: Hashable, y_pred: Hashable) -> None:
        """Record whether an event of class `y_true` was recognised."""
        detector = self._detectors.get(y_true)
        if detector is None:
            detector = self._detectors[y_true] = self._prototype.clone()
        detector.update(y_pred != y_true)
        self.drift_detected = detector.drift_detected
        if self._warns:
            warnings = self._warning_classes
            if detector.warning_detected:
                warnings.add(y_true)
            elif warnings:
                warnings.discard(y_true)
            self.warning_detected = bool(warnings)
        self.drifted_class = y_true

    def reset(self) -> None:
        """Forget every class's statistics (after the model was replaced)."""
        self._detectors.clear()
        self._warning_classes.clear()
        self.drift_detected = self.warning_detected = False

    @property
    def name(self) -> str:
        return f"{type(self._prototype).__name__}(class={self.drifted_class!r})"
