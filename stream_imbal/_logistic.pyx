# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of river's `LogisticRegression` (SGD, log loss, no penalty), compiled, on
the model's own state: its weights (its `VectorDict`), intercept and optimizer.

Numbers are C doubles, with river's arithmetic operation by operation and in the same order
(the dot product over the event's features in their order, from 0.0; each weight minus the
learning rate times the event's gradient), so that every weight and probability is river's to
the last bit (see `tests/test_scaled_logistic.py` and `tests/test_recorded_outputs.py`).
"""

from cpython.dict cimport PyDict_GetItem
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from libc.math cimport exp

from stream_imbal._scaling cimport standardised, welford, winsorised

from river import compose, linear_model, optim

from stream_imbal.preprocessing import ClippedStandardScaler

cdef object _SCALER = ClippedStandardScaler
cdef object _LOGISTIC = linear_model.LogisticRegression
cdef object _SGD = optim.SGD
cdef object _LOG_LOSS = optim.losses.Log
cdef object _ZEROS = optim.initializers.Zeros
cdef object _PIPELINE = compose.Pipeline


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


cdef double _dot(object weights, dict x):
    """`VectorDict.dot(x)`: the sum over `x`'s features, in their order, of weight times value,
    a missing weight counting as 0."""
    cdef double total = 0.0
    for name, value in x.items():
        try:
            total += <double>weights[name] * <double>value
        except KeyError:
            total += 0.0 * <double>value
    return total


cpdef double proba_true(object model, dict x):
    """`LogisticRegression.predict_proba_one(x)[True]`: river's sigmoid of the logit (0 and 1
    beyond -30 and 30)."""
    cdef double raw = _dot(model._weights, x) + <double>model.intercept
    if raw < -30:
        return 0.0
    if raw > 30:
        return 1.0
    return 1.0 / (1.0 + exp(-raw))


cpdef void learn_steps(object scaler, object model, dict x, bint y, double w, long steps):
    """`steps` times in a row: `scaler` learns `x` (`ClippedStandardScaler.learn_one`), then
    `model` learns `x` scaled (`LogisticRegression.learn_one(x, y, w)`: the log loss's gradient
    at the logit, times `w`, clipped; the intercept's step at its own rate, then each weight's at
    the optimizer's). One step is `ScaledLogisticRegression.learn_one`; several are
    `SmallSteps`' light steps of one heavy event.

    The features' statistics and weights are read once into C arrays, stepped there, and
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
    buffer = <double *>PyMem_Malloc(7 * size * sizeof(double) + 2 * size * sizeof(long))
    if buffer is NULL:
        raise MemoryError()
    cdef double *values = buffer
    cdef double *mean = buffer + size
    cdef double *m2s = buffer + 2 * size
    cdef double *std = buffer + 3 * size
    cdef double *coef = buffer + 4 * size
    cdef double *scaled = buffer + 5 * size
    cdef double *has_std = buffer + 6 * size  # 1.0 once the feature has a deviation
    cdef long *count = <long *>(buffer + 7 * size)
    loss, optimizer, weights = model.loss, model.optimizer, model._weights
    names = list(x)
    try:
        for i in range(size):
            name = names[i]
            values[i] = x[name]
            found = PyDict_GetItem(counts, name)
            count[i] = 0 if found is NULL else <long><object>found
            found = PyDict_GetItem(means, name)
            mean[i] = 0.0 if found is NULL else <double><object>found
            found = PyDict_GetItem(m2, name)
            m2s[i] = 0.0 if found is NULL else <double><object>found
            found = PyDict_GetItem(stds, name)
            has_std[i] = found is not NULL
            std[i] = 0.0 if found is NULL else <double><object>found
            try:
                coef[i] = weights[name]
            except KeyError:  # river's learn mode gives a new feature the weight 0.0
                weights[name] = 0.0
                coef[i] = 0.0
        sign = 1.0 if y else -1.0
        weight = loss.weight_pos if y else loss.weight_neg
        intercept = <double>model.intercept
        for step in range(steps):
            for i in range(size):  # the scaler learns
                value = values[i]
                if count[i] >= warm_up:
                    if not has_std[i]:
                        raise KeyError(names[i])  # (as the dictionaries would)
                    if std[i] > 0:
                        value = winsorised(value, mean[i], std[i], clip)
                std[i] = welford(value, &count[i], &mean[i], &m2s[i])
                has_std[i] = 1.0
            raw = 0.0  # the logit of `x` scaled, over its features in order, from 0.0
            for i in range(size):
                scaled[i] = standardised(values[i], mean[i], std[i], clip)
                raw += coef[i] * scaled[i]
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
            n_iterations = optimizer.n_iterations
            intercept = intercept - <double>model.intercept_lr.get(n_iterations) * gradient
            rate = optimizer.learning_rate
            for i in range(size):
                coef[i] = coef[i] - scaled[i] * gradient * rate
            optimizer.n_iterations = n_iterations + 1
        model.intercept = intercept
        for i in range(size):
            name = names[i]
            counts[name], means[name], m2[name] = count[i], mean[i], m2s[i]
            stds[name] = std[i]
            weights[name] = coef[i]
    finally:
        PyMem_Free(buffer)
