# cython: language_level=3
"""`PolicyFields` (see `_drift.pyx`), for the compiled classifier (`_classifier.pyx`) to feed its
drift policy and read its flags without a Python call."""

from stream_imbal._fields cimport CompiledFields


cdef class PolicyFields(CompiledFields):
    cdef public object detect_concept, detect_prior, _monitor, _prior, _watch_concept_from
    cdef public object _before, _pending
    cdef public bint concept_alarm, prior_shift_detected, warning_detected

    cdef inline bint _confirming(self):
        return self._pending is not None

    cdef object _update(self, object y_true, object y_pred, object index, object y_pred_reference)
