# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of `CandidatePool`, compiled: normalising each candidate's probabilities,
blending them, and scoring each candidate's ranking of an event among the recent events of
the other classes, on the pool's own lists, dicts and deques (its state and pickles unchanged).

Numbers are C doubles, with the arithmetic of the Python code this replaced, operation by
operation and in the same order, so that every result is the same to the last bit (see
`tests/test_recorded_outputs.py`).
"""

from libc.math cimport isfinite


cpdef list candidate_probas(list members, object x, list classes):
    """Each member's probabilities for `x`, normalised over their finite values; uniform over
    `classes` for a member with no positive finite value (nothing learned yet: no opinion)."""
    cdef list probas = []
    cdef double total, p
    for model in members:
        raw = model.predict_proba_one(x)
        total = 0.0
        for value in raw.values():
            p = value
            if isfinite(p):
                total += p
        if total > 0:
            probas.append({k: <double>value / total for k, value in raw.items() if isfinite(value)})
        else:
            probas.append({k: 1.0 / len(classes) for k in classes})
    return probas


cpdef dict blend(list weights, list probas):
    """The sum over the candidates of their weight times their probabilities."""
    cdef dict out = {}
    cdef double weight
    for i in range(len(probas)):
        weight = weights[i]
        for label, p in (<dict>probas[i]).items():
            out[label] = <double>out.get(label, 0.0) + weight * <double>p
    return out


cdef Py_ssize_t _bisect_left(list ranked, double p):
    cdef Py_ssize_t low = 0, high = len(ranked), middle
    while low < high:
        middle = (low + high) // 2
        if <double>ranked[middle] < p:
            low = middle + 1
        else:
            high = middle
    return low


cdef Py_ssize_t _bisect_right(list ranked, double p):
    cdef Py_ssize_t low = 0, high = len(ranked), middle
    while low < high:
        middle = (low + high) // 2
        if p < <double>ranked[middle]:
            high = middle
        else:
            low = middle + 1
    return low


cpdef void score(object pool, list probas, object y):
    """`CandidatePool._score`: each candidate's probability of `y` for an event of class `y`,
    ranked among its probabilities of `y` for the recent events of other classes, is one
    sample of its AUC for `y` (ties count half), added to its decayed sum; then the event's
    probabilities of each other class join that class's recent events. The weights follow
    the skills once every class has `warm_up` scored events."""
    cdef list ranked = pool._ranked[y], sums, others
    cdef dict counts = pool._counts, n_scored = pool._n_scored
    cdef double decay
    cdef Py_ssize_t i, below, fewest
    if ranked[0]:  # events of other classes to rank this one against
        decay = pool._decay
        counts[y] = <double>counts[y] * decay + 1.0
        n_scored[y] = n_scored[y] + 1
        sums = pool._skill_sums[y]
        for i in range(len(probas)):
            p = (<dict>probas[i]).get(y, 0.0)
            others = ranked[i]
            below = _bisect_left(others, p) + _bisect_right(others, p)
            sums[i] = <double>sums[i] * decay + <double>below / <double>(2 * len(others))
    classes = pool._classes
    for k in classes:
        if k != y:
            for i in range(len(probas)):
                _remember(pool, k, i, (<dict>probas[i]).get(k, 0.0))
    if len(classes) > 1:
        fewest = min(n_scored.values())
        if fewest >= pool.warm_up:
            pool._reweigh()


cdef void _remember(object pool, object k, Py_ssize_t i, object p):
    """Candidate i gave probability p of class k to an event of another class."""
    recent = pool._recent[k][i]
    cdef list ranked = pool._ranked[k][i]
    if len(recent) == pool.buffer:
        del ranked[_bisect_left(ranked, recent.popleft())]
    recent.append(p)
    ranked.insert(_bisect_right(ranked, p), p)
