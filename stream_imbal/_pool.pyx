# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of `CandidatePool`, compiled: normalising each candidate's probabilities,
blending them, and scoring each candidate's ranking of an event among the recent events of
the other classes, and the weights that follow each candidate's skill, on the pool's own
lists, dicts and deques (its state and pickles unchanged).

Numbers are C doubles, with the arithmetic of the Python code this replaced, operation by
operation and in the same order, so that every result is the same to the last bit (see
`tests/test_recorded_outputs.py`).
"""

import builtins

cimport cython
from libc.math cimport exp, isfinite

from stream_imbal._balancing cimport learn_weighted
from stream_imbal._fields cimport CompiledFields

cdef object _SUM = builtins.sum  # Python's own: its float sums differ between versions
cdef object _MAX = builtins.max
cdef double _NAN = float("nan")


@cython.auto_pickle(False)
cdef class PoolFields(CompiledFields):
    """What `stream_imbal.ensemble.CandidatePool` (see it), which extends this class, reads and
    writes per event: its prediction and its learning."""

    cdef public list _members, _takes_weight
    cdef public object _rng
    cdef public list _classes
    cdef public dict _counts
    cdef public list _weights
    cdef public object _last_x
    cdef public list _last
    cdef public object _scored_x

    cdef dict _fields(self):
        return {
            "_members": self._members,
            "_takes_weight": self._takes_weight,
            "_rng": self._rng,
            "_classes": self._classes,
            "_counts": self._counts,
            "_weights": self._weights,
            "_last_x": self._last_x,
            "_last": self._last,
            "_scored_x": self._scored_x,
        }

    def predict_proba_one(self, x, **kwargs):
        return blend(self._weights, self._candidate_probas(x))

    def learn_one(self, x, y, w=1.0, **kwargs) -> None:
        if x is not self._scored_x:
            if y not in self._counts:
                self._add_class(y)
            score(self, self._candidate_probas(x), y)
            self._scored_x = x
        cdef list members = self._members, takes_weight = self._takes_weight
        cdef Py_ssize_t i
        if len(takes_weight) != len(members):
            raise ValueError("the pool's members and their weight flags differ in number")
        for i in range(len(members)):
            learn_weighted(members[i], x, y, w, takes_weight[i], self._rng)
        self._last_x = None  # the candidates changed: their cached probabilities are stale

    cdef list _candidate_probas(self, object x):
        """The candidates' probabilities for `x`, kept for the same dict until they learn."""
        if x is self._last_x:
            return self._last
        cdef list probas = candidate_probas(self._members, x, self._classes)
        self._last_x, self._last = x, probas
        return probas


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
            reweigh(pool)


cdef void _remember(object pool, object k, Py_ssize_t i, object p):
    """Candidate i gave probability p of class k to an event of another class."""
    recent = pool._recent[k][i]
    cdef list ranked = pool._ranked[k][i]
    if len(recent) == pool.buffer:
        del ranked[_bisect_left(ranked, recent.popleft())]
    recent.append(p)
    ranked.insert(_bisect_right(ranked, p), p)


cdef inline double _sum_of_two(double a, double b) noexcept:
    """`sum([a, b])`: 0 + a, then + b. Python's own answer for two floats on every version
    (3.12's compensated sum adds the rounding error of a + b, which does not move it)."""
    return (0.0 + a) + b


cpdef list balanced_skills(object pool):
    """Each candidate's skill: the mean over the classes of its decayed AUC sum over the
    class's decayed count; NaN for every candidate until every class has a count. Summed as
    Python's `sum` sums (in C doubles for up to two classes)."""
    cdef Py_ssize_t n = len(pool._members), i
    cdef list classes = pool._classes
    cdef dict counts = pool._counts, sums = pool._skill_sums
    cdef list first, second
    cdef double count_first, count_second
    if not classes:
        return [_NAN] * n
    for count in counts.values():
        if not count:
            return [_NAN] * n
    if len(classes) == 2:
        first, second = sums[classes[0]], sums[classes[1]]
        count_first, count_second = counts[classes[0]], counts[classes[1]]
        return [
            _sum_of_two(<double>first[i] / count_first, <double>second[i] / count_second) / 2
            for i in range(n)
        ]
    return [
        _SUM([<double>sums[k][i] / <double>counts[k] for k in classes]) / len(classes)
        for i in range(n)
    ]


cpdef void reweigh(object pool) except *:
    """The blend weights: candidate i's is exp((S_i - S_best) / temperature), normalised (the
    best and the total as Python's `max` and `sum` find them)."""
    cdef list skills = balanced_skills(pool)
    cdef double temperature = pool.temperature, best, total
    cdef double first, second
    if len(skills) == 2:
        first, second = skills[0], skills[1]
        best = second if second > first else first
        first, second = exp((first - best) / temperature), exp((second - best) / temperature)
        total = _sum_of_two(first, second)
        pool._weights = [first / total, second / total]
        return
    best = _MAX(skills)
    cdef list scores = [exp((<double>skill - best) / temperature) for skill in skills]
    total = _SUM(scores)
    pool._weights = [<double>score / total for score in scores]
