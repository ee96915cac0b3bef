"""The interface every class-prior estimator follows."""

from __future__ import annotations

import abc
import math
from collections.abc import Hashable

from river import base

__all__ = ["ClassPrior", "wilson_interval"]


def wilson_interval(share: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion `share` observed over `n` events.

    >>> lo, hi = wilson_interval(0.01, 1000)
    >>> round(lo, 4), round(hi, 4)
    (0.0054, 0.0183)
    >>> wilson_interval(0.3, 0)
    (0.0, 1.0)

    """
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


class ClassPrior(base.Base, abc.ABC):
    """An online estimate of the class proportions of a labelled stream.

    Subclasses implement `update`, `share`, `shares` and `n_effective`; the confidence interval
    and the minority class follow from those. `shares` holds the classes the estimate currently
    rests on, each with a share above 0: a class that falls out of the estimate (out of a
    sliding window, or restarted at a share of 0) leaves `shares`, `classes`, `n_classes` and
    `minority` until it is seen again, and `share` gives it 0. So the minority is always a class
    actually present, and a rate such as min(shares) / share(y) never collapses to 0.

    """

    @abc.abstractmethod
    def update(self, y: Hashable) -> None:
        """Count one label."""

    @abc.abstractmethod
    def share(self, label: Hashable) -> float:
        """Estimated proportion of `label` (0 for a label never seen)."""

    @property
    @abc.abstractmethod
    def shares(self) -> dict[Hashable, float]:
        """Estimated proportion (> 0) of every class the estimate holds; sums to 1 once a label
        is seen."""

    @property
    @abc.abstractmethod
    def n_effective(self) -> float:
        """How many events the estimate rests on (the window fill, or the decayed count)."""

    @abc.abstractmethod
    def restart(self, shares: dict[Hashable, float], n: float) -> None:
        """Forget the past and start again from `shares` worth `n` events (after a prior shift)."""

    @property
    def classes(self) -> list[Hashable]:
        return list(self.shares)

    @property
    def n_classes(self) -> int:
        """Number of classes in `shares`."""
        return len(self.shares)

    @property
    def minority(self) -> Hashable | None:
        """The class with the smallest estimated share (None before any label)."""
        shares = self.shares
        return min(shares, key=shares.__getitem__) if shares else None

    def interval(self, label: Hashable, z: float = 1.96) -> tuple[float, float]:
        """Wilson confidence interval of the share of `label` (95% by default)."""
        return wilson_interval(self.share(label), self.n_effective, z)
