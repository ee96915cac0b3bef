"""Online SMOTE: synthetic minority events interpolated towards recent minority neighbours."""

from __future__ import annotations

import random
from collections.abc import Hashable

import numpy as np

from stream_imbal.balancing.strategy import BalancingStrategy, poisson
from stream_imbal.priors.base import ClassPrior

__all__ = ["OnlineSMOTE"]


class _Ring:
    """A bounded buffer of labelled float rows (NaN: absent feature); new rows replace old ones."""

    def __init__(self, capacity: int, width: int):
        self.rows = np.full((capacity, width), np.nan)
        self.labels: list[Hashable] = []
        self._next = 0

    @property
    def filled(self) -> np.ndarray:
        return self.rows[: len(self.labels)]

    def add(self, row: np.ndarray, label: Hashable) -> None:
        self.rows[self._next] = row
        if len(self.labels) < len(self.rows):
            self.labels.append(label)
        else:
            self.labels[self._next] = label
        self._next = (self._next + 1) % len(self.rows)

    def recolumn(self, keep: list[int], width: int) -> None:
        """Keep the columns `keep` (in that order), then pad with absent columns up to `width`."""
        rows = np.full((len(self.rows), width), np.nan)
        rows[:, : len(keep)] = self.rows[:, keep]
        self.rows = rows


def _is_minority(share: float, prior: ClassPrior) -> bool:
    return share * prior.n_classes < 1.0


