# cython: language_level=3
"""`CalibratorFields` (see `_calibration.pyx`), for the compiled classifier (`_classifier.pyx`)
to read its cut and update it without a Python call."""

from stream_imbal._fields cimport CompiledFields


cdef class CalibratorFields(CompiledFields):
    cdef public object objective, refit_every
    cdef public bint _tracks_arrivals
    cdef public object _stream_share
    cdef public list _pending_scores, _pending_labels
    cdef public object threshold
    cdef public tuple _mean_decays
    cdef public list _score_sums, _score_counts

    cdef object _cut(self, object training_share)
    cdef int _update(self, object score, object positive, object stream_share) except -1
