# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of the bounded Hoeffding trees and their forest, compiled.

`SubspaceForest`, `BoundedSubspaceTree`, `BoundedHoeffdingTree` and `FastGaussianSplitter`
keep their API, their parameters and their state (river's nodes, leaves and Gaussians, which a
user inspects and pickles) as river's classes do; the attributes their per-event work reads
are C fields (`CompiledFields`: the trees', the forest leaves' and the splitters'), read here
without a lookup by name, and the Gaussians are `LeanGaussian`s. These functions do the
per-event work on that state:
the walk from the root to a leaf, a leaf's learning (its class counts and the Gaussian
statistics of each watched feature), a split attempt's scoring of cut points, the Poisson draw
of online bagging, and the forest's loops over its trees. Numbers are C doubles inside a
function, with the arithmetic of the Python code they replace, operation by operation and in
the same order, so that every result is the same to the last bit (see
`tests/test_recorded_outputs.py`). What river does on rare paths (a tree's first event, a
missing feature, a split) stays river's Python code; the size check's measure (`object_size`:
river's, from the objects' content rather than their history) and the enforcement of the size
limit (`enforce_size_limit`: river's, compiled) are here; and a split
attempt that river would end without a change (most of them) is decided here, on river's
numbers (`attempt_may_change`), without river's objects.

river's rules inlined here, for the leaves of `SubspaceForest` (`SubspaceLeaf`, river's
`RandomLeafMajorityClass` with compiled fields):
`HTLeaf.learn_one` (the class counts, then the splitters of an active leaf),
`BaseRandomLeaf._iter_features` (the leaf's features, drawn at its first event) and
`HTLeaf.update_splitters` (a splitter made at a feature's first value). Other leaves learn by
their own `learn_one`.
"""

import builtins
import math
import numbers
from random import Random as _Random
from sys import getsizeof

cimport cython

from cpython.dict cimport PyDict_GetItemWithError, PyDict_Next
from cpython.exc cimport PyErr_Occurred
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.number cimport PyNumber_Power
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_KIND

from stream_imbal._fields cimport CompiledFields


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object)
from libc.math cimport INFINITY, erf, exp, fmod, log, log2, pow, sqrt
from libc.stdlib cimport qsort

# river's private names and the private attributes read below: `stream_imbal.river_internals`
from river.proba import Gaussian as _RiverGaussian
from river.stats import Mean as _RiverMean, Var as _RiverVar

from stream_imbal.river_internals import (
    BranchFactory,
    HoeffdingTreeClassifier,
    InfoGainSplitCriterion,
    Leaf,
    LeafMajorityClass,
    NumericBinaryBranch,
)

_RIVER_ATTEMPT = HoeffdingTreeClassifier._attempt_to_split
cdef object _RIVER_PROMISE = LeafMajorityClass.calculate_promise
cdef object _SUM = builtins.sum  # Python's own: its float sums differ between versions
cdef object _MAX = builtins.max

cdef double _SQRT_2 = 1.4142135623730951  # math.sqrt(2.0)
cdef double _SQRT_TAU = math.sqrt(2.0 * math.pi)  # river's `utils.math.norm_pdf`
cdef double _HALF_LOG_TAU = 0.5 * math.log(math.tau)  # river's `proba.gaussian`

# Set at the first call, from modules that import this one.
cdef object _FastGaussianSplitter = None
cdef object _SubspaceLeaf = None


cdef void _import_python_classes():
    global _FastGaussianSplitter, _SubspaceLeaf
    from stream_imbal.bounded_tree import SubspaceLeaf
    from stream_imbal.gaussian_splitter import FastGaussianSplitter

    _FastGaussianSplitter = FastGaussianSplitter
    _SubspaceLeaf = SubspaceLeaf


cdef inline bint _is_subspace_leaf(object leaf):
    """Whether `leaf` is a `SubspaceLeaf`, whose rules are inlined here and whose attributes are
    read as C fields (`LeafFields`)."""
    if _SubspaceLeaf is None:
        _import_python_classes()
    return type(leaf) is _SubspaceLeaf


@cython.final
@cython.no_gc  # holds a seed and a random generator: no reference cycle can pass through it
cdef class LeanGaussian:
    """river's `proba.Gaussian` (a weighted mean and variance, `ddof=1`) as three C doubles.

    river's Gaussian is six Python objects (itself, its `stats.Var` and `stats.Mean`, their
    `__dict__`s) and three floats, plus a random generator (about 2.5 KB) made for `sample`
    alone. A Hoeffding tree's leaf holds one per class and watched feature, so they are most of
    a tree's objects. This one updates, predicts and pickles as river's does, with the same
    numbers (river's `update`, `revert`, `__call__`, `log_pdf`, `cdf`, operation by operation),
    and makes its generator at its first `sample`. A tree's size limit charges it what river's
    Gaussian without a generator takes (`object_size`), so the trees deactivate the leaves they
    did with river's objects. A pickle of the former Python `LeanGaussian` (river's Gaussian
    without a generator) loads as this one, with the same numbers.
    """

    cdef double n, _mean, _S
    cdef readonly int ddof
    cdef readonly object seed
    cdef object _rng

    def __init__(self, seed=None):
        self.seed = seed
        self.ddof = 1

    @classmethod
    def _from_state(cls, n, m, var, ddof, seed=None):
        """river's `Gaussian._from_state`: `n` samples of mean `m` and variance `var`."""
        cdef LeanGaussian new = cls(seed)
        new.ddof = ddof
        new.n, new._mean = n, m
        new._S = (n - ddof) * var
        return new

    @property
    def n_samples(self) -> float:
        return self.n

    @property
    def mu(self) -> float:
        return self._mean

    @property
    def sigma(self) -> float:
        return pow(_variance(self), 0.5)

    @property
    def mode(self) -> float:
        return self._mean

    @property
    def _var(self):
        """A river `stats.Var` with this Gaussian's numbers (a copy, to read them as river's)."""
        var = _RiverVar(ddof=self.ddof)
        var.mean = _RiverMean._from_state(self.n, self._mean)
        var._S = self._S
        return var

    def update(self, x, w=1.0):
        _update(self, x, w)

    def revert(self, x, w=1.0):
        cdef double value = x, weight = w
        cdef double mean_old = self._mean
        self.n -= weight
        if self.n < 0:
            raise ValueError("Cannot go below 0")
        if self.n == 0:
            self._mean = 0.0
        else:
            self._mean -= (weight / self.n) * (value - self._mean)
        self._S -= weight * (value - mean_old) * (value - self._mean)

    def __call__(self, x) -> float:
        cdef double variance, sigma, z
        if self.n > self.ddof:
            variance = self._S / (self.n - self.ddof)
            if variance > 0.0:
                sigma = sqrt(variance)
                z = (<double>x - self._mean) / sigma
                return exp(-0.5 * z * z) / _SQRT_TAU / sigma  # utils.math.norm_pdf(z) / sigma
        return 0.0

    def log_pdf(self, x) -> float:
        cdef double variance
        if self.n > self.ddof:
            variance = self._S / (self.n - self.ddof)
            if variance > 0.0:
                # Python's `** 2` (libm's pow, which the C compiler would make `d * d`)
                squared = PyNumber_Power(x - self.mu, 2, None)
                return squared / (-2.0 * variance) - _HALF_LOG_TAU - 0.5 * log(variance)
        return -INFINITY

    def cdf(self, x) -> float:
        cdef double sigma = pow(_variance(self), 0.5)
        if sigma == 0.0:  # (river's division by zero)
            return 0.0
        return 0.5 * (1.0 + erf((<double>x - self._mean) / sigma / _SQRT_2))

    def sample(self) -> float:
        if self._rng is None:
            self._rng = _Random(self.seed)
        return self._rng.gauss(self.mu, self.sigma)

    def __repr__(self) -> str:
        return f"𝒩(μ={self.mu:.3f}, σ={self.sigma:.3f})"

    def __reduce__(self):
        return _lean_gaussian, (self.n, self._mean, self._S, self.ddof, self.seed, self._rng)

    def __setstate__(self, state: dict) -> None:
        """Load a pickle of the former Python class: its `__dict__`, river's `stats.Var`."""
        var = state["_var"]
        self.seed, self._rng = state.get("seed"), state.get("_rng")
        self.ddof, self.n, self._mean, self._S = var.ddof, var.mean.n, var.mean._mean, var._S


def _lean_gaussian(n, mean, S, ddof, seed, rng):
    """A `LeanGaussian` from its pickled numbers."""
    cdef LeanGaussian new = LeanGaussian.__new__(LeanGaussian)
    new.n, new._mean, new._S, new.ddof, new.seed, new._rng = n, mean, S, ddof, seed, rng
    return new


@cython.auto_pickle(False)
cdef class GaussianFields(CompiledFields):
    """`GaussianSplitter`'s statistics as C fields: per class, its Gaussian, lowest and highest
    value (`FastGaussianSplitter`)."""

    cdef public dict _min_per_class, _max_per_class, _att_dist_per_class

    cdef dict _fields(self):
        return {
            "_min_per_class": self._min_per_class,
            "_max_per_class": self._max_per_class,
            "_att_dist_per_class": self._att_dist_per_class,
        }


@cython.auto_pickle(False)
cdef class Route:
    """The event of a tree's last prediction, the leaf it reached and that leaf's parent.

    Without a `__dict__`: the size measure of the tree counts this object's fixed size, never
    the event it holds, so the tree is bounded as if it had none. The compiled prediction and
    learning fill it (`leaf_for`, `learn_one`); a split attempt empties it."""

    cdef public object event, parent, leaf


@cython.auto_pickle(False)
cdef class TreeFields(CompiledFields):
    """The attributes of river's Hoeffding tree that its per-event work reads, as C fields
    (`BoundedHoeffdingTree`, `BoundedSubspaceTree`)."""

    cdef public object max_depth, memory_estimate_period, _root, _growth_allowed
    cdef public object _train_weight_seen_by_model, grace_period, nominal_attributes, classes
    cdef public object _calls
    cdef public Route _route

    cdef dict _fields(self):
        return {
            "max_depth": self.max_depth,
            "memory_estimate_period": self.memory_estimate_period,
            "_root": self._root,
            "_growth_allowed": self._growth_allowed,
            "_train_weight_seen_by_model": self._train_weight_seen_by_model,
            "grace_period": self.grace_period,
            "nominal_attributes": self.nominal_attributes,
            "classes": self.classes,
            "_calls": self._calls,
            "_route": self._route,
        }


@cython.auto_pickle(False)
cdef class LeafFields(CompiledFields):
    """The attributes of river's leaf of a forest's tree (`RandomLeafMajorityClass`) as C
    fields (`bounded_tree.SubspaceLeaf`)."""

    cdef public dict stats
    cdef public object depth, splitter
    cdef public dict splitters  # None: inactive
    cdef public set _disabled_attrs
    cdef public object _last_split_attempt_at, max_features, rng
    cdef public list feature_indices

    cdef dict _fields(self):
        return {
            "stats": self.stats,
            "depth": self.depth,
            "splitter": self.splitter,
            "splitters": self.splitters,
            "_disabled_attrs": self._disabled_attrs,
            "_last_split_attempt_at": self._last_split_attempt_at,
            "max_features": self.max_features,
            "rng": self.rng,
            "feature_indices": self.feature_indices,
        }


cdef inline double _variance(LeanGaussian g):
    """river's `Var.get`."""
    if g.n > g.ddof:
        return g._S / (g.n - g.ddof)
    return 0.0


cdef inline void _update(LeanGaussian g, double x, double w):
    """river's `Var.update` (its `Mean.update` first), to the last bit."""
    cdef double mean_old = g._mean
    g.n += w
    g._mean = mean_old + (w / g.n) * (x - mean_old)
    g._S += w * (x - mean_old) * (x - g._mean)


cpdef int poisson(double rate, object rng):
    """Draw from Poisson(`rate`) with `rng` (Knuth's method: cheap for the small rates used
    here), as online bagging does for each member and event."""
    cdef double limit = exp(-rate)
    cdef int k = 0
    cdef double product = _uniform(rng)
    while product > limit:
        k += 1
        product *= _uniform(rng)
    return k


# CPython's `random.Random` state (Modules/_randommodule.c: the Mersenne Twister's 624 words
# and the index of the next one), read to draw as `Random.random` does without a call through
# Python: 30 ns a draw, and a forest's learning call draws about 56.
cdef extern from *:
    """
    typedef struct {
        PyObject_HEAD
        int index;
        uint32_t state[624];
    } stream_imbal_RandomObject;
    """
    ctypedef unsigned int uint32_t
    ctypedef struct stream_imbal_RandomObject:
        int index
        uint32_t state[624]


cdef inline uint32_t _twister_word(stream_imbal_RandomObject *random_object) noexcept:
    """`genrand_uint32` of CPython's `_random` module: the next word of the generator."""
    cdef uint32_t y
    cdef uint32_t *mt = random_object.state
    cdef int kk
    if random_object.index >= 624:  # the next 624 words at once
        for kk in range(624 - 397):
            y = (mt[kk] & 0x80000000U) | (mt[kk + 1] & 0x7fffffffU)
            mt[kk] = mt[kk + 397] ^ (y >> 1) ^ (0x9908b0dfU if y & 1U else 0U)
        for kk in range(624 - 397, 623):
            y = (mt[kk] & 0x80000000U) | (mt[kk + 1] & 0x7fffffffU)
            mt[kk] = mt[kk + (397 - 624)] ^ (y >> 1) ^ (0x9908b0dfU if y & 1U else 0U)
        y = (mt[623] & 0x80000000U) | (mt[0] & 0x7fffffffU)
        mt[623] = mt[396] ^ (y >> 1) ^ (0x9908b0dfU if y & 1U else 0U)
        random_object.index = 0
    y = mt[random_object.index]
    random_object.index += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9d2c5680U
    y ^= (y << 15) & 0xefc60000U
    y ^= y >> 18
    return y


cdef inline double _twister_random(object rng) noexcept:
    """`Random.random(rng)`: 53 random bits from two words, as CPython makes them."""
    cdef stream_imbal_RandomObject *random_object = <stream_imbal_RandomObject *><PyObject *>rng
    cdef uint32_t a = _twister_word(random_object) >> 5
    cdef uint32_t b = _twister_word(random_object) >> 6
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)


