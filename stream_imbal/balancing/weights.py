"""Per-class training weights computed from the current prior estimate."""

from __future__ import annotations

from collections.abc import Hashable

from river import base

from stream_imbal._balancing import WeightsFields
from stream_imbal.priors.base import ClassPrior

__all__ = ["ClassWeights"]

SCHEMES = ("inverse", "sqrt_inverse", "effective_number", "costs")


class ClassWeights(WeightsFields, base.Base):
    """Weight of an event of each class, from the class shares estimated so far.

    Raw weights are 1 / p_k (`inverse`), 1 / sqrt(p_k) (`sqrt_inverse`), the inverse effective
    number of samples (1 - beta) / (1 - beta ** n_k) of Cui et al. 2019 (`effective_number`, n_k
    the class's share of the events the estimate rests on), or given costs per class (`costs`).
    They are normalised so the mean weight over the stream is 1, then clipped to
    [1 / clip, clip] so a class seen a handful of times cannot blow up the learner.

    Parameters
    ----------
    scheme
        One of "inverse", "sqrt_inverse", "effective_number", "costs".
    costs
        Cost of misclassifying each class, for `scheme="costs"` (missing classes cost 1).
    beta
        Hyper-parameter of the effective number of samples.
    clip
        Largest weight ratio allowed, in both directions.

    Examples
    --------
    >>> from stream_imbal.balancing import ClassWeights
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> prior = SlidingWindowPrior(window_size=100)
    >>> for i in range(100):
    ...     prior.update(i % 20 == 0)
    >>> weights = ClassWeights()
    >>> round(weights.weight(True, prior), 2), round(weights.weight(False, prior), 2)
    (10.0, 0.53)
    >>> round(ClassWeights("sqrt_inverse").weight(True, prior), 2)
    3.73

    """

    def __init__(
        self,
        scheme: str = "inverse",
        costs: dict[Hashable, float] | None = None,
        beta: float = 0.999,
        clip: float = 50.0,
    ):
        if scheme not in SCHEMES:
            raise ValueError(f"unknown weighting scheme {scheme!r}; expected one of {SCHEMES}")
        if scheme == "costs" and not costs:
            raise ValueError("scheme='costs' needs a dict of costs per class")
        if clip < 1:
            raise ValueError(f"clip must be >= 1, got {clip}")
        if not 0 < beta < 1:
            raise ValueError(f"beta must be in (0, 1), got {beta}")
        self.scheme = scheme
        self.costs = costs
        self.beta = beta
        self.clip = clip

    def _raw(self, share: float, label: Hashable, n: float) -> float:
        if self.scheme == "inverse":
            return 1.0 / share
        if self.scheme == "sqrt_inverse":
            return share**-0.5
        if self.scheme == "effective_number":
            return (1.0 - self.beta) / (1.0 - self.beta ** max(share * n, 1.0))
        return self.costs.get(label, 1.0)  # type: ignore[union-attr]

    def _scheme_weight(self, y: Hashable, prior: ClassPrior) -> float:
        """The weight before clipping, under a scheme other than "inverse" (`weight`, compiled,
        clips it)."""
        shares = prior.shares
        n = prior.n_effective
        mean = sum(p * self._raw(p, label, n) for label, p in shares.items() if p > 0)
        return self._raw(shares[y], y, n) / mean
