# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of `ClippedStandardScaler`, compiled: its Welford update with winsorising
and its clipped scaling, on the scaler's own dictionaries (its state and pickles unchanged).

Numbers are C doubles, with the arithmetic of the Python code this replaced, operation by
operation and in the same order, so that every result is the same to the last bit (see
`tests/test_recorded_outputs.py`).
"""

from cpython.dict cimport PyDict_GetItemWithError
from cpython.object cimport PyObject


cpdef void learn_one(object scaler, dict x):
    """`ClippedStandardScaler.learn_one`: each feature's running mean and variance learn its
    value, winsorised to the mean +- `clip` deviations once the feature has `warm_up` values
    with a positive variance."""
    cdef dict counts = scaler._counts, means = scaler._means, m2 = scaler._m2
    cdef dict stds = scaler._stds
    cdef double clip = scaler.clip, value, mean, std, total
    cdef long warm_up = scaler.warm_up, n
    cdef PyObject *found
    for name, raw in x.items():
        value = raw
        found = PyDict_GetItemWithError(counts, name)
        n = 0 if found is NULL else <long><object>found
        found = PyDict_GetItemWithError(means, name)
        mean = 0.0 if found is NULL else <double><object>found
        if n >= warm_up:
            std = stds[name]
            if std > 0:
                value = winsorised(value, mean, std, clip)
        found = PyDict_GetItemWithError(m2, name)
        total = 0.0 if found is NULL else <double><object>found
        std = welford(value, &n, &mean, &total)
        counts[name], means[name], m2[name] = n, mean, total
        stds[name] = std


cpdef dict transform_one(object scaler, dict x):
    """`ClippedStandardScaler.transform_one`: each feature's value in deviations from its mean,
    clipped to [-`clip`, `clip`]; 0 for a feature without a positive deviation yet."""
    cdef dict means = scaler._means, stds = scaler._stds, out = {}
    cdef double clip = scaler.clip
    cdef PyObject *found
    for name, value in x.items():
        found = PyDict_GetItemWithError(stds, name)
        if found is NULL:
            out[name] = 0.0
            continue
        out[name] = standardised(<double>value, <double>means[name], <double><object>found, clip)
    return out