cdef object _RANDOM_DRAW = _Random.random  # unbound: no bound method made per draw


cdef bint _twister_agrees():
    """Whether `_twister_random` draws what this interpreter's `Random.random` does: the same
    numbers from two generators of one seed, past a refill of the 624 words, and the same state
    after. Otherwise (another layout of the state) every draw goes through `Random.random`."""
    base = _Random.__mro__[1]  # `_random.Random`, whose C struct this module reads
    if base.__basicsize__ != sizeof(stream_imbal_RandomObject):  # another layout: not touched
        return False
    if _RANDOM_DRAW is not base.random:  # `random` overridden in `random.Random`
        return False
    ours, theirs = _Random(20_260_412), _Random(20_260_412)
    for _ in range(1_500):
        if _twister_random(ours) != theirs.random():
            return False
    return ours.getstate() == theirs.getstate()


cdef bint _DRAW_IN_C = _twister_agrees()
DRAWS_IN_C = _DRAW_IN_C  # for the tests: whether this interpreter draws in C


cdef inline double _uniform(object rng) except? -1.0:
    """`rng.random()`."""
    if type(rng) is _Random:
        if _DRAW_IN_C:
            return _twister_random(rng)
        return _RANDOM_DRAW(rng)
    return rng.random()


cdef object _NO_DICT = object()


