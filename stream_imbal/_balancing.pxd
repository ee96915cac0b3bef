# cython: language_level=3
"""`learn_weighted` (see `_balancing.pyx`), for the compiled pool (`_pool.pyx`) to call in C."""


cpdef object learn_weighted(
    object learner, object x, object y, object weight, bint takes_weight, object rng
)
