"""Per-class error monitoring, so a drift that hurts only the minority class is caught."""

from __future__ import annotations

from collections.abc import Hashable

from river import base
from river.drift.binary import FHDDM

from stream_imbal._drift import MonitorFields
from stream_imbal._fhddm import CompiledFHDDM

__all__ = ["ClassRecallMonitor"]


class ClassRecallMonitor(MonitorFields, base.Base):
    """Run one binary drift detector per class on that class's errors (DDM-OCI style).

    At 1:100 the minority barely moves the overall error rate, so a detector on the overall
    error misses a drift that only hurts the minority. Here each class gets its own clone of
    `detector`, updated only on events of that class with 1 for a miss (the recall's
    complement), so a drop of any class's recall is tested on that class's own events.
    `warning_detected` stays up while any class's detector is in its warning zone.

    A frequent class does not need all its events to be tested: each class's detector sees at
    most a `max_rate` share of the stream (every n-th event of the class, n from the class's
    share so far), which keeps the cost on the majority class low; rare classes see every event.

    A short window sees only large drops: FHDDM's bound over 25 events is 0.52 at its
    default confidence, so a majority recall falling from 0.98 to 0.73 (SEA's drift in the
    demo) passes unseen. Each class therefore also feeds a second FHDDM over its last
    `long_window` tested events, whose bound (0.19 over 200) catches smaller lasting drops;
    either detector reports a drift.

    No class's drift is reported before every class has had `min_events` events since the last
    reset. What limits a young model is its rarest class: at 1:1000 the majority's errors at a
    fixed cut swing with each of the first few dozen minority events the learner takes, and
    FHDDM, whose reference is the best window it has seen, reads each swing as a drift. A window
    of 25 minority events is also no evidence before 25 of them exist. What each rule changed,
    measured: docs/drift-alarms.md.

    Parameters
    ----------
    detector
        A river binary detector with warnings (`drift.binary.DDM`, `EDDM`, `FHDDM`, `HDDMA`,
        `HDDMW`); defaults to `FHDDM(sliding_window_size=25)`: on our scenarios it raised as
        few false alarms as the HDDM tests at a tenth of their cost, and its short window
        catches a minority-recall drop at 1:100 within a few dozen minority events.
        Non-binary detectors such as `drift.ADWIN` and `drift.PageHinkley` work too (they see
        0/1 values) but never warn.
    long_window
        Window of the second, slower FHDDM each class feeds beside `detector` (its hits, at
        `detector`'s sampling); 0 runs `detector` alone.
    max_rate
        Largest share of the stream's events any one class's detector is fed.
    min_events
        Events of *every* class needed since the start (or the last reset) before any class's
        detector may report a drift; 0 lets a detector fire as soon as it is full.

    Notes
    -----
    river's `FHDDM` flags a *drop* of the mean of its input (its code tracks the largest mean
    seen), whatever its docstring says, so it is fed hits (1 = recognised); every other
    detector is fed misses (1 = error).

    Examples
    --------
    >>> import random
    >>> from stream_imbal.drift import ClassRecallMonitor
    >>> rng = random.Random(0)
    >>> monitor = ClassRecallMonitor()
    >>> for i in range(20_000):
    ...     y = rng.random() < 0.01
    ...     miss_rate = 0.1 if (i < 10_000 or not y) else 0.8  # minority recall drops
    ...     y_pred = (not y) if rng.random() < miss_rate else y
    ...     monitor.update(y, y_pred)
    ...     if monitor.drift_detected:
    ...         print(f"drift on class {monitor.drifted_class} at {i}")
    ...         break
    drift on class True at 11571

    """

    def __init__(
        self,
        detector: base.DriftDetector | None = None,
        long_window: int = 200,
        max_rate: float = 0.25,
        min_events: int = 30,
    ):
        if not 0 < max_rate <= 1:
            raise ValueError(f"max_rate must be in (0, 1], got {max_rate}")
        if long_window < 0:
            raise ValueError(f"long_window must be >= 0, got {long_window}")
        self.detector = detector
        self.long_window = long_window
        self.max_rate = max_rate
        self.min_events = min_events
        self._prototype = detector if detector is not None else FHDDM(sliding_window_size=25)
        self._seen: dict[Hashable, int] = {}
        self._n = 0
        self._warns = hasattr(self._prototype, "warning_detected")
        self._feeds_hits = isinstance(self._prototype, FHDDM)
        self._detectors: dict[Hashable, base.DriftDetector] = {}
        self._long_detectors: dict[Hashable, CompiledFHDDM] = {}
        self._warning_classes: set[Hashable] = set()
        self.drift_detected = False
        self.warning_detected = False
        self.drifted_class: Hashable | None = None

    def _fresh_detector(self, long: bool) -> base.DriftDetector | CompiledFHDDM:
        """A new detector for a class (`update` makes them): `detector`'s kind, or the FHDDM over
        `long_window` events."""
        if long:
            return _new_detector(FHDDM(sliding_window_size=self.long_window))
        return _new_detector(self._prototype)

    def reset(self) -> None:
        """Forget every class's statistics (after the model was replaced)."""
        self._detectors.clear()
        self._long_detectors.clear()
        self._warning_classes.clear()
        self._seen.clear()
        self._n = 0
        self.drift_detected = self.warning_detected = False

    @property
    def name(self) -> str:
        return f"{type(self._prototype).__name__}(class={self.drifted_class!r})"


def _new_detector(prototype: base.DriftDetector) -> base.DriftDetector | CompiledFHDDM:
    """A fresh detector like `prototype`: river's FHDDM without a short window runs compiled
    (`CompiledFHDDM`, river's detections update by update); any other, as river's clone."""
    if type(prototype) is FHDDM and prototype.short_window_size is None:
        return CompiledFHDDM(prototype.sliding_window_size, prototype.confidence_level)
    return prototype.clone()
