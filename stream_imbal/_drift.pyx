# cython: language_level=3
"""The per-event work of the drift policy, compiled: `DriftPolicy.update`, its per-class recall
monitor's (`ClassRecallMonitor.update`) and its hit counts' (`ClassHits.update`), on C fields
(`CompiledFields`), one call from the classifier per labelled event. What happens on a
detection (reports, alarms, confirmations) stays in the Python classes, which extend these.

The arithmetic is the Python code's it replaced: a class's sampling stride is the same
quotient of two integers, rounded once, and truncated; every count is a Python integer.
"""

cimport cython

from cpython.dict cimport PyDict_GetItemWithError
from cpython.object cimport PyObject

from stream_imbal._fhddm cimport CompiledFHDDM
from stream_imbal._fields cimport CompiledFields

cdef double _HUGE_STRIDE = 4611686018427387904.0  # 2 ** 62: larger than any count


@cython.auto_pickle(False)
cdef class HitsFields(CompiledFields):
    """The counts of `stream_imbal.drift.ClassHits` (see it), which extends this class."""

    cdef public dict counts

    cdef dict _fields(self):
        return {"counts": self.counts}

    def update(self, y_true, y_pred) -> None:
        """Count an event of class `y_true`, a hit if `y_pred` is `y_true`."""
        self._update(y_true, y_pred)

    cdef int _update(self, object y_true, object y_pred) except -1:
        cdef PyObject *found = PyDict_GetItemWithError(self.counts, y_true)
        cdef list counts
        if found is NULL:
            counts = self.counts[y_true] = [0, 0]
        else:
            counts = <list>found
        counts[0] += 1
        counts[1] += y_pred == y_true
        return 0


@cython.auto_pickle(False)
cdef class MonitorFields(CompiledFields):
    """What `stream_imbal.drift.ClassRecallMonitor` (see it), which extends this class, reads and
    writes per event."""

    cdef public object long_window, max_rate, min_events
    cdef public dict _seen
    cdef public Py_ssize_t _n
    cdef public bint _warns, _feeds_hits
    cdef public dict _detectors, _long_detectors
    cdef public set _warning_classes
    cdef public bint drift_detected, warning_detected
    cdef public object drifted_class

    cdef dict _fields(self):
        return {
            "long_window": self.long_window,
            "max_rate": self.max_rate,
            "min_events": self.min_events,
            "_seen": self._seen,
            "_n": self._n,
            "_warns": self._warns,
            "_feeds_hits": self._feeds_hits,
            "_detectors": self._detectors,
            "_long_detectors": self._long_detectors,
            "_warning_classes": self._warning_classes,
            "drift_detected": self.drift_detected,
            "warning_detected": self.warning_detected,
            "drifted_class": self.drifted_class,
        }

    def update(self, y_true, y_pred) -> None:
        """Record whether an event of class `y_true` was recognised."""
        self._update(y_true, y_pred)

    cdef int _update(self, object y_true, object y_pred) except -1:
        self._n += 1
        cdef PyObject *found = PyDict_GetItemWithError(self._seen, y_true)
        seen = (0 if found is NULL else <object>found) + 1
        self._seen[y_true] = seen
        # int(seen / (n * max_rate)) or 1, the quotient of two doubles as Python's
        cdef double quotient = <double>seen / (<double>self._n * <double>self.max_rate)
        if quotient >= _HUGE_STRIDE or seen % (<Py_ssize_t>quotient or 1):
            self.drift_detected = False
            return 0
        found = PyDict_GetItemWithError(self._detectors, y_true)
        if found is NULL:
            detector = self._detectors[y_true] = self._fresh_detector(False)
        else:
            detector = <object>found
        hit = y_pred == y_true
        cdef bint drifted = _update_detector(detector, hit if self._feeds_hits else not hit)
        if self.long_window:
            found = PyDict_GetItemWithError(self._long_detectors, y_true)
            if found is NULL:
                long_detector = self._long_detectors[y_true] = self._fresh_detector(True)
            else:
                long_detector = <object>found
            drifted = _update_detector(long_detector, hit) or drifted
        self.drift_detected = drifted and self._enough_evidence()
        if self._warns:
            warnings = self._warning_classes
            if detector.warning_detected:
                warnings.add(y_true)
                self.warning_detected = True
            elif warnings:
                warnings.discard(y_true)
                self.warning_detected = bool(warnings)
        self.drifted_class = y_true
        return 0

    cdef bint _enough_evidence(self) except -1:
        """Whether every class has had `min_events` events since the last reset."""
        if not self.min_events:
            return True
        seen = self._seen
        return len(seen) > 1 and min(seen.values()) >= self.min_events


