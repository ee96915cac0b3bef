# cython: language_level=3, boundscheck=False, wraparound=False
"""The packing of a waiting event's features (`PendingLabels`), compiled: the values of a dict
whose every value is a float, as the bytes of C doubles in the dict's order, and back.

A double's bytes are the float itself, bit for bit (signed zeros, infinities and NaNs
included), so an event unpacked is the event packed. Any other value (an int, a bool, a float
subclass such as numpy's) is not converted, nor is a mapping other than a dict: the caller
keeps such an event another way.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_CheckExact
from libc.string cimport memcpy


def pack_floats(object x):
    """The values of `x` as the bytes of C doubles, in the dict's order; None unless `x` is a
    dict (not a subclass) whose every value is exactly a float."""
    if type(x) is not dict:
        return None
    cdef Py_ssize_t n = len(x), i = 0
    cdef double value
    for raw in (<dict>x).values():
        if not PyFloat_CheckExact(raw):
            return None
    packed = PyBytes_FromStringAndSize(NULL, n * sizeof(double))
    cdef char *out = PyBytes_AS_STRING(packed)
    for raw in (<dict>x).values():
        if i == n or not PyFloat_CheckExact(raw):  # changed by a finaliser the allocation ran
            return None
        value = PyFloat_AS_DOUBLE(raw)
        memcpy(out + i * sizeof(double), &value, sizeof(double))
        i += 1
    return packed if i == n else None


def unpack_floats(tuple names not None, bytes packed not None):
    """The dict `pack_floats` packed: `names` (its keys, in order) with their values."""
    cdef Py_ssize_t n = len(names), i
    cdef double value
    cdef const char *data = PyBytes_AS_STRING(packed)
    if PyBytes_GET_SIZE(packed) != n * <Py_ssize_t>sizeof(double):
        raise ValueError(f"{PyBytes_GET_SIZE(packed)} bytes do not hold {n} doubles")
    cdef dict x = {}
    for i in range(n):
        memcpy(&value, data + i * sizeof(double), sizeof(double))
        x[names[i]] = value
    return x
