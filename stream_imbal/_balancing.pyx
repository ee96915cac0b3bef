# cython: language_level=3
"""How one event trains a learner under a weight (`learn_weighted`), compiled: it runs for each
candidate of a pool and each labelled event, and is a call rather than an interpreted frame."""

from stream_imbal._hoeffding import poisson


cpdef object learn_weighted(
    object learner, object x, object y, object weight, bint takes_weight, object rng
):
    """Train `learner` once with `w=weight`, or Poisson(weight) times if it takes no weight.

    Returns the weight the event actually received.
    """
    if takes_weight:
        learner.learn_one(x, y, w=weight)
        return weight
    cdef int repeats = poisson(weight, rng)
    for _ in range(repeats):
        learner.learn_one(x, y)
    return float(repeats)
