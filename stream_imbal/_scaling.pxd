# cython: language_level=3
"""The clipped standard scaler's rules, one value at a time: shared by its kernel
(`_scaling.pyx`, on the scaler's dictionaries) and the logistic regression's fused steps
(`_logistic.pyx`, on C copies of them), so that each rule is written once."""

from libc.math cimport sqrt


cdef inline double winsorised(double value, double mean, double std, double clip) noexcept:
    """`value` held to `mean` +- `clip` deviations (for a feature with a positive `std`)."""
    cdef double bound = clip * std
    if value > mean + bound:
        return mean + bound
    if value < mean - bound:
        return mean - bound
    return value


cdef inline double welford(
    double value, long *n, double *mean, double *m2
) noexcept:
    """One value into a feature's count, mean and sum of squared deviations (Welford); its new
    deviation."""
    n[0] += 1
    cdef double delta = value - mean[0]
    mean[0] += delta / n[0]
    m2[0] = m2[0] + delta * (value - mean[0])
    return sqrt(m2[0] / n[0])


cdef inline double standardised(double value, double mean, double std, double clip) noexcept:
    """`value` in deviations from `mean`, clipped to [-`clip`, `clip`] (a NaN stays); 0 for a
    feature without a positive deviation (`std` 0)."""
    if std == 0.0:
        return 0.0
    cdef double z = (value - mean) / std
    if z > clip:
        return clip
    if z < -clip:
        return -clip
    return z
