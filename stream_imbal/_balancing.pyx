# cython: language_level=3
"""How one labelled event trains a learner, compiled: the class weight from the prior
(`ClassWeights.weight`'s inverse scheme), the choice between under-sampling and up-weighting
(`ReweightResample.train`) and the training under a weight (`learn_weighted`), on C fields
(`CompiledFields`). They run for each labelled event, and for each candidate of a pool. The
Python classes extend these; every value is the Python object the Python code made."""

cimport cython

import math

from stream_imbal._fields cimport CompiledFields
from stream_imbal._priors cimport DecayedCounts

from stream_imbal._hoeffding import poisson
from stream_imbal.priors.decayed import DecayedClassPrior

cdef object _CLASS_WEIGHTS = None  # `ClassWeights`, once imported (it imports this module)


cdef inline bint _is_class_weights(object weights) except -1:
    global _CLASS_WEIGHTS
    if _CLASS_WEIGHTS is None:
        from stream_imbal.balancing.weights import ClassWeights

        _CLASS_WEIGHTS = ClassWeights
    return type(weights) is _CLASS_WEIGHTS


cpdef object learn_weighted(
    object learner, object x, object y, object weight, bint takes_weight, object rng
):
    """Train `learner` once with `w=weight`, or Poisson(weight) times if it takes no weight.

    Returns the weight the event actually received.
    """
    if takes_weight:
        learner.learn_one(x, y, w=weight)
        return weight
    cdef int repeats = poisson(weight, rng)
    for _ in range(repeats):
        learner.learn_one(x, y)
    return float(repeats)


@cython.auto_pickle(False)
cdef class WeightsFields(CompiledFields):
    """What `stream_imbal.balancing.ClassWeights` (see it), which extends this class, reads per
    event."""

    cdef public object scheme, clip

    cdef dict _fields(self):
        return {"scheme": self.scheme, "clip": self.clip}

    def weight(self, y, prior) -> float:
        """Weight of an event of class `y` (whose label `prior` has already counted)."""
        return self._weight(y, prior)

    cdef object _weight(self, object y, object prior):
        if self.scheme == "inverse":  # the normaliser sum_k p_k / p_k is the number of classes
            if type(prior) is DecayedClassPrior:
                w = 1.0 / (
                    <double>(<DecayedCounts>prior)._n_classes() * (<DecayedCounts>prior)._share(y)
                )
            else:
                w = 1.0 / (prior.n_classes * prior.share(y))
        else:
            w = self._scheme_weight(y, prior)
        clip = self.clip
        low = 1.0 / clip  # clamped without min / max: this runs per event
        return clip if w > clip else (w if w > low else low)


@cython.auto_pickle(False)
cdef class ReweightFields(CompiledFields):
    """What `stream_imbal.balancing.ReweightResample` (see it), which extends this class, reads
    per event."""

    cdef dict _fields(self):
        return {
            "relative_to": self.relative_to,
            "scale": self.scale,
            "max_repeats": self.max_repeats,
            "_weights": self._weights,
        }

    def train(self, learner, x, y, prior, takes_weight, rng):
        return self._train(learner, x, y, prior, takes_weight, rng)

    cdef object _train(
        self, object learner, object x, object y, object prior, bint takes_weight, object rng
    ):
        weights = self._weights
        if _is_class_weights(weights):
            weight = (<WeightsFields>weights)._weight(y, prior) * self.scale
        else:
            weight = weights.weight(y, prior) * self.scale
        if self.relative_to == "majority":
            weight /= weights.weight(max(prior.shares, key=prior.shares.get), prior)
        if weight < 1.0 or not takes_weight:
            return learn_weighted(learner, x, y, weight, False, rng)
        repeats = min(math.ceil(weight), self.max_repeats)
        for _ in range(repeats):
            learner.learn_one(x, y, w=weight / repeats)
        return weight


@cython.auto_pickle(False)
cdef class StepsFields(CompiledFields):
    """What `stream_imbal.small_steps.SmallSteps` (see it), which extends this class, reads per
    event: its learning in steps and its prediction, passed to its model."""

    cdef public object model, max_weight, max_steps

    cdef dict _fields(self):
        return {"model": self.model, "max_weight": self.max_weight, "max_steps": self.max_steps}

    def learn_one(self, x, y, w=1.0, **kwargs) -> None:
        max_weight = self.max_weight
        steps = min(math.ceil(w / max_weight), self.max_steps) if w > max_weight else 1
        repeated = getattr(self.model, "learn_repeated", None)  # the steps in one call
        if repeated is not None and not kwargs:
            repeated(x, y, w / steps, steps)
            return
        for _ in range(steps):
            self.model.learn_one(x, y, w=w / steps, **kwargs)

    def predict_proba_one(self, x, **kwargs):
        return self.model.predict_proba_one(x, **kwargs)
