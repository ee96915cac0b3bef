# cython: language_level=3
"""`DecayedCounts` (see `_priors.pyx`), for the compiled classifier (`_classifier.pyx`) to
update and read its priors without a Python call."""

from stream_imbal._fields cimport CompiledFields


cdef class DecayedCounts(CompiledFields):
    cdef public double _theta, _growth, _scale, _total, _sum_sq
    cdef public dict _counts
    cdef public object _shares, _minority
    cdef public bint _minority_known

    cdef Py_ssize_t _n_classes(self)
    cdef object _current_minority(self)
    cdef int _update(self, object y, double w) except -1
    cdef double _share(self, object label) except? -1.0
