"""What to watch for drift and how to answer it."""

from __future__ import annotations

import collections
from collections.abc import Hashable

from river import base

from stream_imbal.drift.class_recall import ClassRecallMonitor
from stream_imbal.drift.events import CONCEPT, PRIOR, DriftEvent
from stream_imbal.drift.prior_shift import PriorShiftDetector

__all__ = ["DriftPolicy", "RESPONSES"]

RESPONSES = ("background", "reset", "none")


class DriftPolicy(base.Base):
    """Concept-drift and prior-shift detection, and the response to a concept drift.

    A concept drift (some class's recall drops, seen by `concept_monitor`) is answered by
    `response`: "background" puts a learner trained since the warning (a fresh one if there
    was no warning) on trial for `grace_period` events and swaps it in if its mean class recall
    is at least the active learner's, "reset" starts a fresh learner at once, "none" only
    reports it. A prior shift (the
    label proportions move, seen by `prior_detector`) is answered by recalibration alone: the
    caller restarts its prior estimate from the data after the change, and the per-class
    recall monitors start over (the class weights, hence each class's errors, move with the
    prior). One shift makes an adaptive window cut several times, so prior detections closer
    than `prior_cooldown` events to the previous report update the estimate without being
    reported again.

    Parameters
    ----------
    concept_monitor
        Per-class recall monitor; defaults to `ClassRecallMonitor()` (FHDDM per class over 25
        and over 200 events, silent until every class has had 30 events since the last reset).
    prior_detector
        Label-proportion detector; defaults to `PriorShiftDetector()` (ADWIN per class).
    response
        "background", "reset" or "none".
    detect_concept, detect_prior
        Switch either kind of detection off.
    prior_cooldown
        Events during which further prior detections are not reported again.
    grace_period
        Events after the start and after each concept drift during which recall is not
        monitored (a young learner's errors move as it learns, which is not drift); also the
        length of a background learner's trial.
    max_events
        How many drift events are kept (the oldest are dropped).

    Examples
    --------
    >>> import random
    >>> from stream_imbal.drift import DriftPolicy
    >>> rng = random.Random(3)
    >>> policy = DriftPolicy()
    >>> kinds = []
    >>> for i in range(20_000):
    ...     y = rng.random() < (0.2 if i < 10_000 else 0.02)
    ...     kind = policy.update(y, y, i)  # a perfect classifier: no concept drift
    ...     if kind:
    ...         kinds.append(kind)
    >>> kinds
    ['prior']
    >>> policy.events[0].detector
    'ADWIN(prior)'

    """

    def __init__(
        self,
        concept_monitor: ClassRecallMonitor | None = None,
        prior_detector: PriorShiftDetector | None = None,
        response: str = "background",
        detect_concept: bool = True,
        detect_prior: bool = True,
        prior_cooldown: int = 1000,
        grace_period: int = 1000,
        max_events: int = 10_000,
    ):
        if response not in RESPONSES:
            raise ValueError(f"unknown drift response {response!r}; expected one of {RESPONSES}")
        self.concept_monitor = concept_monitor
        self.prior_detector = prior_detector
        self.response = response
        self.detect_concept = detect_concept
        self.detect_prior = detect_prior
        self.prior_cooldown = prior_cooldown
        self.grace_period = grace_period
        self.max_events = max_events
        self._monitor = (concept_monitor or ClassRecallMonitor()).clone()
        self._prior = (prior_detector or PriorShiftDetector()).clone()
        self._events: collections.deque[DriftEvent] = collections.deque(maxlen=max_events)
        self.n_reported = 0  # every drift reported, including those no longer kept
        self._last_prior_report = -prior_cooldown
        self._watch_concept_from = grace_period
        self.prior_shift_detected = False
        self.warning_detected = False  # a class's recall is in its detector's warning zone

    @property
    def events(self) -> tuple[DriftEvent, ...]:
        """Drifts reported so far (the most recent `max_events`)."""
        return tuple(self._events)

    @property
    def prior_estimate(self) -> tuple[dict[Hashable, float], float]:
        """Class shares since the last detected prior shift and the events they rest on."""
        return self._prior.shares, self._prior.support

    def update(self, y_true: Hashable, y_pred: Hashable, index: int) -> str | None:
        """Feed one labelled event; return "concept" or "prior" when a drift is reported."""
        kind = None
        self.prior_shift_detected = False
        if self.detect_prior:
            prior = self._prior
            prior.update(y_true)
            if prior.drift_detected:
                self.prior_shift_detected = True
                if index - self._last_prior_report >= self.prior_cooldown:
                    self._last_prior_report = index
                    kind = self._report(index, PRIOR, prior.name, None)
                    # New class weights move each class's errors: recall baselines start over.
                    self.restart_concept_monitor(index)
        if self.detect_concept and index >= self._watch_concept_from:
            monitor = self._monitor
            monitor.update(y_true, y_pred)
            if monitor.drift_detected:
                kind = self._report(index, CONCEPT, monitor.name, y_true)
                monitor.reset()
                self._watch_concept_from = index + self.grace_period
            self.warning_detected = monitor.warning_detected
        return kind

    def restart_concept_monitor(self, index: int) -> None:
        """Forget the recall baselines: the model's errors moved for a reason other than drift.

        Call it when the model that feeds `update` changes (another learner takes over): the
        recall monitors stay silent for `grace_period` events, then until every class has had
        the monitor's `min_events` events.

        """
        self._monitor.reset()
        self.warning_detected = False
        self._watch_concept_from = index + self.grace_period

    def _report(self, index: int, kind: str, detector: str, label: Hashable | None) -> str:
        self._events.append(DriftEvent(index, kind, detector, label))
        self.n_reported += 1
        return kind
