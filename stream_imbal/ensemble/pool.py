"""A pool of candidate learners blended by their recent, class-balanced prequential score."""

from __future__ import annotations

import collections
import random
from collections.abc import Hashable, Mapping

from river import base

from stream_imbal import _pool
from stream_imbal.balancing.strategy import accepts_weight

__all__ = ["CandidatePool"]


class CandidatePool(_pool.PoolFields, base.Wrapper, base.Classifier):
    """Learn every candidate on every event; predict with a blend weighted by recent skill.

    Skill is ranking: how well a candidate's scores separate each class from the others, which
    is what a tuned threshold and PR-AUC make of a score (a calibration-based score such as
    the Brier loss favours a confident but poorly ranking model while a slower, better one
    learns). Before it learns an event of class y, the candidate's probability of y for it is
    ranked among its probabilities of y for the last `buffer` events of other classes: the
    share of those it places below (ties count half) is one sample of its one-vs-rest AUC for
    y. These samples are averaged per class with an exponential decay whose half-life
    `half_life` counts events *of that class*, so a rare class's few recent events weigh as
    much as the majority's many: the candidate's skill is the mean over the classes (a
    class-balanced AUC in [0, 1]). The blend weight of candidate i is proportional to
    exp((S_i - S_best) / `temperature`): a small temperature selects the best candidate, a
    large one averages them. Until every class has `warm_up` scored events the weights are
    `warm_up_weights` (uniform by default): a prior belief in the candidate that learns
    fastest, before there is evidence.

    The pool takes sample weights (`learn_one(x, y, w=)`) and passes them on to each candidate
    (or Poisson(w) repeats to a candidate that takes none), so a balancing strategy upstream
    balances every candidate alike. An event learned several times in a row (the same dict) is
    scored once.

    Parameters
    ----------
    candidates
        Name -> river classifier prototype (each is cloned). Two or more.
    half_life
        Half-life of the per-class AUC averages, in events of the class.
    temperature
        Softness of the blend, in units of the class-balanced AUC.
    warm_up
        Scored events each class needs before the weights follow skill.
    warm_up_weights
        Name -> weight of each candidate until then (normalised to sum to 1); None for uniform.
    buffer
        Recent events of the other classes each class's events are ranked against.
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
    >>> {name: round(skill, 2) for name, skill in pool.skills.items()}  # doctest: +SKIP
    {'linear': 0.5, 'tree': 0.97}

    """

    def __init__(
        self,
        candidates: Mapping[str, base.Classifier],
        half_life: float = 200.0,
        temperature: float = 0.05,
        warm_up: int = 10,
        buffer: int = 100,
        seed: int | None = None,
        warm_up_weights: Mapping[str, float] | None = None,
    ):
        if len(candidates) < 2:
            raise ValueError(f"a pool needs two or more candidates, got {len(candidates)}")
        if half_life <= 0 or temperature <= 0:
            raise ValueError("half_life and temperature must be > 0")
        if buffer < 1:
            raise ValueError(f"buffer must be >= 1, got {buffer}")
        self.candidates = dict(candidates)
        self.half_life = half_life
        self.temperature = temperature
        self.warm_up = warm_up
        self.buffer = buffer
        self.seed = seed
        self.warm_up_weights = warm_up_weights
        self._names = list(self.candidates)
        self._members = [model.clone() for model in self.candidates.values()]
        self._takes_weight = [accepts_weight(model) for model in self._members]
        self._decay = 0.5 ** (1.0 / half_life)
        self._rng = random.Random(seed)
        self._classes: list[Hashable] = []
        # Per class: decayed count of scored events, and per candidate the decayed sum of their
        # AUC samples, and the candidate's recent probabilities of the class for events of other
        # classes, in arrival order and sorted.
        self._counts: dict[Hashable, float] = {}
        self._n_scored: dict[Hashable, int] = {}
        self._skill_sums: dict[Hashable, list[float]] = {}
        self._recent: dict[Hashable, list[collections.deque]] = {}
        self._ranked: dict[Hashable, list[list[float]]] = {}
        self._weights = self._prior_weights()
        self._forget_last()

    def _prior_weights(self) -> list[float]:
        given = self.warm_up_weights
        if given is None:
            return [1.0 / len(self._names)] * len(self._names)
        if set(given) != set(self._names):
            raise ValueError(
                f"warm_up_weights must name the candidates {sorted(self._names)}, "
                f"got {sorted(given)}"
            )
        total = sum(given.values())
        if not all(weight >= 0 for weight in given.values()) or not total > 0:
            raise ValueError(f"warm_up_weights must be >= 0 with a positive sum, got {given}")
        return [given[name] / total for name in self._names]

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
        yield {
            "candidates": {
                "linear": preprocessing.StandardScaler() | linear_model.LogisticRegression(),
                "tree": tree.HoeffdingTreeClassifier(),
            },
            "warm_up_weights": {"linear": 3.0, "tree": 1.0},
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
    def skills(self) -> dict[str, float]:
        """Each candidate's recent class-balanced AUC (NaN before every class has a scored
        event)."""
        return dict(zip(self._names, _pool.balanced_skills(self), strict=True))

    @property
    def members(self) -> dict[str, base.Classifier]:
        """The trained candidates, by name."""
        return dict(zip(self._names, self._members, strict=True))

    def _add_class(self, y: Hashable) -> None:
        self._classes.append(y)
        n = len(self._members)
        self._counts[y] = 0.0
        self._n_scored[y] = 0
        self._skill_sums[y] = [0.0] * n
        self._recent[y] = [collections.deque() for _ in range(n)]
        self._ranked[y] = [[] for _ in range(n)]

    def _forget_last(self) -> None:
        self._last_x: object = None
        self._last: list = []
        self._scored_x: object = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        del state["_last_x"], state["_last"], state["_scored_x"]  # caches keyed by identity
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._forget_last()
