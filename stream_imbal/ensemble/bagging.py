"""Online bagging with class-imbalance resampling: OOB and UOB (Wang, Minku & Yao)."""

from __future__ import annotations

import abc
import collections
import math
from collections.abc import Hashable, Iterable

from river import base, linear_model, preprocessing, tree
from river.drift.binary import DDM

from stream_imbal.balancing.strategy import poisson
from stream_imbal.drift import CONCEPT, ClassRecallMonitor, DriftEvent
from stream_imbal.priors import DecayedClassPrior

__all__ = ["ImbalancedBagging", "OOBClassifier", "UOBClassifier"]


class ImbalancedBagging(base.WrapperEnsemble, base.Classifier):
    """Online bagging whose members learn each event a class-dependent Poisson number of times.

    The time-decayed size of every class, w_k <- theta * w_k + (1 - theta) * [y = k], is updated
    once per event; then each member learns the event k ~ Poisson(lambda_y) times, with
    lambda_y = w_ref / w_y and w_ref the largest class size (`OOBClassifier`) or the smallest
    (`UOBClassifier`). Subclasses only choose w_ref. Since the event's own class has just been
    counted, lambda_y never exceeds 1 / (1 - theta).

    Each member has a `ClassRecallMonitor` fed with the member's prediction of the event before
    it learns it. On a warning a background member (a fresh clone of `model`) starts learning
    with the same sampling; if the class that warned leaves the warning zone, the background
    member is dropped (a false alarm). On a drift the background member, or a fresh clone when no
    warning preceded, replaces the member, the monitor restarts and a `DriftEvent` is logged.
    DDM (the default) raises false alarms on stationary imbalanced streams: a young member
    recognises almost every majority event, so when its majority recall settles at the balanced
    level DDM sees a rise of the error; `drift.binary.HDDMW()` does not, in our tests.

    Per event the cost is O(n_models): one prediction per member for its monitor (none when
    `detect_drift` is False) and lambda_y learning steps per member.

    Parameters
    ----------
    model
        The river classifier to bag; each member is a clone of it.
    n_models
        Number of members.
    theta
        Decay factor of the class sizes, in (0, 1); the class sizes have a half-life of
        log(0.5) / log(theta) events (about 6.6 for 0.9).
    drift_detector
        Prototype of the river drift detector run per class inside each member's
        `ClassRecallMonitor` (fed every event); None means `drift.binary.DDM()`.
    detect_drift
        Whether to monitor the members and replace those that drift.
    seed
        Seed of the random number generator that draws the Poisson counts.

    """

    def __init__(
        self,
        model: base.Classifier,
        n_models: int = 10,
        theta: float = 0.9,
        drift_detector: base.DriftDetector | None = None,
        detect_drift: bool = True,
        seed: int | None = None,
    ):
        if not 0.0 < theta < 1.0:
            raise ValueError(f"theta must be in (0, 1), got {theta}")
        super().__init__(model, n_models, seed)
        self.theta = theta
        self.drift_detector = drift_detector
        self.detect_drift = detect_drift
        self._prior = DecayedClassPrior(half_life=math.log(0.5) / math.log(theta))
        self._labels: list[Hashable] = []
        self._monitors = (
            [
                ClassRecallMonitor(drift_detector or DDM(), long_window=0, max_rate=1.0)
                for _ in range(n_models)
            ]
            if detect_drift
            else []
        )
        self._background: list[base.Classifier | None] = [None] * n_models
        self._warned_class: list[Hashable | None] = [None] * n_models
        self._drift_events: collections.deque[DriftEvent] = collections.deque(maxlen=1000)
        self._n_seen = 0

    # UserList (under river's Ensemble) would print the members; show the parameters instead.
    __repr__ = base.Base.__repr__

    @staticmethod
    @abc.abstractmethod
    def _reference_share(shares: Iterable[float]) -> float:
        """The class share every class is resampled towards."""

    @classmethod
    def _unit_test_params(cls):
        yield {"model": tree.HoeffdingTreeClassifier(), "n_models": 3, "seed": 42}
        yield {
            "model": preprocessing.StandardScaler() | linear_model.LogisticRegression(),
            "n_models": 3,
            "seed": 42,
        }

    @property
    def n_seen(self) -> int:
        """Number of events learned."""
        return self._n_seen

    @property
    def drift_events(self) -> tuple[DriftEvent, ...]:
        """The last 1000 member replacements, oldest first."""
        return tuple(self._drift_events)

    def learn_one(self, x: dict, y: Hashable, **kwargs) -> None:
        prior = self._prior
        prior.update(y)
        if y not in self._labels:
            self._labels.append(y)
        share = prior.share
        rate = self._reference_share(map(share, self._labels)) / share(y)
        members, backgrounds, detect_drift = self.data, self._background, self.detect_drift
        for i in range(self.n_models):
            if detect_drift:
                self._watch(i, x, y)
            self._train(members[i], rate, x, y, kwargs)
            if backgrounds[i] is not None:
                self._train(backgrounds[i], rate, x, y, kwargs)
        self._n_seen += 1

    def _train(self, learner: base.Classifier, rate: float, x: dict, y: Hashable, kwargs):
        for _ in range(poisson(rate, self._rng)):
            learner.learn_one(x, y, **kwargs)

    def _watch(self, i: int, x: dict, y: Hashable) -> None:
        """Feed member `i`'s monitor with its prediction of `(x, y)` and act on its state."""
        monitor = self._monitors[i]
        monitor.update(y, self.data[i].predict_one(x))
        if monitor.drift_detected:
            self._drift_events.append(
                DriftEvent(self._n_seen, CONCEPT, f"member {i}: {monitor.name}", y)
            )
            background = self._background[i]
            self.data[i] = background if background is not None else self.model.clone()
            self._background[i] = None
            monitor.reset()
        elif monitor.warning_detected:
            if self._background[i] is None:
                self._background[i] = self.model.clone()
                self._warned_class[i] = y
        elif y == self._warned_class[i]:
            self._background[i] = None  # the class that warned is back to normal: a false alarm

    def predict_proba_one(self, x: dict, **kwargs) -> dict[Hashable, float]:
        """Average of the members' probabilities, over every label seen."""
        totals = dict.fromkeys(self._labels, 0.0)
        for member in self.data:
            for label, proba in member.predict_proba_one(x, **kwargs).items():
                totals[label] = totals.get(label, 0.0) + proba
        total = sum(totals.values())
        if not total:  # no member has learned anything yet
            return {label: 1.0 / len(totals) for label in totals}
        for label in totals:
            totals[label] /= total
        return totals


