# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of river's `LogisticRegression` (SGD, log loss, no penalty), compiled, on
the model's own state: its weights (its `VectorDict`), intercept and optimizer.

Numbers are C doubles, with river's arithmetic operation by operation and in the same order
(the dot product over the event's features in their order, from 0.0; each weight minus the
learning rate times the event's gradient), so that every weight and probability is river's to
the last bit (see `tests/test_scaled_logistic.py` and `tests/test_recorded_outputs.py`).
"""

from cpython.dict cimport PyDict_GetItemWithError
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from libc.math cimport exp, sqrt

from stream_imbal._scaling cimport standardised, welford, winsorised

from river import compose, linear_model, optim

from stream_imbal.learning_rate import FastStartRate
from stream_imbal.preprocessing import ClippedStandardScaler

cdef object _SCALER = ClippedStandardScaler
cdef object _LOGISTIC = linear_model.LogisticRegression
cdef object _SGD = optim.SGD
cdef object _LOG_LOSS = optim.losses.Log
cdef object _ZEROS = optim.initializers.Zeros
cdef object _PIPELINE = compose.Pipeline
cdef object _CONSTANT = optim.schedulers.Constant
cdef object _FAST_START = FastStartRate


cpdef bint runs_compiled(object scaler, object model):
    """Whether the pair runs compiled: the scaler and the logistic regression this kernel
    repeats (SGD, log loss, zero initial weights, no penalty), with no unsupervised learning
    during predictions (`compose.learn_during_predict`)."""
    return (
        type(scaler) is _SCALER
        and type(model) is _LOGISTIC
        and type(model.optimizer) is _SGD
        and type(model.loss) is _LOG_LOSS
        and type(model.initializer) is _ZEROS
        and not model.l1
        and not model.l2
        and not _PIPELINE._LEARN_UNSUPERVISED_DURING_PREDICT
    )


cdef double _rate(object scheduler, object t) except? -1.0:
    """`scheduler.get(t)`, the rate at step `t`, computed here for river's constant rate and
    for `FastStartRate` with float parameters: `max(floor, start / sqrt(1 + t / scale))` as
    Python computes it (the first of equal values; `t` a step count, exact as a double)."""
    cdef double rate, floor
    if type(scheduler) is _CONSTANT:
        return scheduler.learning_rate
    if (
        type(scheduler) is _FAST_START
        and type(scheduler.start) is float
        and type(scheduler.floor) is float
        and type(scheduler.scale) is float
    ):
        rate = <double>scheduler.start / sqrt(1.0 + <double>t / <double>scheduler.scale)
        floor = scheduler.floor
        return rate if rate > floor else floor
    return scheduler.get(t)


cdef double _sigmoid(double raw) noexcept:
    """River's sigmoid of the logit: 0 and 1 beyond -30 and 30."""
    if raw < -30:
        return 0.0
    if raw > 30:
        return 1.0
    return 1.0 / (1.0 + exp(-raw))


cpdef double scaled_proba_true(object scaler, object model, dict x):
    """`model.predict_proba_one(scaler.transform_one(x))[True]` without making the scaled dict:
    river's dot product (over `x`'s features in their order, from 0.0, a missing weight counting
    as 0) of the weights and each feature scaled (`standardised`: 0 without a deviation yet),
    plus the intercept, through river's sigmoid."""
    cdef dict means = scaler._means, stds = scaler._stds
    cdef double clip = scaler.clip, total = 0.0, z
    cdef PyObject *found
    weights = model._weights
    for name, value in x.items():
        found = PyDict_GetItemWithError(stds, name)
        if found is NULL:
            z = 0.0
        else:
            z = standardised(<double>value, <double>means[name], <double><object>found, clip)
        try:
            total += <double>weights[name] * z
        except KeyError:
            total += 0.0 * z
    return _sigmoid(total + <double>model.intercept)


cdef struct _Feature:  # a feature's state through `learn_steps`
    double value, mean, m2, std, coef, scaled
    long count


cpdef void learn_steps(object scaler, object model, dict x, bint y, double w, long steps):
    """`steps` times in a row: `scaler` learns `x` (`ClippedStandardScaler.learn_one`), then
    `model` learns `x` scaled (`LogisticRegression.learn_one(x, y, w)`: the log loss's gradient
    at the logit, times `w`, clipped; the intercept's step at its own rate, then each weight's at
    the optimizer's). One step is `ScaledLogisticRegression.learn_one`; several are
    `SmallSteps`' light steps of one heavy event.

    The features' statistics and weights are read once into C structs, stepped there, and
    written back once: the same numbers as the steps one by one on the dictionaries (a new
    feature's statistics and weight are inserted in `x`'s order, as its first step would).
    """
    cdef Py_ssize_t size = len(x), i
    cdef long warm_up = scaler.warm_up, step, n_iterations
    cdef double clip = scaler.clip, value, raw, sign, weight, z, gradient, rate
    cdef double clip_gradient = model.clip_gradient
    cdef dict counts = scaler._counts, means = scaler._means, m2 = scaler._m2
    cdef dict stds = scaler._stds
    cdef PyObject *found
    cdef _Feature *f
    cdef _Feature *features = <_Feature *>PyMem_Malloc(size * sizeof(_Feature))
    if features is NULL:
        raise MemoryError()
    loss, optimizer, weights = model.loss, model.optimizer, model._weights
    names = list(x)
    try:
        for i in range(size):
            name, f = names[i], &features[i]
            f.value = x[name]
            found = PyDict_GetItemWithError(counts, name)
            f.count = 0 if found is NULL else <long><object>found
            found = PyDict_GetItemWithError(means, name)
            f.mean = 0.0 if found is NULL else <double><object>found
            found = PyDict_GetItemWithError(m2, name)
            f.m2 = 0.0 if found is NULL else <double><object>found
            found = PyDict_GetItemWithError(stds, name)
            f.std = 0.0 if found is NULL else <double><object>found
            try:
                f.coef = weights[name]
            except KeyError:  # river's learn mode gives a new feature the weight 0.0
                weights[name] = 0.0
                f.coef = 0.0
        sign = 1.0 if y else -1.0
        weight = loss.weight_pos if y else loss.weight_neg
        intercept = <double>model.intercept
        for step in range(steps):
            for i in range(size):  # the scaler learns
                f = &features[i]
                value = f.value
                if f.count >= warm_up:
                    if f.count == 0:  # no deviation yet (warm_up <= 0): as the dictionaries
                        raise KeyError(names[i])
                    if f.std > 0:
                        value = winsorised(value, f.mean, f.std, clip)
                f.std = welford(value, &f.count, &f.mean, &f.m2)
            raw = 0.0  # the logit of `x` scaled, over its features in order, from 0.0
            for i in range(size):
                f = &features[i]
                f.scaled = standardised(f.value, f.mean, f.std, clip)
                raw += f.coef * f.scaled
            raw += intercept
            z = raw * sign
            if z > 18.0:
                gradient = weight * exp(-z) * -sign
            elif z < -18.0:
                gradient = weight * -sign
            else:
                gradient = weight * -sign / (exp(z) + 1.0)
            gradient *= w
            if clip_gradient < gradient:  # river's max(min(gradient, clip), -clip), NaN kept
                gradient = clip_gradient
            if -clip_gradient > gradient:
                gradient = -clip_gradient
            n_iterations = optimizer.n_iterations  # river's `optimizer.learning_rate` reads it
            intercept = intercept - _rate(model.intercept_lr, n_iterations) * gradient
            rate = _rate(optimizer.lr, n_iterations)
            for i in range(size):
                f = &features[i]
                f.coef = f.coef - f.scaled * gradient * rate
            optimizer.n_iterations = n_iterations + 1
        model.intercept = intercept
        for i in range(size):
            name, f = names[i], &features[i]
            counts[name], means[name], m2[name] = f.count, f.mean, f.m2
            stds[name] = f.std
            weights[name] = f.coef
    finally:
        PyMem_Free(features)
