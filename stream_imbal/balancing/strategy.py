"""How a balancing strategy turns per-class weights into training: weights, repeats or both."""

from __future__ import annotations

import abc
import inspect
import random
from collections.abc import Hashable

from river import base, compose

from stream_imbal._balancing import ReweightFields, learn_weighted
from stream_imbal._hoeffding import poisson  # compiled: every tree of a forest draws per event
from stream_imbal.balancing.weights import ClassWeights
from stream_imbal.priors.base import ClassPrior

__all__ = [
    "BalancingStrategy",
    "NoBalancing",
    "Reweight",
    "Resample",
    "ReweightResample",
    "poisson",
    "learn_weighted",
    "accepts_weight",
]


class BalancingStrategy(base.Base, abc.ABC):
    """Decides how one labelled event trains the learner, given the current prior estimate."""

    @abc.abstractmethod
    def train(
        self,
        learner: base.Classifier,
        x: dict,
        y: Hashable,
        prior: ClassPrior,
        takes_weight: bool,
        rng: random.Random,
    ) -> float:
        """Train `learner` on `(x, y)` and return the total weight class `y` received."""


class NoBalancing(BalancingStrategy):
    """Train on every event once with unit weight (the plain learner).

    >>> from river import linear_model
    >>> from stream_imbal.balancing import NoBalancing
    >>> from stream_imbal.priors import DecayedClassPrior
    >>> import random
    >>> NoBalancing().train(linear_model.LogisticRegression(), {"a": 1.0}, True,
    ...                     DecayedClassPrior(), True, random.Random(0))
    1.0

    """

    def train(self, learner, x, y, prior, takes_weight, rng):
        learner.learn_one(x, y)
        return 1.0


class Reweight(BalancingStrategy):
    """Give each event its class weight through `learn_one(..., w=)`.

    A learner whose `learn_one` takes no weight gets a Poisson(weight) number of repeats instead.

    Parameters
    ----------
    weights
        The per-class weights; defaults to `ClassWeights("inverse")`.

    Examples
    --------
    >>> import random
    >>> from river import linear_model
    >>> from stream_imbal.balancing import Reweight
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> prior = SlidingWindowPrior(window_size=10)
    >>> for y in [False] * 9 + [True]:
    ...     prior.update(y)
    >>> strategy = Reweight()
    >>> strategy.train(linear_model.LogisticRegression(), {"a": 1.0}, True, prior, True,
    ...                random.Random(0))
    5.0

    """

    def __init__(self, weights: ClassWeights | None = None):
        self.weights = weights
        self._weights = weights if weights is not None else ClassWeights()

    def train(self, learner, x, y, prior, takes_weight, rng):
        weight = self._weights.weight(y, prior)
        return learn_weighted(learner, x, y, weight, takes_weight, rng)


class Resample(BalancingStrategy):
    """Online over- or under-sampling: each event is learned Poisson(lambda_y) times (OOB/UOB).

    lambda_y = p_max / p_y (`over`), p_min / p_y (`under`) or (1 / K) / p_y (`balanced`: the
    minority is over-sampled and the majority under-sampled towards equal shares), with p the
    current prior estimate, capped at `clip`.

    Parameters
    ----------
    mode
        "over", "under" or "balanced".
    clip
        Largest sampling rate.

    Examples
    --------
    >>> import random
    >>> from river import linear_model
    >>> from stream_imbal.balancing import Resample
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> prior = SlidingWindowPrior(window_size=100)
    >>> for i in range(100):
    ...     prior.update(i % 10 == 0)
    >>> under = Resample("under")
    >>> round(under.rate(False, prior), 3)  # the majority is kept at a rate of 0.1 / 0.9
    0.111
    >>> under.rate(True, prior), Resample("over").rate(True, prior)
    (1.0, 9.0)
    >>> under.train(linear_model.LogisticRegression(), {"a": 1.0}, False, prior, True,
    ...             random.Random(1))  # this majority event is skipped
    0.0

    """

    MODES = ("over", "under", "balanced")

    def __init__(self, mode: str = "balanced", clip: float = 50.0):
        if mode not in self.MODES:
            raise ValueError(f"unknown resampling mode {mode!r}; expected one of {self.MODES}")
        self.mode = mode
        self.clip = clip

    def rate(self, y: Hashable, prior: ClassPrior) -> float:
        """Expected number of times an event of class `y` is learned."""
        shares = prior.shares
        if self.mode == "over":
            target = max(shares.values())
        elif self.mode == "under":
            target = min(shares.values())
        else:
            target = 1.0 / len(shares)
        return min(target / shares[y], self.clip)

    def train(self, learner, x, y, prior, takes_weight, rng):
        return learn_weighted(learner, x, y, self.rate(y, prior), False, rng)


class ReweightResample(ReweightFields, BalancingStrategy):
    """Both: under-sample the classes whose weight is below 1 and up-weight the others.

    Class weights are first multiplied by `scale`. An event whose scaled weight w is below 1 is
    learned Poisson(w) times with unit weight, which skips most majority events and so saves
    the learner's time; an event whose weight is above 1 is learned k = min(ceil(w),
    `max_repeats`) times with weight w / k: no sampling noise, and for a gradient learner a few
    smaller steps, each from the updated model, fit better than one large step. The ratio
    between classes, hence the training prior, does not depend on `scale`: a smaller scale
    trains on fewer majority events with smaller minority weights. A learner that takes no
    weight gets Poisson(w) repeats.

    Parameters
    ----------
    weights
        The per-class weights; defaults to `ClassWeights("inverse")`.
    scale
        Factor applied to every class weight.
    max_repeats
        Most repeats of an up-weighted event.
    relative_to
        "mean": weights average 1 over the stream, so the majority is under-sampled;
        "majority": the majority's weight is 1 (every majority event is learned once) and the
        other classes are up-weighted, like over-sampling.

    Examples
    --------
    >>> import random
    >>> from river import linear_model
    >>> from stream_imbal.balancing import ReweightResample
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> prior = SlidingWindowPrior(window_size=10)
    >>> for y in [False] * 9 + [True]:
    ...     prior.update(y)
    >>> ReweightResample().train(linear_model.LogisticRegression(), {"a": 1.0}, True, prior,
    ...                          True, random.Random(0))
    5.0
    >>> ReweightResample(scale=0.5).train(linear_model.LogisticRegression(), {"a": 1.0}, True,
    ...                                   prior, True, random.Random(0))
    2.5

    """

    RELATIVE_TO = ("mean", "majority")

    def __init__(
        self,
        weights: ClassWeights | None = None,
        scale: float = 1.0,
        max_repeats: int = 1,
        relative_to: str = "mean",
    ):
        if scale <= 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        if relative_to not in self.RELATIVE_TO:
            raise ValueError(f"relative_to must be one of {self.RELATIVE_TO}, got {relative_to!r}")
        self.relative_to = relative_to
        if max_repeats < 1:
            raise ValueError(f"max_repeats must be >= 1, got {max_repeats}")
        self.weights = weights
        self.scale = scale
        self.max_repeats = max_repeats
        self._weights = weights if weights is not None else ClassWeights()


def accepts_weight(learner: base.Classifier) -> bool:
    """Whether `learner.learn_one` accepts a sample weight `w` and passes it on to the model."""
    parameters = inspect.signature(learner.learn_one).parameters
    if "w" in parameters:
        return True
    if not any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        return False
    if isinstance(learner, compose.Pipeline):
        return accepts_weight(list(learner.steps.values())[-1])
    inner = getattr(learner, "_wrapped_model", None)
    return inner is not None and accepts_weight(inner)
