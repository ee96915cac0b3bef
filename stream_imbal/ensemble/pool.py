"""A pool of candidate learners blended by their recent, class-balanced prequential score."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping

from river import base

from stream_imbal.balancing.strategy import accepts_weight, learn_weighted

__all__ = ["CandidatePool"]


class CandidatePool(base.Wrapper, base.Classifier):
    """Learn every candidate on every event; predict with a blend weighted by recent skill.

    Before it learns an event, each candidate's probabilities are scored on it with the Brier
    loss, sum_k (p_k - [y = k])^2. The losses are averaged per class with an exponential decay
    whose half-life `half_life` counts events *of that class*, so a rare class's few recent
    events weigh as much as the majority's many: the pool's loss for a candidate is the mean
    over the classes of these per-class losses (a class-balanced Brier score, bounded in
    [0, 2]). The blend weight of candidate i is proportional to exp(-(L_i - L_best) /
    `temperature`): a small temperature selects the best candidate, a large one averages them.
    Weights stay uniform until every class has `warm_up` scored events.

    The pool takes sample weights (`learn_one(x, y, w=)`) and passes them on to each candidate
    (or Poisson(w) repeats to a candidate that takes none), so a balancing strategy upstream
    balances every candidate alike. An event learned several times in a row (the same dict) is
    scored once.

    Parameters
    ----------
    candidates
        Name -> river classifier prototype (each is cloned). Two or more.
    half_life
        Half-life of the per-class loss averages, in events of the class.
    temperature
        Softness of the blend, in units of the balanced Brier score.
    warm_up
        Scored events each class needs before the weights move away from uniform.
    seed
        Seed of the Poisson repeats for candidates that take no sample weight.

    Examples
    --------
    >>> import random
    >>> from river import linear_model, preprocessing, tree
    >>> from stream_imbal.ensemble import CandidatePool
    >>> pool = CandidatePool({
    ...     "linear": preprocessing.StandardScaler() | linear_model.LogisticRegression(),
    ...     "tree": tree.HoeffdingTreeClassifier(),
    ... })
    >>> rng = random.Random(1)
    >>> for _ in range(4_000):  # a non-linear concept: the tree should take over
    ...     x = {"a": rng.uniform(-1, 1), "b": rng.uniform(-1, 1)}
    ...     y = (x["a"] > 0) == (x["b"] > 0)
    ...     _ = pool.predict_proba_one(x)
    ...     pool.learn_one(x, y)
    >>> weights = pool.weights
    >>> weights["tree"] > 0.9 > weights["linear"]
    True
    >>> {name: round(loss, 2) for name, loss in pool.losses.items()}  # doctest: +SKIP
    {'linear': 0.5, 'tree': 0.08}

    """

    def __init__(
        self,
        candidates: Mapping[str, base.Classifier],
        half_life: float = 200.0,
        temperature: float = 0.02,
        warm_up: int = 10,
        seed: int | None = None,
    ):
        if len(candidates) < 2:
            raise ValueError(f"a pool needs two or more candidates, got {len(candidates)}")
        if half_life <= 0 or temperature <= 0:
            raise ValueError("half_life and temperature must be > 0")
        self.candidates = dict(candidates)
        self.half_life = half_life
        self.temperature = temperature
        self.warm_up = warm_up
        self.seed = seed
        self._names = list(self.candidates)
        self._members = [model.clone() for model in self.candidates.values()]
        self._takes_weight = [accepts_weight(model) for model in self._members]
        self._decay = 0.5 ** (1.0 / half_life)
        self._rng = random.Random(seed)
        self._classes: list[Hashable] = []
        # Per class: decayed count of scored events, and per candidate the decayed loss sum.
        self._counts: dict[Hashable, float] = {}
        self._n_scored: dict[Hashable, int] = {}
        self._loss_sums: dict[Hashable, list[float]] = {}
        self._weights = [1.0 / len(self._members)] * len(self._members)
        self._forget_last()

    @classmethod
    def _unit_test_params(cls):
        from river import linear_model, preprocessing, tree

        yield {
            "candidates": {
                "linear": preprocessing.StandardScaler() | linear_model.LogisticRegression(),
                "tree": tree.HoeffdingTreeClassifier(),
            },
            "seed": 1,
        }

    @property
    def _wrapped_model(self) -> base.Classifier:
        return self._members[0]

    @property
    def _multiclass(self) -> bool:  # type: ignore[override]
        return all(model._multiclass for model in self._members)

    @property
    def weights(self) -> dict[str, float]:
        """The blend weight of each candidate (they sum to 1)."""
        return dict(zip(self._names, self._weights, strict=True))

    @property
    def losses(self) -> dict[str, float]:
        """Each candidate's recent class-balanced Brier loss (NaN before any scored event)."""
        return dict(zip(self._names, self._balanced_losses(), strict=True))

    @property
    def members(self) -> dict[str, base.Classifier]:
        """The trained candidates, by name."""
        return dict(zip(self._names, self._members, strict=True))

    def predict_proba_one(self, x: dict, **kwargs) -> dict[Hashable, float]:
        probas = self._candidate_probas(x)
        blend: dict[Hashable, float] = {}
        for weight, proba in zip(self._weights, probas, strict=True):
            for label, p in proba.items():
                blend[label] = blend.get(label, 0.0) + weight * p
        return blend

    def learn_one(self, x: dict, y: Hashable, w: float = 1.0, **kwargs) -> None:
        if x is not self._scored_x:
            if y not in self._counts:
                self._add_class(y)
            self._score(self._candidate_probas(x), y)
            self._scored_x = x
        for model, takes_weight in zip(self._members, self._takes_weight, strict=True):
            learn_weighted(model, x, y, w, takes_weight, self._rng)
        self._last_x = None  # the candidates changed: their cached probabilities are stale

    def _candidate_probas(self, x: dict) -> list[dict[Hashable, float]]:
        if x is self._last_x:
            return self._last
        probas = []
        for model in self._members:
            raw = model.predict_proba_one(x)
            total = sum(p for p in raw.values() if math.isfinite(p))
            if total > 0:
                probas.append({k: p / total for k, p in raw.items() if math.isfinite(p)})
            else:  # nothing learned yet: no opinion
                probas.append({k: 1.0 / len(self._classes) for k in self._classes})
        self._last_x, self._last = x, probas
        return probas

    def _add_class(self, y: Hashable) -> None:
        self._classes.append(y)
        self._counts[y] = 0.0
        self._n_scored[y] = 0
        self._loss_sums[y] = [0.0] * len(self._members)

    def _score(self, probas: list[dict[Hashable, float]], y: Hashable) -> None:
        decay = self._decay
        self._counts[y] = self._counts[y] * decay + 1.0
        self._n_scored[y] += 1
        sums = self._loss_sums[y]
        for i, proba in enumerate(probas):
            loss = sum(p * p for label, p in proba.items() if label != y)
            loss += (1.0 - proba.get(y, 0.0)) ** 2
            sums[i] = sums[i] * decay + loss
        if len(self._classes) > 1 and min(self._n_scored.values()) >= self.warm_up:
            self._reweigh()

    def _balanced_losses(self) -> list[float]:
        n = len(self._members)
        if not self._classes or not all(self._counts.values()):
            return [math.nan] * n
        classes = self._classes
        return [
            sum(self._loss_sums[k][i] / self._counts[k] for k in classes) / len(classes)
            for i in range(n)
        ]

    def _reweigh(self) -> None:
        losses = self._balanced_losses()
        best = min(losses)
        scores = [math.exp(-(loss - best) / self.temperature) for loss in losses]
        total = sum(scores)
        self._weights = [score / total for score in scores]

    def _forget_last(self) -> None:
        self._last_x: object = None
        self._last: list = []
        self._scored_x: object = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_last_x"], state["_last"], state["_scored_x"]  # caches keyed by identity
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._forget_last()
