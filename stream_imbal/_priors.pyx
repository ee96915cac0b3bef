# cython: language_level=3
"""The per-event work of `DecayedClassPrior`, compiled: its counts as C fields and its update
and share as C code, with the arithmetic of the Python it replaces, operation by operation, so
that every share is the same to the last bit."""

cimport cython

from cpython.dict cimport PyDict_GetItemWithError
from cpython.object cimport PyObject

from stream_imbal._fields cimport CompiledFields

cdef double _RESCALE_AT = 1e100  # keeps the squared weights far from overflow


@cython.auto_pickle(False)
cdef class DecayedCounts(CompiledFields):
    """The decayed class counts of `stream_imbal.priors.DecayedClassPrior` (see it), which
    extends this class: counts in units of the current event's weight `_scale`, their total and
    the total of the squared weights, and the cached shares and minority."""

    cdef dict _fields(self):
        return {
            "_theta": self._theta,
            "_growth": self._growth,
            "_scale": self._scale,
            "_counts": self._counts,
            "_total": self._total,
            "_sum_sq": self._sum_sq,
            "_shares": self._shares,
            "_minority": self._minority,
            "_minority_known": self._minority_known,
        }

    @property
    def n_classes(self) -> int:
        """Classes with a count (0 before the first label or after a restart from nothing)."""
        return self._n_classes()

    cdef Py_ssize_t _n_classes(self):
        return len(self._counts) if self._total else 0

    @property
    def minority(self):
        """The class with the smallest count (the first such); None before the first label."""
        return self._current_minority()

    cdef object _current_minority(self):
        if not self._minority_known:
            if not self._total:
                return None
            counts = self._counts
            self._minority = min(counts, key=counts.__getitem__)
            self._minority_known = True
        return self._minority

    def update(self, y, double w=1.0) -> None:
        """Count one label, with weight `w` (e.g. the weight a learner trained it with)."""
        self._update(y, w)

    cdef int _update(self, object y, double w) except -1:
        cdef double scale = self._scale * self._growth
        self._scale = scale
        w *= scale
        cdef dict counts = self._counts
        cdef PyObject *count = PyDict_GetItemWithError(counts, y)
        counts[y] = w if count is NULL else <double><object>count + w
        self._total += w
        self._sum_sq += w * w
        self._shares = None
        # Only the count of `y` grew (the others' scaled counts stand still): the minority can
        # only change if `y` was it or is new.
        if count is NULL or y == self._minority:
            self._minority_known = False
        if scale > _RESCALE_AT:
            self._rescale()
        return 0

    def _rescale(self) -> None:
        cdef double scale = self._scale
        self._counts = {label: <double>c / scale for label, c in self._counts.items()}
        self._total /= scale
        self._sum_sq /= scale * scale
        self._scale = 1.0

    def share(self, label) -> float:
        """Estimated proportion of `label` (0 for a label never seen)."""
        return self._share(label)

    cdef double _share(self, object label) except? -1.0:
        if not self._total:
            return 0.0
        cdef PyObject *count = PyDict_GetItemWithError(self._counts, label)
        return (0.0 if count is NULL else <double><object>count) / self._total