cdef class _Seen:
    """A set of object addresses (open addressing): `id(obj) in seen` without making an int of
    each address."""

    cdef size_t *slots
    cdef size_t capacity, count

    def __cinit__(self):
        self.capacity, self.count = 1024, 0
        self.slots = <size_t *>PyMem_Calloc(self.capacity, sizeof(size_t))
        if self.slots is NULL:
            raise MemoryError()

    def __dealloc__(self):
        PyMem_Free(self.slots)

    cdef int add(self, size_t address) except -1:
        """1 if `address` was new (and is now in), 0 if it was in already."""
        cdef size_t mask = self.capacity - 1, i = ((address >> 4) * <size_t>11400714819323198485ULL) & mask
        while self.slots[i]:
            if self.slots[i] == address:
                return 0
            i = (i + 1) & mask
        self.slots[i] = address
        self.count += 1
        if 2 * self.count > self.capacity:
            self._grow()
        return 1

    cdef int _grow(self) except -1:
        cdef size_t *old = self.slots
        cdef size_t old_capacity = self.capacity, j, i, mask
        self.slots = <size_t *>PyMem_Calloc(2 * old_capacity, sizeof(size_t))
        if self.slots is NULL:
            self.slots = old
            raise MemoryError()
        self.capacity = 2 * old_capacity
        mask = self.capacity - 1
        for j in range(old_capacity):
            if old[j]:
                i = ((old[j] >> 4) * <size_t>11400714819323198485ULL) & mask
                while self.slots[i]:
                    i = (i + 1) & mask
                self.slots[i] = old[j]
        PyMem_Free(old)
        return 0


# The sizes of the canonical layout `object_size` charges: those of CPython 3.11 (64-bit) for
# an object built afresh, so that a size is a function of the content alone.
cdef Py_ssize_t _FLOAT_BYTES = 24
cdef Py_ssize_t _INSTANCE_DICT_BYTES = 72  # plus 8 per attribute: a key-sharing `__dict__`
cdef Py_ssize_t _LIST_BYTES = 56  # plus 8 per item


class _Plain:
    pass


# An instance of a plain Python class, as 3.11 lays it out (without its `__dict__`).
cdef Py_ssize_t _PLAIN_INSTANCE_BYTES = 56
# An object with a `__dict__` is charged its `getsizeof` plus this: 0 on 3.11, 8 on 3.12, whose
# instances are 8 bytes smaller (their dict pointer before the object).
cdef Py_ssize_t _INSTANCE_ADJUST = _PLAIN_INSTANCE_BYTES - getsizeof(_Plain())


