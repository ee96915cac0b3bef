# cython: language_level=3, boundscheck=False, wraparound=False
"""The per-event work of river's `LogisticRegression` (SGD, log loss, no penalty), compiled, on
the model's own state: its weights (its `VectorDict`), intercept and optimizer.

Numbers are C doubles, with river's arithmetic operation by operation and in the same order
(the dot product over the event's features in their order, from 0.0; each weight minus the
learning rate times the event's gradient), so that every weight and probability is river's to
the last bit (see `tests/test_scaled_logistic.py` and `tests/test_recorded_outputs.py`).
"""

from libc.math cimport exp

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


cdef double _dot(object weights, dict x, bint insert):
    """`VectorDict.dot(x)`: the sum over `x`'s features, in their order, of weight times value,
    a missing weight counting as 0; with `insert`, it is stored as 0.0 (the initializer of
    river's learn mode)."""
    cdef double total = 0.0
    for name, value in x.items():
        try:
            total += <double>weights[name] * <double>value
        except KeyError:
            if insert:
                weights[name] = 0.0
            total += 0.0 * <double>value
    return total


cpdef double proba_true(object model, dict x):
    """`LogisticRegression.predict_proba_one(x)[True]`: river's sigmoid of the logit (0 and 1
    beyond -30 and 30)."""
    cdef double raw = _dot(model._weights, x, False) + <double>model.intercept
    if raw < -30:
        return 0.0
    if raw > 30:
        return 1.0
    return 1.0 / (1.0 + exp(-raw))


cpdef void learn_one(object model, dict x, bint y, double w):
    """`LogisticRegression.learn_one(x, y, w)`: the log loss's gradient at the logit, times `w`,
    clipped; the intercept's step at its own rate, then each weight's at the optimizer's."""
    loss, optimizer, weights = model.loss, model.optimizer, model._weights
    cdef double raw = _dot(weights, x, True) + <double>model.intercept
    cdef double sign = 1.0 if y else -1.0
    cdef double weight = loss.weight_pos if y else loss.weight_neg
    cdef double z = raw * sign, gradient, clip = model.clip_gradient, rate
    if z > 18.0:
        gradient = weight * exp(-z) * -sign
    elif z < -18.0:
        gradient = weight * -sign
    else:
        gradient = weight * -sign / (exp(z) + 1.0)
    gradient *= w
    if clip < gradient:  # river's max(min(gradient, clip), -clip), NaN kept
        gradient = clip
    if -clip > gradient:
        gradient = -clip
    n = optimizer.n_iterations
    model.intercept = <double>model.intercept - <double>model.intercept_lr.get(n) * gradient
    rate = optimizer.learning_rate
    for name, value in x.items():
        weights[name] = <double>weights[name] - <double>value * gradient * rate
    optimizer.n_iterations = n + 1
