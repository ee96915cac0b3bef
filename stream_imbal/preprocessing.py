"""Standardisation that one extreme value cannot disable."""

from __future__ import annotations

from river import base

from stream_imbal import _scaling

__all__ = ["ClippedStandardScaler"]


class ClippedStandardScaler(base.Transformer):
    """Running standardisation, robust to rare extreme values.

    Like river's `preprocessing.StandardScaler`, each feature is scaled by its running mean and
    standard deviation (Welford), but once a feature has `warm_up` values with a positive
    variance, each new value is winsorised to mean +- `clip` standard deviations before it
    updates the statistics, and every scaled value is clipped to [-`clip`, `clip`]. A single
    1e50 in a feature of unit variance would otherwise inflate its variance for good, so that
    all the later, normal values of that feature scale to about 0 and a linear model downstream
    stops seeing it (river's scaler has no forgetting). A lasting change of scale is still
    followed: each value at the clip raises the variance a little. Both steps are compiled
    (`stream_imbal._scaling`): a linear model's pipeline scales every event twice.

    Parameters
    ----------
    clip
        Largest scaled magnitude, and the winsorising bound in standard deviations.
    warm_up
        Values of a feature learned as they are before winsorising starts.

    Examples
    --------
    >>> import random
    >>> from stream_imbal.preprocessing import ClippedStandardScaler
    >>> rng = random.Random(0)
    >>> scaler = ClippedStandardScaler()
    >>> for i in range(1000):
    ...     scaler.learn_one({"x": 1e50 if i == 500 else rng.gauss(10.0, 2.0)})
    >>> round(scaler.transform_one({"x": 12.0})["x"], 1)  # one sd above the mean
    1.0
    >>> scaler.transform_one({"x": 1e50})
    {'x': 5.0}

    """

    def __init__(self, clip: float = 5.0, warm_up: int = 10):
        if clip <= 0:
            raise ValueError(f"clip must be > 0, got {clip}")
        self.clip = clip
        self.warm_up = warm_up
        self._counts: dict = {}
        self._means: dict = {}
        self._m2: dict = {}  # sums of squared deviations
        self._stds: dict = {}  # kept so that scaling takes no square root

    @classmethod
    def _unit_test_params(cls):
        yield {}
        yield {"clip": 3.0, "warm_up": 2}

    def learn_one(self, x: dict) -> None:
        _scaling.learn_one(self, x)

    def transform_one(self, x: dict) -> dict:
        return _scaling.transform_one(self, x)
