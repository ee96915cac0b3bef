# cython: language_level=3, boundscheck=False, wraparound=False
"""river's `drift.binary.FHDDM` without its short window, compiled: its sliding window a ring of
bytes, its counts C integers and doubles, so that an update costs a call rather than a dozen
attribute accesses. `ClassRecallMonitor` runs two per class and event tested.

Its detections are river's, update by update (`tests/test_fhddm.py`): the same window, the same
mean `n_one / window` (a correctly rounded quotient of two integers, as Python's), the same
running maximum, the same bound `sqrt(log(1 / confidence) / (2 * window))` with libm's `log` and
`sqrt`, which CPython's `math` calls, and the same restart on the update after a drift.
"""

from libc.math cimport log, sqrt


cdef class CompiledFHDDM:
    """river's `FHDDM(sliding_window_size=window, confidence_level=confidence)` (no short
    window), for one stream of hits.

    Examples
    --------
    >>> from river.drift.binary import FHDDM
    >>> from stream_imbal._fhddm import CompiledFHDDM
    >>> compiled, river_own = CompiledFHDDM(25), FHDDM(sliding_window_size=25)
    >>> hits = [True] * 200 + [False] * 40
    >>> found = []
    >>> for i, hit in enumerate(hits):
    ...     compiled.update(hit)
    ...     river_own.update(hit)
    ...     found.append((compiled.drift_detected, river_own.drift_detected))
    >>> all(a == b for a, b in found), found.index((True, True))
    (True, 213)
    """

    def __init__(self, int window, double confidence=0.000001):
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self.confidence = confidence
        self._epsilon = sqrt(log(1.0 / confidence) / (2.0 * window))
        self._ring = bytearray(window)
        self._restart()

    cdef void _restart(self):
        self._head = self._count = self._n_one = 0
        self._u_max = 0.0
        self._drift = False

    @property
    def drift_detected(self) -> bool:
        return self._drift

    @property
    def warning_detected(self) -> bool:
        """Always False: FHDDM has no warning zone (nor has river's)."""
        return False

    cpdef void update(self, bint hit):
        """One more hit (True) or miss (False)."""
        cdef unsigned char *ring = self._ring
        cdef double u
        if self._drift:
            self._restart()
        ring[(self._head + self._count) % self.window] = hit
        self._count += 1
        self._n_one += hit
        if self._count == self.window:
            u = <double>self._n_one / <double>self.window
            if self._u_max < u:
                self._u_max = u
            self._drift = self._u_max - u > self._epsilon
            self._n_one -= ring[self._head]
            self._head = (self._head + 1) % self.window
            self._count -= 1

    def __reduce__(self):
        state = (bytes(self._ring), self._head, self._count, self._n_one, self._u_max, self._drift)
        return _restore, (self.window, self.confidence, state)

    def _set_state(self, tuple state):
        ring, self._head, self._count, self._n_one, self._u_max, self._drift = state
        self._ring = bytearray(ring)


def _restore(int window, double confidence, tuple state) -> CompiledFHDDM:
    detector = CompiledFHDDM(window, confidence)
    detector._set_state(state)
    return detector