class OOBClassifier(ImbalancedBagging):
    """Oversampling online bagging (OOB).

    Each member learns an event of class y k ~ Poisson(w_max / w_y) times, w_max being the
    time-decayed size of the largest class: the majority is learned about once per member and
    event, the smaller classes are over-sampled up to its size. Parameters, drift handling and
    cost are described in `ImbalancedBagging`.

    Examples
    --------
    A 1:50 stream of two overlapping blobs, on which a plain logistic regression seldom
    recognises the minority:

    >>> import random
    >>> from river import evaluate, linear_model, metrics, preprocessing
    >>> from stream_imbal.ensemble import OOBClassifier
    >>> rng = random.Random(0)
    >>> stream = []
    >>> for _ in range(3000):
    ...     y = rng.random() < 0.02
    ...     stream.append(({"a": rng.gauss(2.0 * y, 1.0), "b": rng.gauss(2.0 * y, 1.0)}, y))
    >>> def logistic():
    ...     return preprocessing.StandardScaler() | linear_model.LogisticRegression()
    >>> evaluate.progressive_val_score(stream, logistic(), metrics.GeometricMean())
    GeometricMean: 11.95%
    >>> model = OOBClassifier(logistic(), n_models=5, seed=1)
    >>> evaluate.progressive_val_score(stream, model, metrics.GeometricMean())
    GeometricMean: 82.85%
    >>> print(model)
    OOBClassifier(StandardScaler | LogisticRegression)

    References
    ----------
    [^1]: Wang, S., Minku, L. L., & Yao, X. (2015). Resampling-based ensemble methods for online
        class imbalance learning. IEEE Transactions on Knowledge and Data Engineering, 27(5),
        1356-1368.

    """

    _reference_share = staticmethod(max)


class UOBClassifier(ImbalancedBagging):
    """Undersampling online bagging (UOB).

    Each member learns an event of class y k ~ Poisson(w_min / w_y) times, w_min being the
    time-decayed size of the smallest class: the minority is learned about once per member and
    event, the larger classes are under-sampled down to its size (most majority events are
    skipped, which makes UOB cheap to train). Parameters, drift handling and cost are described
    in `ImbalancedBagging`.

    Examples
    --------
    A 1:50 stream whose concept flips halfway: the minority moves to where the majority was.
    Every member stops recognising the majority, and its HDDM_W detector has it replaced.

    >>> import random
    >>> from river import drift, linear_model, metrics, preprocessing
    >>> from stream_imbal.ensemble import UOBClassifier
    >>> rng = random.Random(0)
    >>> model = UOBClassifier(
    ...     preprocessing.StandardScaler() | linear_model.LogisticRegression(),
    ...     n_models=5,
    ...     drift_detector=drift.binary.HDDMW(),
    ...     seed=1,
    ... )
    >>> gmean = metrics.GeometricMean()  # over the last 1000 events
    >>> for i in range(6000):
    ...     y = rng.random() < 0.02
    ...     centre = 2.0 * (y != (i >= 3000))
    ...     x = {"a": rng.gauss(centre, 1.0), "b": rng.gauss(centre, 1.0)}
    ...     if i >= 5000:
    ...         gmean.update(y, model.predict_one(x))
    ...     model.learn_one(x, y)
    >>> gmean
    GeometricMean: 93.56%
    >>> len(model.drift_events)
    5
    >>> event = model.drift_events[0]
    >>> event.index, event.kind, event.detector, event.class_label
    (3012, 'concept', 'member 4: HDDMW(class=False)', False)

    References
    ----------
    [^1]: Wang, S., Minku, L. L., & Yao, X. (2015). Resampling-based ensemble methods for online
        class imbalance learning. IEEE Transactions on Knowledge and Data Engineering, 27(5),
        1356-1368.

    """

    _reference_share = staticmethod(min)