cdef inline Py_ssize_t _str_bytes(str s):
    """A string of its length and kind as CPython 3.11 lays it out, without the UTF-8 copy a
    non-ASCII string keeps once it has been encoded (history, not content)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    if PyUnicode_IS_ASCII(s):
        return 49 + n
    return 72 + (n + 1) * <Py_ssize_t>PyUnicode_KIND(s)
# A `LeanGaussian` as river's Gaussian without a generator: the Gaussian, its `stats.Var` and
# `stats.Mean`, their `__dict__`s (2, 3 and 2 attributes) and three floats; then the names of
# those attributes, the seed and `ddof` (each charged as any string or int).
cdef Py_ssize_t _RIVER_GAUSSIAN_BYTES = (
    getsizeof(_RiverGaussian.__new__(_RiverGaussian))
    + getsizeof(_RiverVar())
    + getsizeof(_RiverMean())
    + 3 * _INSTANCE_ADJUST
    + 3 * _INSTANCE_DICT_BYTES + 8 * (2 + 3 + 2)
    + 3 * _FLOAT_BYTES
)
cdef tuple _RIVER_GAUSSIAN_NAMES = ("seed", "_var", "ddof", "mean", "_S", "n", "_mean")


cdef Py_ssize_t _dict_bytes(object d):
    """A dict of `len(d)` items grown by insertion: a table of `capacity` slots (the least power
    of two from 8 whose two thirds hold the items), 1 to 8 bytes of index per slot, and 16 bytes
    per usable entry when every key is a string, else 24."""
    cdef Py_ssize_t n = len(d), capacity = 8, usable, index, entry = 16
    if n == 0:
        return 64
    while (capacity << 1) // 3 < n:
        capacity <<= 1
    usable = (capacity << 1) // 3
    index = 1 if capacity <= 128 else 2 if capacity <= 1 << 15 else 4 if capacity <= 1 << 31 else 8
    for key in d:
        if type(key) is not str:
            entry = 24
            break
    return 96 + capacity * index + usable * entry


cdef Py_ssize_t _set_bytes(Py_ssize_t n):
    """A set of `n` items grown by insertion: 8 entries inline, then tables growing fourfold,
    16 bytes per slot, each kept under three fifths full."""
    cdef Py_ssize_t table = 32
    if n <= 4:
        return 216
    while 5 * n >= 3 * (table - 1):
        table <<= 2
    return 216 + 16 * table


cdef inline Py_ssize_t _push_items(dict d, list queue) except -1:
    """Put `d`'s values, then its keys, on `queue`, as `queue.extend(d.values())` then
    `queue.extend(d.keys())` would, but for the floats among them: their bytes are returned
    (charged each time held) instead of queued."""
    cdef Py_ssize_t position = 0, floats = 0
    cdef PyObject *key
    cdef PyObject *value
    while PyDict_Next(d, &position, &key, &value):
        if type(<object>value) is float:
            floats += 1
        else:
            queue.append(<object>value)
    position = 0
    while PyDict_Next(d, &position, &key, &value):
        if type(<object>key) is float:
            floats += 1
        else:
            queue.append(<object>key)
    return floats * _FLOAT_BYTES


cpdef Py_ssize_t object_size(object obj) except -1:
    """The size in bytes of `obj` and what it holds, as a function of its content alone: the
    measure of a tree's size limit (Kirkby's, as river's `calculate_object_size` measures it).

    It visits what river's measure visits (dictionaries' values and keys, `__dict__`s, other
    iterables; strings are not iterated) and adds what CPython 3.11 (64-bit) uses for each object
    built afresh, in place of `sys.getsizeof`, whose answer for a container depends on its
    history (how a dict grew, whether a `__dict__` shares its keys, which depends on what the
    process made before) and for a number on whether it is shared (pickle does not keep floats
    shared). So a tree measures the same in any process, before and after a pickling, and a
    model restored from a checkpoint deactivates the leaves the model that went on would have:

    - a float 24 bytes, and an int outside CPython's cache of small ints its `getsizeof`, each
      time it is held;
    - a string as 3.11 lays out one of its length and kind (`_str_bytes`), once per distinct
      string;
    - a dict or set as grown by insertion to its length (`_dict_bytes`, `_set_bytes`), a list
      56 bytes and 8 per item, a `__dict__` 72 bytes and 8 per attribute;
    - a `LeanGaussian` as river's Gaussian with the same numbers, and an object with compiled
      fields (`CompiledFields`) as its Python original, a plain instance whose `__dict__` holds
      its state;
    - any other object its `getsizeof` (a tuple, an int in the cache, an instance without its
      `__dict__`), once per object; one with a `__dict__` as on 3.11 (`_INSTANCE_ADJUST`).

    So a tree measures the same on Python 3.11 and 3.12.

    A size check of a tree measures the whole tree this way: the most costly step of learning
    once a tree is large. Every object visited stays in `queue` until the end, so that no
    address seen is reused by another object meanwhile."""
    cdef _Seen seen = _Seen()
    cdef set strings = set()
    cdef list queue = [obj]
    cdef Py_ssize_t head = 0, size = 0
    while head < len(queue):
        obj = queue[head]
        head += 1
        kind = type(obj)
        if kind is float:
            size += _FLOAT_BYTES
            continue
        if kind is str:
            if obj not in strings:
                strings.add(obj)
                size += _str_bytes(obj)
            continue
        if kind is int and not -5 <= obj <= 256:
            size += getsizeof(obj)
            continue
        if not seen.add(<size_t><PyObject *>obj):
            continue
        if isinstance(obj, dict):
            size += _dict_bytes(obj) + _push_items(<dict>obj, queue)
        elif kind is list:
            size += _LIST_BYTES + 8 * len(<list>obj)
            queue.extend(obj)
        elif kind is set or kind is frozenset:
            size += _set_bytes(len(obj))
            queue.extend(obj)
        elif kind is LeanGaussian:  # as river's Gaussian (without a generator) is laid out
            size += _RIVER_GAUSSIAN_BYTES
            queue.extend(_RIVER_GAUSSIAN_NAMES)
            queue.append((<LeanGaussian>obj).seed)
            queue.append((<LeanGaussian>obj).ddof)
            if (<LeanGaussian>obj)._rng is not None:
                size += 8  # one more attribute
                queue.append("_rng")
                queue.append((<LeanGaussian>obj)._rng)
        elif isinstance(obj, CompiledFields):  # as its Python original: a plain instance
            state = (<CompiledFields>obj)._attributes()
            size += _PLAIN_INSTANCE_BYTES + _INSTANCE_DICT_BYTES + 8 * len(<dict>state)
            size += _push_items(<dict>state, queue)
        else:
            size += getsizeof(obj)
            if kind is int or kind is bool or obj is None:
                continue
            if kind is tuple:
                queue.extend(obj)
                continue
            attributes = getattr(obj, "__dict__", _NO_DICT)
            if attributes is not _NO_DICT:
                size += _INSTANCE_ADJUST
                if type(attributes) is dict and seen.add(<size_t><PyObject *>attributes):
                    size += _INSTANCE_DICT_BYTES + 8 * len(<dict>attributes)
                    size += _push_items(<dict>attributes, queue)
                elif type(attributes) is not dict:
                    queue.append(attributes)
            elif hasattr(obj, "__iter__") and not isinstance(obj, (bytes, bytearray)):
                queue.extend(obj)
    return size


cdef inline bint _goes_left(object value, object threshold) except -1:
    """`value <= threshold`, a numeric branch's test: compared as C doubles when both are
    floats (the same answer, without Python's rich comparison)."""
    if type(value) is float and type(threshold) is float:
        return PyFloat_AS_DOUBLE(value) <= PyFloat_AS_DOUBLE(threshold)
    return value <= threshold


cpdef tuple walk(object root, object x):
    """(parent, leaf, walked): the leaf `x` reaches from `root`, its parent (None at the root),
    and whether it reached it by the path learning takes (False when a split's feature is
    missing from `x`, or a category is new: the walk then takes the busiest branch, as river's
    prediction does). The leaf is None before the tree's first event."""
    cdef object parent = None
    cdef object node = root
    cdef object child
    cdef bint walked = True
    cdef bint inline = type(x) is dict
    cdef PyObject *value
    while node is not None:
        if inline and type(node) is NumericBinaryBranch:  # most splits, inline
            value = PyDict_GetItemWithError(x, node.feature)
            if value is NULL:
                node, walked = node.most_common_path()[1], False
                continue
            child = node.children[0 if _goes_left(<object>value, node.threshold) else 1]
        elif isinstance(node, Leaf):
            break
        else:
            try:
                child = node.next(x)
            except KeyError:
                node, walked = node.most_common_path()[1], False
                continue
        parent, node = node, child
    return parent, node, walked


cdef struct _Node:  # what every walk reads, 32 bytes
    PyObject *feature  # a NumericBinaryBranch's feature; NULL: a leaf or another kind of node
    double cut  # its threshold, when that is a float (`cut_is_float`)
    int left, right  # children's indices (-1: none)
    int place  # where the feature was among the last event's items (`_value_in`)
    unsigned char leaf, cut_is_float


cdef struct _NodeRef:  # what a walk reads at its end, or to compare with a cut not a float
    PyObject *node  # river's node
    PyObject *threshold
    Py_ssize_t parent, slot  # the parent's index (-1: the root) and the slot in its children
    PyObject *siblings  # the parent's list of children (a branch keeps the same list for good)


# Borrowed references, without the reference counting of Cython's objects: a walk reads the
# event's values and the array's features and cuts, which the event and the mirror keep alive.
cdef extern from "Python.h":
    PyObject *_borrowed_item "PyDict_GetItemWithError"(PyObject *, PyObject *)
    bint _is_float "PyFloat_CheckExact"(PyObject *)
    double _float_value "PyFloat_AS_DOUBLE"(PyObject *)


cdef int _raise_set_error() except -1:
    """Propagate the exception a C call has set."""
    return -1


cdef enum:
    _MAX_REPLACED = 64  # a walk that meets more splits since its mirror's last takes river's walk
    _ITEMS_HELD = 64  # events with more features are read by lookups alone
    _NOT_PLACED = -1  # a node whose feature was not among an event's keys: lookups alone


cdef struct _Items:  # an event's keys and values in the dict's order, the values held
    Py_ssize_t n  # 0 when not held: more than _ITEMS_HELD features, or not a dict
    PyObject *keys[_ITEMS_HELD]
    PyObject *values[_ITEMS_HELD]


cdef extern from "Python.h":
    void _hold "Py_INCREF"(PyObject *)
    void _let_go "Py_DECREF"(PyObject *)


cdef inline void _hold_items(_Items *items, object x) noexcept:
    """Read the items of `x` once, for the walks of every tree of a forest; its values are held
    until `_release_items` (a comparison between two walks may run Python code, which could
    change `x`: the walks then read `x` as it was). A key is only compared by address with the
    features of the trees' branches, which the trees keep alive."""
    cdef Py_ssize_t pos = 0, i = 0
    cdef PyObject *key
    cdef PyObject *value
    items.n = 0
    if type(x) is not dict or len(<dict>x) > _ITEMS_HELD:
        return
    while PyDict_Next(x, &pos, &key, &value):
        _hold(value)
        items.keys[i], items.values[i] = key, value
        i += 1
    items.n = i


cdef inline void _release_items(_Items *items) noexcept:
    cdef Py_ssize_t i
    for i in range(items.n):
        _let_go(items.values[i])
    items.n = 0


cdef inline PyObject *_value_in(_Items *items, PyObject *x, _Node *node) noexcept:
    """`x[node.feature]`, borrowed; NULL when absent, or on an error (set). Events of one
    source hold their keys in one order, and often as the same objects (decoders cache them):
    the feature is then where it was in the last event (`node.place`), found without a lookup.
    A feature not there by identity is looked for among the keys once, then looked up."""
    cdef int place = node.place
    cdef Py_ssize_t j
    if place >= 0:
        if place < items.n and items.keys[place] == node.feature:
            return items.values[place]
        for j in range(items.n):
            if items.keys[j] == node.feature:
                node.place = <int>j
                return items.values[j]
        if items.n:
            node.place = _NOT_PLACED  # another object of the same name, or absent
    return _borrowed_item(x, node.feature)


cdef class TreeMirror:
    """A tree's numeric binary splits as a C array, for the walks of its predictions
    (`leaf_in`): about a quarter of the cost of a walk along river's nodes.

    river's branches never change once made: a split only puts a new branch in the slot of a
    leaf (its parent's child, or the root). So a walk along the array ends where the walk along
    river's nodes does as long as the leaf it reaches is still in its slot; that is checked at
    the end of each walk; when it is not, the entry takes the node now in the slot, the nodes
    below it are appended, and the walk goes on from there. The
    mirror lives beside the tree (`SubspaceForest` keeps one per tree, outside what it pickles
    and what the trees' size check measures).
    """

    cdef readonly TreeFields tree
    cdef list _keep  # per entry, what its pointers point to: (node, feature, threshold, siblings)
    cdef Py_ssize_t _n, _capacity
    cdef _Node *_nodes
    cdef _NodeRef *_refs

    def __cinit__(self, TreeFields tree):
        self.tree = tree
        self._keep = []
        self._n = self._capacity = 0
        self._nodes = NULL
        self._refs = NULL

    def __dealloc__(self):
        PyMem_Free(self._nodes)
        PyMem_Free(self._refs)

    def __len__(self) -> int:
        """The entries of the array: at most the tree's nodes (a node split since a walk last
        met it has one entry, until a walk meets it)."""
        return self._n

    cdef int _build(self) except -1:
        """The array, from the tree's nodes as they are (empty before its first event)."""
        self._n = 0
        self._keep = []
        root = self.tree._root
        if root is not None:
            self._add_below(self._append(root, -1, 0))
        return 0

    cdef int _replace(self, Py_ssize_t i, object node) except -1:
        """Entry `i`'s slot holds `node` now (a split put a branch where its leaf was): the
        entry becomes `node`, and the nodes below it are appended."""
        self._set(i, node, self._refs[i].parent, self._refs[i].slot)
        self._add_below(i)
        return 0

    cdef int _add_below(self, Py_ssize_t top) except -1:
        """Append the nodes below entry `top`, each after its parent."""
        cdef list pending = [top]
        cdef Py_ssize_t i, slot
        while pending:
            i = pending.pop()
            node = <object>self._refs[i].node
            if type(node) is NumericBinaryBranch:
                children = node.children
                for slot in range(2):
                    if children[slot] is not None:
                        pending.append(self._append(children[slot], i, slot))
        return 0

    cdef Py_ssize_t _append(self, object node, Py_ssize_t parent, Py_ssize_t slot) except -1:
        """A new entry for `node`, in `slot` of the entry `parent` (-1: the root)."""
        cdef Py_ssize_t i = self._n, capacity
        cdef _Node *nodes
        cdef _NodeRef *refs
        if i == self._capacity:
            capacity = max(16, 2 * self._capacity)
            nodes = <_Node *>PyMem_Realloc(self._nodes, capacity * sizeof(_Node))
            if nodes is NULL:
                raise MemoryError()
            self._nodes = nodes
            refs = <_NodeRef *>PyMem_Realloc(self._refs, capacity * sizeof(_NodeRef))
            if refs is NULL:
                raise MemoryError()
            self._refs, self._capacity = refs, capacity
        self._keep.append(None)
        self._n = i + 1
        self._set(i, node, parent, slot)
        if parent >= 0:
            if slot == 0:
                self._nodes[parent].left = i
            else:
                self._nodes[parent].right = i
        return i

    cdef int _set(self, Py_ssize_t i, object node, Py_ssize_t parent, Py_ssize_t slot) except -1:
        """Entry `i` holds `node`, in `slot` of the entry `parent` (-1: the root)."""
        cdef _Node *entry = &self._nodes[i]
        cdef _NodeRef *ref = &self._refs[i]
        feature = threshold = siblings = None
        if parent >= 0:
            siblings = (<object>self._refs[parent].node).children
            if type(siblings) is not list:
                siblings = None
        ref.node = <PyObject *>node
        ref.parent, ref.slot = parent, slot
        ref.siblings = NULL if siblings is None else <PyObject *>siblings
        ref.threshold = NULL
        entry.left = entry.right = -1
        entry.place = 0
        entry.feature = NULL
        entry.cut, entry.cut_is_float = 0.0, False
        entry.leaf = isinstance(node, Leaf)
        if type(node) is NumericBinaryBranch:
            feature, threshold = node.feature, node.threshold
            entry.feature = <PyObject *>feature
            ref.threshold = <PyObject *>threshold
            if type(threshold) is float:
                entry.cut, entry.cut_is_float = threshold, True
        self._keep[i] = (node, feature, threshold, siblings)
        return 0


cpdef tuple leaf_in(TreeMirror mirror, object x):
    """`walk(mirror.tree._root, x)`, along the mirror's array: (parent, leaf, walked). A
    missing feature, another kind of branch or an input that is not a dict take river's walk.
    A value and a cut that are both floats compare as C doubles (`_goes_left`'s rule)."""
    cdef _Items items
    _hold_items(&items, x)
    try:
        return _leaf_in(mirror, x, &items)
    finally:
        _release_items(&items)


cdef tuple _leaf_in(TreeMirror mirror, object x, _Items *items):
    """`leaf_in`, with the items of `x` read."""
    cdef TreeFields tree = mirror.tree
    cdef Py_ssize_t i, p
    cdef PyObject *value
    cdef _Node *at
    cdef bint left
    cdef int replaced
    if type(x) is dict:
        if mirror._n == 0:
            mirror._build()
        i = 0
        for replaced in range(_MAX_REPLACED):
            if mirror._n == 0:
                break
            at = &mirror._nodes[i]
            while at.feature is not NULL:
                value = _value_in(items, <PyObject *>x, at)
                if value is NULL:
                    if PyErr_Occurred():
                        _raise_set_error()
                    return walk(tree._root, x)  # the busiest branch, by river's rule
                if at.cut_is_float and _is_float(value):
                    left = _float_value(value) <= at.cut
                else:
                    left = _goes_left(<object>value, <object>mirror._refs[i].threshold)
                i = at.left if left else at.right
                if i < 0:  # (a branch without that child: river's walk says what follows)
                    return walk(tree._root, x)
                at = &mirror._nodes[i]
            if not at.leaf:
                break  # a kind of branch the array does not hold
            node = <object>mirror._refs[i].node
            p = mirror._refs[i].parent
            if p < 0:
                now = tree._root
                if now is node:
                    return None, node, True
            else:
                parent = <object>mirror._refs[p].node
                now = _in_slot(&mirror._refs[i], parent)
                if now is node:
                    return parent, node, True
            if now is None:
                mirror._n = 0  # (an emptied slot: river's walk, and a new array next time)
                break
            mirror._replace(i, now)  # split since: walk on from the new node
    return walk(tree._root, x)


cdef inline object _in_slot(_NodeRef *ref, object parent):
    """The node in `ref`'s slot among `parent`'s children now."""
    if ref.siblings is NULL:
        return parent.children[ref.slot]
    cdef list siblings = <list>ref.siblings
    return siblings[ref.slot] if ref.slot < len(siblings) else None


cpdef object leaf_for(TreeFields tree, object x, TreeMirror mirror=None):
    """The leaf of `tree` that predicts `x` (None before the first event), remembered in the
    tree's route for learning `x` next; found along `mirror` (the tree's) when given."""
    if mirror is None:
        return _remember(tree, x, walk(tree._root, x))
    return _remember(tree, x, leaf_in(mirror, x))


cdef object _remember(TreeFields tree, object x, tuple found):
    """The leaf of `found` (parent, leaf, walked), remembered in the tree's route for
    learning `x` next if it was walked to."""
    parent, leaf, walked = found
    cdef Route route
    if walked:
        route = tree._route
        route.event, route.parent, route.leaf = x, parent, leaf
    return leaf


cpdef void learn_one(TreeFields tree, object x, object y, double w):
    """`tree` learns `x` with weight `w`: river's `HoeffdingTreeClassifier.learn_one` from the
    leaf the tree's last prediction or learning of `x` reached, or from a walk, then a size
    check every `memory_estimate_period` calls. Only a split moves a leaf: the route is kept
    for `x` learnt again (a resampled event) unless a split was attempted."""
    cdef Route route = tree._route
    if route.event is x:
        parent, leaf, walked = route.parent, route.leaf, True
    else:
        parent, leaf, walked = walk(tree._root, x)
        route.event, route.parent, route.leaf = x, parent, leaf
    if leaf is None or not walked:
        # the tree's first event, a missing feature or a new category: river's path
        _forget(route)
        tree._learn_from_root(x, y, w)
    else:
        _learn_at_leaf(tree, leaf, parent, x, y, w)
    calls = tree._calls + 1
    tree._calls = calls
    if calls % tree.memory_estimate_period == 0:
        tree._estimate_model_size()


cdef inline void _forget(Route route):
    route.event = route.parent = route.leaf = None


cdef void _learn_at_leaf(
    TreeFields tree, object leaf, object parent, object x, object y, double w
):
    """River's `HoeffdingTreeClassifier.learn_one` once the event has reached `leaf` (`parent`
    None: the leaf is the root)."""
    classes = tree.classes
    if y not in classes:
        classes.add(y)
    cdef double seen = <double>tree._train_weight_seen_by_model + w
    tree._train_weight_seen_by_model = seen
    cdef double weight_seen
    cdef bint inlined = _is_subspace_leaf(leaf)
    cdef LeafFields fields = <LeafFields>leaf if inlined else None
    if inlined:
        _learn_subspace_leaf(tree, fields, x, y, w)
    else:
        leaf.learn_one(x, y, w=w, tree=tree)
    if tree._growth_allowed and (fields.splitters if inlined else leaf.splitters) is not None:
        if (fields.depth if inlined else leaf.depth) >= tree.max_depth:
            leaf.deactivate()
            tree._n_active_leaves -= 1
            tree._n_inactive_leaves += 1
        else:
            weight_seen = _total_weight(leaf)  # (the property `last_split_attempt_at`, inline)
            last = fields._last_split_attempt_at if inlined else leaf._last_split_attempt_at
            if weight_seen - <double>last >= <double>tree.grace_period:
                if attempt_may_change(tree, leaf):
                    branch = None if parent is None else parent.branch_no(x)  # (at the root)
                    _forget(tree._route)  # the leaf may become a branch
                    tree._attempt_to_split(leaf, parent, branch)
                leaf._last_split_attempt_at = weight_seen
    if fmod(seen, <double>tree.memory_estimate_period) == 0:
        tree._estimate_model_size()


cpdef bint attempt_may_change(object tree, object leaf) except -1:
    """Whether river's `_attempt_to_split` could change `tree` at `leaf` (a split, or a leaf
    deactivated by pre-pruning); False where it would decide, on the same numbers, to do
    nothing: most attempts. For a forest's leaf with information gain and Gaussian splitters,
    river's decision, repeated: a leaf of one class does not split; one whose majority holds
    more than `max_share_to_split` is pre-pruned; else the two best suggestions' merits (the
    null split's -inf among them) must differ by more than the Hoeffding bound, or the bound
    be under `tau`. Anything else is left to river (True)."""
    if (
        not _is_subspace_leaf(leaf)
        or tree.remove_poor_attrs
        or type(tree)._attempt_to_split is not _RIVER_ATTEMPT
    ):
        return True
    cdef dict stats = (<LeafFields>leaf).stats
    cdef int classes_seen = 0
    for count in stats.values():  # `observed_class_distribution_is_pure`
        if count != 0:
            classes_seen += 1
            if classes_seen == 2:
                break
    if classes_seen < 2:
        return False
    criterion = tree._new_split_criterion()
    if type(criterion) is not InfoGainSplitCriterion:
        return True
    majority = max(stats.values())  # `LeafMajorityClass.best_split_suggestions`
    cdef double total = _total_weight(leaf)
    if majority and majority / total > tree.max_share_to_split:
        return True
    splitters = leaf.splitters
    cdef Py_ssize_t n_suggestions = len(splitters) + (1 if tree.merit_preprune else 0)
    if n_suggestions < 2:
        return n_suggestions > 0
    if _FastGaussianSplitter is None:
        _import_python_classes()
    cdef double pre_split_entropy = _dict_entropy(criterion, stats)
    cdef double min_fraction = criterion.min_branch_fraction
    cdef double best = -INFINITY, second = -INFINITY, merit, bound, merit_range
    for splitter in splitters.values():
        if type(splitter) is not _FastGaussianSplitter:
            return True
        merit = -INFINITY
        if (<GaussianFields>splitter)._att_dist_per_class:
            merit = _best_info_gain(
                <GaussianFields>splitter, pre_split_entropy, min_fraction, None, None
            )
        if merit != merit:
            return True
        if merit > best:
            best, second = merit, best
        elif merit > second:
            second = merit
    # `_hoeffding_bound(range_of_merit(stats), delta, total_weight)`
    merit_range = log2(<double>(len(stats) if len(stats) > 2 else 2))
    bound = sqrt((merit_range * merit_range * log(1.0 / <double>tree.delta)) / (2.0 * total))
    return best - second > bound or bound < <double>tree.tau


cdef void _gather_leaves(object node, list leaves) except *:
    if isinstance(node, Leaf):
        leaves.append(node)
        return
    for child in node.children:
        _gather_leaves(child, leaves)


cpdef list find_leaves(object tree):
    """`HoeffdingTree._find_leaves`: the leaves from the left-most to the right-most, in river's
    `iter_leaves` order, without its generator per level."""
    cdef list leaves = []
    _gather_leaves(tree._root, leaves)
    return leaves


cdef object _promise(object leaf):
    """`leaf.calculate_promise()`; river's rule of `LeafMajorityClass` (the weight outside the
    majority class, with Python's sum and max) inlined for the leaves that keep it."""
    if type(leaf).calculate_promise is not _RIVER_PROMISE:
        return leaf.calculate_promise()
    counts = leaf.stats.values()
    total = _SUM(counts)
    if total > 0:
        return total - _MAX(counts)
    return 0


cdef struct _Ranked:  # a leaf's promise and its place among the leaves found
    double promise
    Py_ssize_t index


cdef int _by_promise(const void *a, const void *b) noexcept nogil:
    """Ascending promise, ties in the order found: the order of Python's stable sort by `<`."""
    cdef const _Ranked *x = <const _Ranked *>a
    cdef const _Ranked *y = <const _Ranked *>b
    if x.promise < y.promise:
        return -1
    if y.promise < x.promise:
        return 1
    return (x.index > y.index) - (x.index < y.index)


cdef bint _promise_in_c(object leaf, double *promise) except -1:
    """`_promise(leaf)` as a C double, for a leaf of river's rule whose class counts are at most
    two floats: their sum is Python's (0 + a, then + b), their max Python's (the first of equal
    ones). False for any other leaf (and for a NaN, which has no order): ask `_promise`."""
    if type(leaf).calculate_promise is not _RIVER_PROMISE:
        return False
    stats = (<LeafFields>leaf).stats if _is_subspace_leaf(leaf) else leaf.stats
    if type(stats) is not dict or len(<dict>stats) > 2:
        return False
    cdef double total = 0.0, largest = 0.0, count
    cdef bint first = True
    for value in (<dict>stats).values():
        if type(value) is not float:
            return False
        count = <double>value
        total += count
        if first or count > largest:
            largest = count
        first = False
    promise[0] = total - largest if total > 0 else 0.0
    return promise[0] == promise[0]


cdef inline bint _leaf_is_active(object leaf) except -1:
    """`leaf.is_active()`: river's rule (splitters kept) read as a C field for a forest's leaf."""
    if _is_subspace_leaf(leaf):
        return (<LeafFields>leaf).splitters is not None
    return leaf.is_active()


cdef list _ranked_leaves(list found):
    """`found` sorted by promise, as river sorts them (Python's stable sort on `_promise`): in C
    when every promise is a C double (`_promise_in_c`)."""
    cdef Py_ssize_t n = len(found), i
    cdef _Ranked *ranked = <_Ranked *>PyMem_Malloc(max(n, 1) * sizeof(_Ranked))
    if ranked is NULL:
        raise MemoryError()
    try:
        for i in range(n):
            ranked[i].index = i
            if not _promise_in_c(found[i], &ranked[i].promise):
                promises = [_promise(leaf) for leaf in found]
                return [found[j] for j in sorted(range(n), key=promises.__getitem__)]
        qsort(ranked, n, sizeof(_Ranked), _by_promise)
        return [found[ranked[i].index] for i in range(n)]
    finally:
        PyMem_Free(ranked)


cdef Py_ssize_t _max_active(object tree, Py_ssize_t n) except -1:
    """River's count of the leaves the size estimates allow active, out of `n`: in C doubles when
    the estimates are floats (Python's float arithmetic, operation by operation)."""
    active_size, inactive_size = tree._active_leaf_size_estimate, tree._inactive_leaf_size_estimate
    overhead, max_size = tree._size_estimate_overhead_fraction, tree._max_byte_size
    cdef Py_ssize_t max_active = 0
    cdef double active, inactive, fraction, limit
    if (
        type(active_size) is float
        and type(inactive_size) is float
        and type(overhead) is float
        and type(max_size) is float
    ):
        active, inactive, fraction, limit = active_size, inactive_size, overhead, max_size
        while max_active < n:
            max_active += 1
            if (max_active * active + (n - max_active) * inactive) * fraction > limit:
                return max_active - 1
        return max_active
    while max_active < n:
        max_active += 1
        if (max_active * active_size + (n - max_active) * inactive_size) * overhead > max_size:
            return max_active - 1
    return max_active


cpdef void enforce_size_limit(object tree) except *:
    """`HoeffdingTree._enforce_size_limit` (Kirkby 2007), river's code with the leaves found and
    ranked here: once over the size limit (or with inactive leaves), keep active the most
    promising leaves the size estimates allow and deactivate the others, or, with
    `stop_mem_management`, stop the tree's growth. Called after each split, and at a size check
    over the limit: it ranked every leaf through Python generators and lambdas, about half a
    split's time."""
    tree_size = tree._size_estimate_overhead_fraction * (
        tree._active_leaf_size_estimate
        + tree._n_inactive_leaves * tree._inactive_leaf_size_estimate
    )
    if tree._n_inactive_leaves > 0 or tree_size > tree._max_byte_size:
        if tree.stop_mem_management:
            tree._growth_allowed = False
            return
    cdef list leaves = _ranked_leaves(find_leaves(tree))
    cdef Py_ssize_t n = len(leaves), i
    cdef Py_ssize_t cutoff = n - _max_active(tree, n)
    for i in range(cutoff):
        if _leaf_is_active(leaves[i]):
            leaves[i].deactivate()
            tree._n_inactive_leaves += 1
            tree._n_active_leaves -= 1
    max_depth = tree.max_depth
    for i in range(cutoff, n):
        if not _leaf_is_active(leaves[i]) and leaves[i].depth < max_depth:
            leaves[i].activate()
            tree._n_active_leaves += 1
            tree._n_inactive_leaves -= 1


cdef double _total_weight(object leaf):
    """`leaf.total_weight`: the sum of its class counts for a majority-class leaf."""
    cdef double total = 0.0
    if _is_subspace_leaf(leaf):
        for count in (<LeafFields>leaf).stats.values():
            total += <double>count
        return total
    return leaf.total_weight


cdef void _learn_subspace_leaf(TreeFields tree, LeafFields leaf, object x, object y, double w):
    """`RandomLeafMajorityClass.learn_one`: river's class counts, then, in an active leaf, the
    splitters of its watched features present in `x`."""
    cdef dict stats = leaf.stats
    cdef PyObject *count = PyDict_GetItemWithError(stats, y)
    if count is NULL:
        stats[y] = w
    else:
        stats[y] = <object>count + w
    cdef dict splitters = leaf.splitters
    if splitters is None:
        return
    cdef list features = leaf.feature_indices
    if len(features) == 0:
        features = leaf.feature_indices = leaf._sample_features(x, leaf.max_features)
    cdef set disabled = leaf._disabled_attrs
    nominal = tree.nominal_attributes
    if _FastGaussianSplitter is None:
        _import_python_classes()
    cdef bint plain = type(x) is dict
    cdef PyObject *found
    for att_id in features:
        if plain:  # one lookup
            found = PyDict_GetItemWithError(x, att_id)
            if found is NULL:
                continue
            att_val = <object>found
        elif att_id in x:
            att_val = x[att_id]
        else:
            continue
        if disabled and att_id in disabled:
            continue
        splitter = splitters.get(att_id)
        if splitter is None:
            if (nominal is not None and att_id in nominal) or not isinstance(
                att_val, numbers.Number
            ):
                splitter = leaf.new_nominal_splitter()
            else:
                splitter = leaf.splitter.clone()
            splitters[att_id] = splitter
        if type(splitter) is _FastGaussianSplitter:
            update_gaussian(<GaussianFields>splitter, att_val, y, w)
        else:
            splitter.update(att_val, y, w)


cpdef void update_gaussian(GaussianFields splitter, object att_val, object y, double w):
    """`FastGaussianSplitter.update`: river's `GaussianSplitter.update`, whose chain of calls
    (splitter, Gaussian, variance, mean) ends in a weighted Welford step on the class's
    Gaussian, and its range of the feature."""
    if att_val is None:
        return
    cdef dict dists = splitter._att_dist_per_class
    cdef dict lows, highs
    cdef LeanGaussian dist
    cdef PyObject *found = PyDict_GetItemWithError(dists, y)
    if found is NULL:
        dist = dists[y] = LeanGaussian()
        splitter._min_per_class[y] = att_val
        splitter._max_per_class[y] = att_val
    else:
        dist = <LeanGaussian?>found
        lows, highs = splitter._min_per_class, splitter._max_per_class
        if _less(att_val, lows[y]):
            lows[y] = att_val
        elif _greater(att_val, highs[y]):
            highs[y] = att_val
    _update(dist, att_val, w)


cdef inline bint _less(object a, object b) except -1:
    """`a < b`, compared as C doubles when both are floats (Python's own comparison)."""
    if type(a) is float and type(b) is float:
        return PyFloat_AS_DOUBLE(a) < PyFloat_AS_DOUBLE(b)
    return a < b


cdef inline bint _greater(object a, object b) except -1:
    """`a > b`, as `_less`."""
    if type(a) is float and type(b) is float:
        return PyFloat_AS_DOUBLE(a) > PyFloat_AS_DOUBLE(b)
    return a > b


cdef double _entropy(double *counts, unsigned char *present, Py_ssize_t n_classes):
    """`InfoGainSplitCriterion._compute_entropy_dict` of the counts present."""
    cdef double entropy = 0.0, total = 0.0, d
    cdef Py_ssize_t i
    for i in range(n_classes):
        if present[i]:
            d = counts[i]
            if d > 0.0:
                entropy -= d * log2(d)
                total += d
    return (entropy + total * log2(total)) / total if total > 0.0 else 0.0


cdef object _RIVER_ENTROPY = InfoGainSplitCriterion._compute_entropy_dict


cdef double _dict_entropy(object criterion, object stats) except? -1.0:
    """`criterion._compute_entropy_dict(stats)`: river's rule, as `_entropy` computes it for a
    dict of up to 8 float counts (in the dict's order), else river's method."""
    if (
        type(criterion)._compute_entropy_dict is not _RIVER_ENTROPY
        or type(stats) is not dict
        or len(<dict>stats) > 8
    ):
        return criterion._compute_entropy_dict(stats)
    cdef double counts[8]
    cdef unsigned char present[8]
    cdef Py_ssize_t n = 0
    for value in (<dict>stats).values():
        if type(value) is not float:
            return criterion._compute_entropy_dict(stats)
        counts[n], present[n] = value, 1
        n += 1
    return _entropy(counts, present, n)


cpdef object best_info_gain_split(
    GaussianFields splitter, object criterion, object pre_split_dist, object att_idx
):
    """`FastGaussianSplitter.best_evaluated_split_suggestion` for information gain: river's
    `GaussianSplitter`'s best binary split on its `n_splits` cut points (spread evenly inside
    the feature's range, `_split_point_suggestions`), each class's weight on either side of a
    cut from its Gaussian's cdf (within the class's range)."""
    best = [BranchFactory()]
    if splitter._att_dist_per_class:
        _best_info_gain(
            splitter,
            _dict_entropy(criterion, pre_split_dist),
            criterion.min_branch_fraction,
            att_idx,
            best,
        )
    return best[0]


cdef double _best_info_gain(
    GaussianFields splitter,
    double pre_split_entropy,
    double min_fraction,
    object att_idx,
    list best,
) except? -1.0:
    """The merit of `best_info_gain_split`'s suggestion (-inf without one); with `best`, a list,
    `best[0]` becomes the suggestion if there is one."""
    cdef dict dists = splitter._att_dist_per_class
    cdef Py_ssize_t n_classes = len(dists), n_splits = splitter.n_splits, n_cuts = 0, i = 0
    if n_classes == 0:
        return -INFINITY
    # Per class: its range, weight, mean and deviation (Gaussian.cdf's own operations), its
    # weight left and right of a cut, and where it lies (0: both sides, 1: right, 2: left);
    # then the cut points.
    cdef double *numbers = <double *>PyMem_Malloc((9 * n_classes + n_splits) * sizeof(double))
    cdef unsigned char *flags = <unsigned char *>PyMem_Malloc(4 * n_classes)
    if numbers is NULL or flags is NULL:
        PyMem_Free(numbers)
        PyMem_Free(flags)
        raise MemoryError()
    cdef double *low = numbers
    cdef double *high = numbers + n_classes
    cdef double *n = numbers + 2 * n_classes
    cdef double *mu = numbers + 3 * n_classes
    cdef double *sigma = numbers + 4 * n_classes
    cdef double *lhs = numbers + 5 * n_classes
    cdef double *rhs = numbers + 6 * n_classes
    cdef double *best_lhs = numbers + 7 * n_classes
    cdef double *best_rhs = numbers + 8 * n_classes
    cdef double *cuts = numbers + 9 * n_classes
    cdef unsigned char *in_lhs = flags
    cdef unsigned char *in_rhs = flags + n_classes
    cdef unsigned char *side = flags + 2 * n_classes
    cdef unsigned char *best_side = flags + 3 * n_classes
    cdef double best_merit = -INFINITY, best_cut = 0.0
    cdef LeanGaussian gaussian
    cdef double cut, below, left, right, total, post, merit
    cdef double min_value = INFINITY, max_value = -INFINITY, bin_size
    # For the suggestion's children: the classes, and each one's weight as river stores it.
    labels = list(dists) if best is not None else None
    weights = []
    try:
        for label, dist in dists.items():
            gaussian = <LeanGaussian?>dist
            low[i] = splitter._min_per_class[label]
            high[i] = splitter._max_per_class[label]
            n[i] = gaussian.n
            if best is not None:
                weights.append(gaussian.n)
            mu[i] = gaussian._mean
            sigma[i] = pow(_variance(gaussian), 0.5)
            if low[i] < min_value:
                min_value = low[i]
            if high[i] > max_value:
                max_value = high[i]
            i += 1
        if min_value < INFINITY:
            bin_size = max_value - min_value
            bin_size /= n_splits + 1.0
            for i in range(n_splits):
                cut = min_value + (bin_size * (i + 1))
                if min_value < cut < max_value:
                    cuts[n_cuts] = cut
                    n_cuts += 1
        for j in range(n_cuts):
            cut = cuts[j]
            left = right = 0.0
            for i in range(n_classes):
                if cut < low[i]:
                    side[i], in_lhs[i], in_rhs[i] = 1, 0, 1
                    rhs[i] = n[i]
                elif cut >= high[i]:
                    side[i], in_lhs[i], in_rhs[i] = 2, 1, 0
                    lhs[i] = n[i]
                else:
                    side[i], in_lhs[i], in_rhs[i] = 0, 1, 1
                    if sigma[i] == 0.0:  # (Python's division by zero)
                        below = 0.0
                    else:
                        below = 0.5 * (1.0 + erf((cut - mu[i]) / sigma[i] / _SQRT_2))
                    lhs[i] = below * n[i]
                    rhs[i] = n[i] - lhs[i]
                if in_lhs[i]:
                    left += lhs[i]
            for i in range(n_classes):
                if in_rhs[i]:
                    right += rhs[i]
            total = 0.0 + left + right
            if not (total > 0 and left / total > min_fraction and right / total > min_fraction):
                continue  # fewer than two branches hold enough weight: merit -inf
            post = (
                0.0
                + left * _entropy(lhs, in_lhs, n_classes)
                + right * _entropy(rhs, in_rhs, n_classes)
            ) / total
            merit = pre_split_entropy - post
            if merit > best_merit:
                best_merit, best_cut = merit, cut
                for i in range(n_classes):  # the best cut's sides, for its suggestion
                    best_side[i], best_lhs[i], best_rhs[i] = side[i], lhs[i], rhs[i]
        if best is not None and best_merit > -INFINITY:
            children = [{}, {}]
            for i in range(n_classes):
                if best_side[i] == 1:
                    children[1][labels[i]] = weights[i]
                elif best_side[i] == 2:
                    children[0][labels[i]] = weights[i]
                else:
                    children[0][labels[i]] = best_lhs[i]
                    children[1][labels[i]] = best_rhs[i]
            best[0] = BranchFactory(best_merit, att_idx, best_cut, children)
    finally:
        PyMem_Free(numbers)
        PyMem_Free(flags)
    return best_merit


cpdef void forest_learn_one(
    list trees, object x, object y, double w, double lambda_value, object rng
):
    """Online bagging: each of `trees` learns `x` with weight `w` times k ~ Poisson(
    `lambda_value`) (k = 0: not at all), in order, the draws from `rng`."""
    cdef int k
    for tree in trees:
        k = poisson(lambda_value, rng)
        if k:
            learn_one(<TreeFields?>tree, x, y, w * k)


cpdef dict forest_proba(list trees, list mirrors, object x, bint class_shares):
    """The mean over `trees` of their normalised probabilities for `x`: each leaf's class
    shares (`class_shares`, without the tree's dict of them; found along the trees' mirrors,
    `mirrors[i]` made for `trees[i]` when it is not yet) or each tree's `predict_proba_one`;
    {} when no tree has learned. The sums per label are C doubles, in the order the labels
    first appear, as a dict of them would hold them."""
    cdef _LabelSums sums = _LabelSums()
    cdef double total
    cdef Py_ssize_t i
    cdef _Items items
    items.n = 0
    if class_shares:
        _hold_items(&items, x)
    try:
        for i in range(len(trees)):
            tree = trees[i]
            if class_shares:
                if i == len(mirrors):
                    mirrors.append(TreeMirror(tree))
                elif (<TreeMirror>mirrors[i]).tree is not tree:
                    mirrors[i] = TreeMirror(tree)
                found = _leaf_in(<TreeMirror>mirrors[i], x, &items)
                leaf = _remember(<TreeFields?>tree, x, found)
                if leaf is None:
                    continue
                proba = (<LeafFields>leaf).stats if _is_subspace_leaf(leaf) else leaf.stats
            else:
                proba = tree.predict_proba_one(x)
            total = 0.0
            for p in (<dict>proba).values():
                total += <double>p
            if total > 0:
                for label, p in (<dict>proba).items():
                    sums.add(label, <double>p / total)
    finally:
        _release_items(&items)
    return sums.normalised()


cdef class _LabelSums:
    """Sums of doubles per label, kept as a dict of them would be (a label equal to one seen
    is that label), without a Python float per addition."""

    cdef list labels  # in the order first seen
    cdef dict positions  # label -> its index, for a label equal to one seen but not it
    cdef double *sums
    cdef Py_ssize_t capacity

    def __cinit__(self):
        self.labels, self.positions, self.capacity = [], {}, 4
        self.sums = <double *>PyMem_Malloc(self.capacity * sizeof(double))
        if self.sums is NULL:
            raise MemoryError()

    def __dealloc__(self):
        PyMem_Free(self.sums)

    cdef int add(self, object label, double value) except -1:
        """sums[label] = sums.get(label, 0.0) + value."""
        cdef Py_ssize_t n = len(self.labels), j
        cdef PyObject *found
        cdef double *grown
        for j in range(n):
            if <PyObject *>self.labels[j] is <PyObject *>label:
                self.sums[j] = self.sums[j] + value
                return 0
        found = PyDict_GetItemWithError(self.positions, label)
        if found is not NULL:
            j = <Py_ssize_t><object>found
            self.sums[j] = self.sums[j] + value
            return 0
        if n == self.capacity:
            grown = <double *>PyMem_Realloc(self.sums, 2 * self.capacity * sizeof(double))
            if grown is NULL:
                raise MemoryError()
            self.sums, self.capacity = grown, 2 * self.capacity
        self.positions[label] = n
        self.labels.append(label)
        self.sums[n] = 0.0 + value
        return 0

    cdef dict normalised(self):
        """{label: its sum / the sum of all}, {} unless that is positive."""
        cdef double total = 0.0
        cdef Py_ssize_t j, n = len(self.labels)
        for j in range(n):
            total += self.sums[j]
        if not total > 0:
            return {}
        return {self.labels[j]: self.sums[j] / total for j in range(n)}


@cython.auto_pickle(False)
cdef class ForestFields(CompiledFields):
    """What `stream_imbal.ensemble.SubspaceForest` (see it), which extends this class, reads
    and writes per event: its learning and prediction, each a call to the kernels above."""

    cdef public object lambda_value, leaf_prediction, _rng
    cdef public list _trees, _mirrors
    cdef public Py_ssize_t _n_features

    cdef dict _fields(self):
        return {
            "lambda_value": self.lambda_value,
            "leaf_prediction": self.leaf_prediction,
            "_rng": self._rng,
            "_trees": self._trees,
            "_mirrors": self._mirrors,
            "_n_features": self._n_features,
        }

    def learn_one(self, x, y, w=1.0) -> None:
        if len(x) > self._n_features:  # the widest event so far sets how many features to watch
            self._widen(len(x))
        forest_learn_one(self._trees, x, y, w, self.lambda_value, self._rng)

    def predict_proba_one(self, x):
        return forest_proba(self._trees, self._mirrors, x, self.leaf_prediction == "mc")
