"""Exact class shares over the last `window_size` labels."""

from __future__ import annotations

import collections
from collections.abc import Hashable

from stream_imbal.priors.base import ClassPrior

__all__ = ["SlidingWindowPrior"]


class SlidingWindowPrior(ClassPrior):
    """Exact class proportions over a sliding window of the most recent labels.

    A ring buffer of labels and a count per class: each update is O(1). A class that leaves the
    window is forgotten (it is no longer in `shares`, `classes` or `n_classes`, and cannot be the
    `minority`) until it comes again: a share of 0 would make it the minority and, for instance,
    stop `Resample("under")` from learning anything.

    Parameters
    ----------
    window_size
        Number of most recent labels the shares are computed over.

    Examples
    --------
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> prior = SlidingWindowPrior(window_size=4)
    >>> for y in ["a", "a", "b", "a", "b", "b"]:
    ...     prior.update(y)
    >>> prior.shares
    {'a': 0.25, 'b': 0.75}
    >>> prior.minority
    'a'
    >>> prior.update("b")
    >>> prior.update("b")  # the last "a" leaves the window
    >>> prior.shares, prior.minority
    ({'b': 1.0}, 'b')

    """

    def __init__(self, window_size: int = 2000):
        if window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}")
        self.window_size = window_size
        self._window: collections.deque = collections.deque()
        self._counts: collections.Counter = collections.Counter()

    def update(self, y: Hashable) -> None:
        window = self._window
        if len(window) == self.window_size:
            self._forget_oldest()
        window.append(y)
        self._counts[y] += 1

    def _forget_oldest(self) -> None:
        counts = self._counts
        label = self._window.popleft()
        if counts[label] == 1:
            del counts[label]
        else:
            counts[label] -= 1

    def share(self, label: Hashable) -> float:
        n = len(self._window)
        return self._counts.get(label, 0) / n if n else 0.0

    @property
    def shares(self) -> dict[Hashable, float]:
        n = len(self._window)
        return {label: count / n for label, count in self._counts.items()} if n else {}

    @property
    def n_classes(self) -> int:
        return len(self._counts) if self._window else 0

    @property
    def minority(self) -> Hashable | None:
        counts = self._counts
        return min(counts, key=counts.__getitem__) if self._window else None

    @property
    def n_effective(self) -> float:
        return float(len(self._window))

    def restart(self, shares: dict[Hashable, float], n: float) -> None:
        """Keep only the most recent `n` labels: they already carry the new shares."""
        keep = max(1, min(int(n), len(self._window)))
        while len(self._window) > keep:
            self._forget_oldest()
