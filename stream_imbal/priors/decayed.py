"""Exponentially decayed class shares (time-decayed class size)."""

from __future__ import annotations

from collections.abc import Hashable

from stream_imbal.priors.base import ClassPrior

__all__ = ["DecayedClassPrior"]


class DecayedClassPrior(ClassPrior):
    """Class proportions with exponentially fading memory.

    Each class keeps a decayed count c_k <- theta * c_k + [y = k], and the total count
    n <- theta * n + 1; the share of class k is c_k / n. This is the time-decayed class size of
    Wang, Minku & Yao normalised by the decayed count actually seen, so the first events are not
    biased towards a uniform start and a class that appears mid-stream starts at its true
    frequency. `theta = 0.5 ** (1 / half_life)`. Cost per update: O(number of classes).

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
        self._counts: dict[Hashable, float] = {}
        self._total = 0.0
        self._sum_sq = 0.0  # decayed sum of squared weights, for the effective sample size
        self._shares: dict[Hashable, float] | None = None  # cached until the next update

    def update(self, y: Hashable, w: float = 1.0) -> None:
        """Count one label, with weight `w` (e.g. the weight a learner trained it with)."""
        theta = self._theta
        counts = self._counts
        for label in counts:
            counts[label] *= theta
        counts[y] = counts.get(y, 0.0) + w
        self._total = self._total * theta + w
        self._sum_sq = self._sum_sq * theta * theta + w * w
        self._shares = None

    def share(self, label: Hashable) -> float:
        return self._counts.get(label, 0.0) / self._total if self._total else 0.0

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
        """Start again from `shares`, weighted as `n` recent events (capped by the memory)."""
        n = max(1.0, min(n, 1.0 / (1.0 - self._theta)))
        self._counts = {label: share * n for label, share in shares.items()}
        self._total = n
        self._sum_sq = n
        self._shares = None