@cython.auto_pickle(False)
cdef class PriorFields(CompiledFields):
    """What `stream_imbal.drift.PriorShiftDetector` (see it), which extends this class, reads
    and writes per event."""

    cdef public object _history
    cdef public dict _detectors
    cdef public list _active
    cdef public bint drift_detected
    cdef public object _split

    cdef dict _fields(self):
        return {
            "_history": self._history,
            "_detectors": self._detectors,
            "_active": self._active,
            "drift_detected": self.drift_detected,
            "_split": self._split,
        }

    def update(self, y) -> None:
        """Count one label."""
        self._update(y)

    cdef int _update(self, object y) except -1:
        if y not in self._detectors:
            self._add_class(y)
        self._history.append(y)
        self._split = None  # the change point moves with the history
        cdef bint drift = False
        for label, detector in self._active:
            detector.update(1.0 if y == label else 0.0)
            drift = drift or detector.drift_detected
        self.drift_detected = drift
        return 0


cdef bint _update_detector(object detector, object value) except -1:
    """`detector.update(value)`, then whether it detected a drift."""
    if type(detector) is CompiledFHDDM:
        (<CompiledFHDDM>detector).update(value)
        return (<CompiledFHDDM>detector)._drift
    detector.update(value)
    return detector.drift_detected


@cython.auto_pickle(False)
cdef class PolicyFields(CompiledFields):
    """What `stream_imbal.drift.DriftPolicy` (see it), which extends this class, reads and writes
    per event."""

    cdef dict _fields(self):
        return {
            "detect_concept": self.detect_concept,
            "detect_prior": self.detect_prior,
            "_monitor": self._monitor,
            "_prior": self._prior,
            "_watch_concept_from": self._watch_concept_from,
            "_before": self._before,
            "_pending": self._pending,
            "concept_alarm": self.concept_alarm,
            "prior_shift_detected": self.prior_shift_detected,
            "warning_detected": self.warning_detected,
        }

    @property
    def confirming(self) -> bool:
        """Whether a concept-drift alarm is waiting for the events that confirm it."""
        return self._confirming()

    def update(self, y_true, y_pred, index, y_pred_reference=None):
        """Feed one labelled event; return "concept" or "prior" when a drift is reported.

        `y_pred_reference`, while `confirming`, is the decision of a copy of the model taken
        before the dip that raised the alarm: the alarm is also confirmed when that copy's
        recall drops as lastingly. A learner that adapts within the trial hides a real drift
        from the first test, never from the second; and a dip of the model's own (a swing as it
        learns, not a drift) is not in the copy taken before it. `concept_alarm` then says
        whether the concept monitor fired (the response's cue), whether or not that is reported
        yet.
        """
        return self._update(y_true, y_pred, index, y_pred_reference)

    cdef object _update(self, object y_true, object y_pred, object index, object y_pred_reference):
        kind = None
        self.prior_shift_detected = self.concept_alarm = False
        if self.detect_prior:
            prior = self._prior
            if isinstance(prior, PriorFields):
                (<PriorFields>prior)._update(y_true)
            else:
                prior.update(y_true)
            if prior.drift_detected:
                self.prior_shift_detected = True
                kind = self._prior_shift(index)
        if self._pending is not None:
            kind = self._confirm(y_true, y_pred, y_pred_reference, index) or kind
        if self.detect_concept and index >= self._watch_concept_from:
            monitor = self._monitor
            if isinstance(monitor, MonitorFields):
                (<MonitorFields>monitor)._update(y_true, y_pred)
            else:
                monitor.update(y_true, y_pred)
            (<HitsFields?>self._before)._update(y_true, y_pred)
            if monitor.drift_detected:
                kind = self._alarm(index, monitor.name, y_true) or kind
            self.warning_detected = monitor.warning_detected
        return kind
