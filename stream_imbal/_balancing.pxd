# cython: language_level=3
"""The compiled training under class weights (see `_balancing.pyx`), for the compiled pool
(`_pool.pyx`) and classifier (`_classifier.pyx`) to call in C."""

from stream_imbal._fields cimport CompiledFields


cpdef object learn_weighted(
    object learner, object x, object y, object weight, bint takes_weight, object rng
)


cdef class ReweightFields(CompiledFields):
    cdef public object relative_to, scale, max_repeats, _weights

    cdef object _train(
        self, object learner, object x, object y, object prior, bint takes_weight, object rng
    )
