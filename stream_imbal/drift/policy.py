"""What to watch for drift and how to answer it."""

from __future__ import annotations

import collections
from collections.abc import Hashable

from river import base

from stream_imbal._drift import PolicyFields
from stream_imbal.drift.class_recall import ClassRecallMonitor
from stream_imbal.drift.confirmation import ClassHits, recall_drop_p
from stream_imbal.drift.events import CONCEPT, PRIOR, DriftEvent
from stream_imbal.drift.prior_shift import PriorShiftDetector

__all__ = ["DriftPolicy", "RESPONSES"]

RESPONSES = ("background", "reset", "none")


class DriftPolicy(PolicyFields, base.Base):
    """Concept-drift and prior-shift detection, and the response to a concept drift.

    A concept-drift alarm (some class's recall drops, seen by `concept_monitor`) is answered by
    `response`: "background" puts a learner trained since the warning (a fresh one if there
    was no warning) on trial for `grace_period` events and swaps it in if its mean class recall
    is at least the active learner's, "reset" starts a fresh learner at once, "none" does
    nothing. The alarm is *reported* as a concept drift only once it is confirmed: when some
    class's recall over the `grace_period` events after it is still below its recall since the
    monitoring started, at confidence 1 - `confirm_delta` (`recall_drop_p`), for the model or
    for a copy of it from before the alarm (`update`'s `y_pred_reference`). A per-class
    detector that tests every window of a long stationary stream fires on chance now and then,
    and a report an operator learns to ignore is worse than none; the events after the alarm
    had no part in choosing it, so they test it fairly. The report comes `grace_period` events
    after the alarm, with the alarm's detector and class. With "reset" the model is new after
    the alarm, so nothing can confirm it: every alarm is reported at once. A prior shift (the
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
    confirm_delta
        Largest `recall_drop_p` at which an alarm is confirmed; None reports every alarm at once.
    grace_period
        Events after the start and after each concept-drift alarm during which recall is not
        monitored (a young learner's errors move as it learns, which is not drift); also the
        length of a background learner's trial and of the alarm's confirmation.
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
        confirm_delta: float | None = 1e-6,
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
        self.confirm_delta = confirm_delta
        self.grace_period = grace_period
        self.max_events = max_events
        self._monitor = (concept_monitor or ClassRecallMonitor()).clone()
        self._prior = (prior_detector or PriorShiftDetector()).clone()
        self._events: collections.deque[DriftEvent] = collections.deque(maxlen=max_events)
        self.n_reported = 0  # every drift reported, including those no longer kept
        self.n_alarms = 0  # every concept-drift alarm, confirmed or not
        self._last_prior_report = -prior_cooldown
        self._watch_concept_from = grace_period
        self._start_confirmation_state()
        self.prior_shift_detected = False
        self.warning_detected = False  # a class's recall is in its detector's warning zone

    def _start_confirmation_state(self) -> None:
        self._before = ClassHits()  # the monitored model's hits since monitoring (re)started
        # An alarm waiting for its confirmation: (its event, hits before it, hits after it, and
        # the reference copy's hits after it).
        self._pending: tuple[DriftEvent, ClassHits, ClassHits, ClassHits] | None = None
        self.concept_alarm = False  # the concept monitor fired on the last event

    @property
    def events(self) -> tuple[DriftEvent, ...]:
        """Drifts reported so far (the most recent `max_events`)."""
        return tuple(self._events)

    @property
    def prior_estimate(self) -> tuple[dict[Hashable, float], float]:
        """Class shares since the last detected prior shift and the events they rest on."""
        return self._prior.shares, self._prior.support

    @property
    def confirms_alarms(self) -> bool:
        """Whether an alarm waits for the events after it, rather than being reported at once:
        not with `confirm_delta=None`, nor with "reset" (the model after the alarm is new)."""
        return self.confirm_delta is not None and self.response != "reset"

    @property
    def tests_reference(self) -> bool:
        """Whether an alarm may be confirmed by a reference copy of the model (see `update`)."""
        return self.detect_concept and self.confirms_alarms

    def _prior_shift(self, index: int) -> str | None:
        """Answer the prior shift detected at `index` (`update`): report it, unless another was
        within `prior_cooldown` events."""
        if index - self._last_prior_report < self.prior_cooldown:
            return None
        self._last_prior_report = index
        kind = self._report(index, PRIOR, self._prior.name, None)
        # New class weights move each class's errors: recall baselines start over.
        self.restart_concept_monitor(index)
        return kind

    def _alarm(self, index: int, detector: str, label: Hashable) -> str | None:
        """Answer the concept monitor's alarm; report it at once if it cannot be confirmed."""
        self.n_alarms += 1
        self.concept_alarm = True
        self._monitor.reset()
        self._watch_concept_from = index + self.grace_period
        before, self._before = self._before, ClassHits()
        if not self.confirms_alarms:
            return self._report(index, CONCEPT, detector, label)
        alarm = DriftEvent(index, CONCEPT, detector, label)
        self._pending = (alarm, before, ClassHits(), ClassHits())
        return None

    def _confirm(
        self, y_true: Hashable, y_pred: Hashable, y_pred_reference: Hashable | None, index: int
    ) -> str | None:
        """Count an event after the pending alarm; report the alarm if its drop has lasted,
        for the model or for the reference copy of it."""
        alarm, before, after, reference_after = self._pending
        after.update(y_true, y_pred)
        if y_pred_reference is not None:
            reference_after.update(y_true, y_pred_reference)
        if index < alarm.index + self.grace_period:
            return None
        self._pending = None
        drop_p = min(recall_drop_p(before, after), recall_drop_p(before, reference_after))
        if drop_p > self.confirm_delta:
            return None
        return self._report(index, CONCEPT, alarm.detector, alarm.class_label)

    def restart_concept_monitor(self, index: int) -> None:
        """Forget the recall baselines: the model's errors moved for a reason other than drift.

        Call it when the model that feeds `update` changes (another learner takes over): the
        recall monitors stay silent for `grace_period` events, then until every class has had
        the monitor's `min_events` events.

        """
        self._monitor.reset()
        self._before = ClassHits()
        self.warning_detected = False
        self._watch_concept_from = index + self.grace_period

    def _report(self, index: int, kind: str, detector: str, label: Hashable | None) -> str:
        self._events.append(DriftEvent(index, kind, detector, label))
        self.n_reported += 1
        return kind