class OnlineSMOTE(BalancingStrategy):
    """Learn every event once and add synthetic events of the minority classes, SMOTE-style.

    A class is a minority class while its share p_y is below 1 / K. The most recent
    `reservoir_size` events of each minority class are kept (the oldest is replaced rather than
    reservoir-sampled: on a drifting stream the neighbours should come from the current
    concept). On a minority event x, n ~ Poisson(min((1 / K) / p_y - 1, max_synthetic))
    synthetic events x + u * (x_nn - x) are learned once each, u ~ U(0, 1) and x_nn one of the
    `k` nearest neighbours of x in its class's reservoir (Euclidean, brute force: at most
    `reservoir_size * d` operations per minority event). Class y thus receives (1 / K) / p_y
    events per real one, the rate `Resample("balanced")` gives it, capped at 1 + max_synthetic;
    `train` returns 1 + n.

    Features are numeric and may appear or disappear: distances and interpolation run over the
    keys of x only, and a neighbour lacking one of them is taken to equal x there (the
    synthetic event keeps x's value). Feature columns no stored event uses any more are
    dropped when new ones appear, so memory stays bounded. Distances are computed on the raw
    values: scale features of very different ranges before this strategy sees them.

    With `borderline=True`, a window of the last `window_size` events of all classes is kept
    too, and a minority event whose `k` nearest neighbours in it are all of other classes is
    taken for noise: no synthetic event is made from it. Events of a class with share p_y above
    1/2 enter that window with probability (1 - p_y) / p_y only (all other classes always), so
    the dominant class fills about half of it and costs no vector copy when skipped.

    Parameters
    ----------
    k
        Number of nearest neighbours to interpolate towards (and to judge noise by).
    reservoir_size
        Number of recent events kept per minority class.
    max_synthetic
        Largest expected number of synthetic events per minority event.
    borderline
        Whether to skip synthesis for minority events that look like noise.
    window_size
        Number of recent events of all classes kept for the noise test.
    seed
        Seed of the generator `update` draws window admissions from when given none.

    Examples
    --------
    >>> import random
    >>> from river import linear_model
    >>> from stream_imbal.balancing.smote import OnlineSMOTE
    >>> from stream_imbal.priors import SlidingWindowPrior
    >>> rng = random.Random(42)
    >>> smote = OnlineSMOTE(seed=42)
    >>> prior = SlidingWindowPrior(window_size=1000)
    >>> model = linear_model.LogisticRegression()
    >>> received = {False: 0.0, True: 0.0}
    >>> for _ in range(3000):
    ...     y = rng.random() < 0.05
    ...     x = {"a": rng.gauss(2.0 * y, 1.0), "b": rng.gauss(2.0 * y, 1.0)}
    ...     prior.update(y)
    ...     received[y] += smote.train(model, x, y, prior, True, rng)
    >>> received
    {False: 2865.0, True: 1378.0}
    >>> smote.n_synthetic, smote.n_skipped_noise
    (1243, 4)

    It also works as a plain generator:

    >>> synthetic = smote.synthesize({"a": 2.0, "b": 2.0}, True, 3, rng)
    >>> len(synthetic), sorted(synthetic[0])
    (3, ['a', 'b'])

    References
    ----------
    [^1]: Chawla, N. V., Bowyer, K. W., Hall, L. O., & Kegelmeyer, W. P. (2002). SMOTE:
        synthetic minority over-sampling technique. JAIR, 16, 321-357.
    [^2]: Han, H., Wang, W.-Y., & Mao, B.-H. (2005). Borderline-SMOTE: a new over-sampling
        method in imbalanced data sets learning. ICIC.

    """

    def __init__(
        self,
        k: int = 5,
        reservoir_size: int = 200,
        max_synthetic: float = 10.0,
        borderline: bool = True,
        window_size: int = 500,
        seed: int | None = None,
    ):
        for name, value, low in (
            ("k", k, 1),
            ("reservoir_size", reservoir_size, k),
            ("window_size", window_size, k),
        ):
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        if not max_synthetic >= 0:
            raise ValueError(f"max_synthetic must be >= 0, got {max_synthetic!r}")
        self.k = k
        self.reservoir_size = reservoir_size
        self.max_synthetic = max_synthetic
        self.borderline = borderline
        self.window_size = window_size
        self.seed = seed
        self._rng = random.Random(seed)
        self._index: dict[Hashable, int] = {}  # feature name -> column of the stored rows
        self._reservoirs: dict[Hashable, _Ring] = {}
        self._window = _Ring(window_size, 0) if borderline else None
        self._n_synthetic = 0
        self._n_skipped_noise = 0

    @property
    def n_synthetic(self) -> int:
        """Number of synthetic events made so far."""
        return self._n_synthetic

    @property
    def n_skipped_noise(self) -> int:
        """Number of minority events no synthetic event was made from because they looked noisy."""
        return self._n_skipped_noise

    def rate(self, y: Hashable, prior: ClassPrior) -> float:
        """Expected number of synthetic events per event of class `y` (0 for a majority class)."""
        share = prior.share(y)
        if not _is_minority(share, prior):
            return 0.0
        return min(1.0 / (prior.n_classes * share) - 1.0, self.max_synthetic)

    def update(
        self, x: dict, y: Hashable, prior: ClassPrior, rng: random.Random | None = None
    ) -> None:
        """Remember `(x, y)` for later neighbour searches, without training anything.

        `prior` must already have counted `y`; `rng` (default: the strategy's own, seeded by
        `seed`) decides whether an event of the dominant class enters the noise window.
        """
        self._remember(x, y, prior, rng or self._rng)

    def synthesize(self, x: dict, y: Hashable, n: int, rng: random.Random) -> list[dict]:
        """Make up to `n` synthetic events of class `y` around `x` (none if x looks like noise).

        `x` itself and exact copies of it are not neighbours, so calling `update` with `x`
        first changes nothing.
        """
        reservoir = self._reservoirs.get(y)
        if n < 1 or reservoir is None:
            return []
        keys = list(x)
        values = np.fromiter(x.values(), dtype=float, count=len(keys))
        if self._window is not None and self._is_noise(keys, values, y):
            self._n_skipped_noise += 1
            return []
        diffs, nearest = self._nearest(reservoir, keys, values)
        if not len(nearest):
            return []
        picks = [rng.choice(nearest) for _ in range(n)]
        steps = np.array([rng.random() for _ in range(n)])
        points = values + steps[:, None] * diffs[picks]
        self._n_synthetic += n
        return [dict(zip(keys, point, strict=True)) for point in points.tolist()]

    def train(self, learner, x, y, prior, takes_weight, rng):
        learner.learn_one(x, y)
        if not self._remember(x, y, prior, rng):
            return 1.0
        synthetic = self.synthesize(x, y, poisson(self.rate(y, prior), rng), rng)
        for event in synthetic:
            learner.learn_one(event, y)
        return 1.0 + len(synthetic)

    def _remember(self, x: dict, y: Hashable, prior: ClassPrior, rng: random.Random) -> bool:
        """Store x in its class's reservoir and/or the noise window; say if y is a minority."""
        share = prior.share(y)
        minority = _is_minority(share, prior)
        window = self._window
        in_window = window is not None and (share <= 0.5 or rng.random() * share < 1.0 - share)
        if minority or in_window:
            row = self._vector(x)
            if minority:
                if y not in self._reservoirs:
                    self._reservoirs[y] = _Ring(self.reservoir_size, len(self._index))
                self._reservoirs[y].add(row, y)
            if in_window:
                window.add(row, y)
        return minority

    def _is_noise(self, keys: list, values: np.ndarray, y: Hashable) -> bool:
        _, nearest = self._nearest(self._window, keys, values)
        labels = self._window.labels
        return len(nearest) == self.k and all(labels[i] != y for i in nearest)

    def _nearest(
        self, ring: _Ring, keys: list, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Differences x_nn - x over x's keys (0 where absent) and the k nearest rows at d > 0."""
        rows = ring.filled
        known = [j for j, key in enumerate(keys) if key in self._index]
        diffs = np.zeros((len(rows), len(keys)))
        diffs[:, known] = rows[:, [self._index[keys[j]] for j in known]] - values[known]
        diffs[np.isnan(diffs)] = 0.0
        distances = np.einsum("ij,ij->i", diffs, diffs)
        candidates = np.flatnonzero(distances > 0.0)
        if len(candidates) > self.k:
            candidates = candidates[np.argpartition(distances[candidates], self.k - 1)[: self.k]]
        return diffs, candidates

    def _vector(self, x: dict) -> np.ndarray:
        if not self._index.keys() >= x.keys():
            self._add_features(x)
        row = np.full(len(self._index), np.nan)
        row[[self._index[key] for key in x]] = list(x.values())
        return row

    def _add_features(self, x: dict) -> None:
        """Give x's new features a column each, dropping the columns no stored row uses."""
        rings = list(self._reservoirs.values())
        if self._window is not None:
            rings.append(self._window)
        used = np.zeros(len(self._index), dtype=bool)
        for ring in rings:
            used |= ~np.isnan(ring.filled).all(axis=0)
        kept = [name for name, column in self._index.items() if used[column] or name in x]
        names = kept + [key for key in x if key not in self._index]
        keep = [self._index[name] for name in kept]
        self._index = {name: column for column, name in enumerate(names)}
        for ring in rings:
            ring.recolumn(keep, len(names))
