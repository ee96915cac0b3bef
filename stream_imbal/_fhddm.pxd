# cython: language_level=3
"""`CompiledFHDDM` (see `_fhddm.pyx`), for the compiled drift policy (`_drift.pyx`) to update
and read without a Python call."""


cdef class CompiledFHDDM:
    cdef readonly int window
    cdef readonly double confidence
    cdef double _epsilon, _u_max
    cdef bytearray _ring
    cdef int _head, _count, _n_one
    cdef bint _drift

    cdef void _restart(self)
    cpdef void update(self, bint hit)
