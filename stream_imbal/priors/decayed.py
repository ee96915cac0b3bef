"""Exponentially decayed class shares (time-decayed class size)."""

from __future__ import annotations

from collections.abc import Hashable

from stream_imbal._priors import DecayedCounts
from stream_imbal.priors.base import ClassPrior

__all__ = ["DecayedClassPrior"]


class DecayedClassPrior(DecayedCounts, ClassPrior):
    """Class proportions with exponentially fading memory.

    Each class keeps a decayed count c_k <- theta * c_k + [y = k], and the total count
    n <- theta * n + 1; the share of class k is c_k / n. This is the time-decayed class size of
    Wang, Minku & Yao normalised by the decayed count actually seen, so the first events are not
    biased towards a uniform start and a class that appears mid-stream starts at its true
    frequency. `theta = 0.5 ** (1 / half_life)`. Rather than decaying every count, each update
    is added with a weight growing by 1 / theta (the counts are rescaled once that weight gets
    large): only ratios of counts are ever read, so an update costs O(1). The counts and their
    update and share are compiled (`stream_imbal._priors.DecayedCounts`, which it extends).

    Parameters
    ----------
    half_life
        Number of events after which a label's weight has halved.

    Examples
    --------
    >>> from stream_imbal.priors import DecayedClassPrior
    >>> prior = DecayedClassPrior(half_life=100)
    >>> for i in range(1000):
    ...     prior.update(i % 10 == 0)
    >>> round(prior.share(True), 2)
    0.1
    >>> lo, hi = prior.interval(True)
    >>> lo < 0.1 < hi
    True

    References
    ----------
    [^1]: Wang, S., Minku, L. L., & Yao, X. (2013). A learning framework for online class
        imbalance learning. IEEE CIEL.

    """

    def __init__(self, half_life: float = 1000.0):
        if half_life <= 0:
            raise ValueError(f"half_life must be > 0, got {half_life}")
        self.half_life = half_life
        self._theta = 0.5 ** (1.0 / half_life)
        self._growth = 1.0 / self._theta
        # Counts in units of the current event's weight `_scale`: the true counts are these
        # divided by `_scale` (and `_sum_sq` by its square), which every ratio cancels.
        self._scale = 1.0
        self._counts: dict[Hashable, float] = {}
        self._total = 0.0
        self._sum_sq = 0.0  # decayed sum of squared weights, for the effective sample size
        self._shares: dict[Hashable, float] | None = None  # cached until the next update
        self._minority: Hashable | None = None  # cached while `_minority_known`
        self._minority_known = False

    @property
    def shares(self) -> dict[Hashable, float]:
        if self._shares is None:
            total = self._total
            self._shares = {k: c / total for k, c in self._counts.items()} if total else {}
        return self._shares

    @property
    def n_effective(self) -> float:
        """Kish effective sample size of the decayed weights."""
        return self._total * self._total / self._sum_sq if self._sum_sq else 0.0

    def restart(self, shares: dict[Hashable, float], n: float) -> None:
        """Start again from `shares`, weighted as `n` recent events (capped by the memory).

        A class with a share of 0 is dropped, as the `ClassPrior` contract requires.
        """
        n = max(1.0, min(n, 1.0 / (1.0 - self._theta)))
        self._counts = {label: share * n for label, share in shares.items() if share > 0}
        self._scale = 1.0
        self._total = self._sum_sq = n if self._counts else 0.0
        self._shares = None
        self._minority_known = False
