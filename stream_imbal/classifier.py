"""The imbalance-aware online classifier that ties priors, balancing, drift and threshold."""

from __future__ import annotations

import collections
import random
import textwrap
from collections.abc import Hashable

from river import base, linear_model, multiclass, optim

from stream_imbal._classifier import ClassifierFields
from stream_imbal.balancing import BalancingStrategy, ReweightResample, accepts_weight
from stream_imbal.drift import Challenger, DriftEvent, DriftPolicy
from stream_imbal.ensemble.forest import SubspaceForest
from stream_imbal.ensemble.pool import CandidatePool
from stream_imbal.labels import BinaryLabels
from stream_imbal.learning_rate import FastStartRate
from stream_imbal.preprocessing import ClippedStandardScaler
from stream_imbal.priors import ClassPrior, DecayedClassPrior
from stream_imbal.scaled_logistic import ScaledLogisticRegression
from stream_imbal.small_steps import SmallSteps
from stream_imbal.threshold import ThresholdCalibrator, correct_posteriors

__all__ = ["WARM_UP", "OnlineImbalancedClassifier"]

#: Labels each of two classes needs before the model decides (see `warm_up`).
WARM_UP = 10


def linear_learner() -> base.Classifier:
    """Standardised logistic regression: cheap, and strong once rebalanced.

    The standardisation clips, so that one extreme value cannot silence a feature for good. The
    learning rate starts at 0.1 and settles at river's 0.01 (`FastStartRate`), so that a short
    stream or a learner started after a drift is not left half-trained. The pair runs compiled
    (`ScaledLogisticRegression`), with river's arithmetic.
    """
    return ScaledLogisticRegression(
        ClippedStandardScaler(),
        linear_model.LogisticRegression(optimizer=optim.SGD(FastStartRate())),
    )


def default_learner(seed: int | None = None) -> base.Classifier:
    """The linear model and a small random forest, blended by their recent balanced skill.

    The linear model learns fast and wins on linear concepts and short or very rare streams;
    the forest (`SubspaceForest`: 8 Hoeffding trees on random halves of the features) fits the
    non-linear concepts it cannot, and ranks events far better than a single tree. Both are
    trained on the same balanced stream, so their probabilities share one training prior. The
    forest is held to 1.7 MiB, so that memory stays flat however long the stream. The linear
    model learns an up-weighted event as unit-weight steps (`SmallSteps`): one heavy step after
    the first rare events of a stream would make it flag the majority for hundreds of events.
    Until each class has 10 scored events the blend gives the linear model, which learns
    faster, 3/4 of the weight. `seed` seeds the forest.
    """
    return CandidatePool(
        {"linear": SmallSteps(linear_learner()), "forest": SubspaceForest(seed=seed)},
        warm_up_weights={"linear": 0.75, "forest": 0.25},
    )


class OnlineImbalancedClassifier(ClassifierFields, base.Classifier):
    """An online classifier for imbalanced, drifting streams.

    Each labelled event goes through five steps, every one of them a constructor argument:

    1. `prior` tracks the class proportions of the stream;
    2. `balancing` trains `learner` on the event with a weight, a number of repeats or synthetic
       minority events chosen from those proportions; the weight each class actually received
       is tracked as the *training prior* the learner's probabilities are calibrated to;
    3. `drift` watches the per-class recall (a concept-drift alarm: a background learner
       trained since the warning is put on trial and replaces the learner if it recognises the
       classes better; the alarm is reported once the trial's events confirm the drop) and the
       label proportions (prior shift: the prior estimate restarts from the data after the
       shift, and nothing else changes);
    4. `threshold_policy` picks the decision threshold on the minority score over a recent
       window, for G-mean by default (binary problems); until it has the evidence for a
       search, the threshold is the learner's mean score over the training distribution; when
       the minority changes (the prior's shares cross), what it learned is mirrored to the new
       minority's score;
    5. `predict_proba_one` moves the learner's probabilities from the training prior to the
       current prior (Saerens et al. 2002), so they are calibrated to the stream as it is now.

    With no argument (or only `seed`) it is the configuration that did best on our tuning
    streams: a `CandidatePool` of a standardised logistic regression and a `SubspaceForest`,
    blended by how well each has recently ranked each class (`candidate_weights`);
    inverse-frequency weights, the majority under-sampled and each minority event learned up to
    5 times with a share of its weight; a decayed prior with a half-life of 1000 events; FHDDM
    per class over 25 and over 200 events with background learners on trial; ADWIN on the
    label shares; and a G-mean threshold. A learner that only handles two classes (such as
    logistic regression) is given boolean labels and, should a third class appear, is turned
    into a one-vs-rest ensemble that keeps what it learned.

    `predict_one` and `predict_proba_one` remember their last input: calling both, then
    `learn_one`, with the same dict costs one prediction of the learner. A dict changed in
    between is predicted again: the cache is checked against a copy.

    Parameters
    ----------
    learner
        A river classifier or ensemble (a prototype: it is cloned). Defaults to
        `default_learner(seed)`; `linear_learner()` is the logistic regression alone.
    prior
        A `ClassPrior` prototype; defaults to `DecayedClassPrior(half_life=1000)`.
    balancing
        A `BalancingStrategy`; defaults to `ReweightResample(max_repeats=5)`.
    drift
        A `DriftPolicy`; defaults to `DriftPolicy()`.
    threshold_policy
        A `ThresholdCalibrator`; defaults to `ThresholdCalibrator(objective="gmean")`.
    seed
        Seed of the resampling and of the default learner.
    warm_up
        Labels each of two classes needs before `predict_one` decides: until then it returns
        None (no alarm), as a decision from a prior and a threshold estimated on a handful of
        labels would flag far too many events. `predict_proba_one` scores from the start.

    Examples
    --------
    >>> import random
    >>> from river import metrics
    >>> from stream_imbal import OnlineImbalancedClassifier
    >>> rng = random.Random(42)
    >>> model = OnlineImbalancedClassifier(seed=42)
    >>> gmean = metrics.GeometricMean()
    >>> for _ in range(20_000):
    ...     fraud = rng.random() < 0.01
    ...     x = {"amount": rng.gauss(2.0 if fraud else 0.0, 1.0), "hour": rng.random()}
    ...     decision = model.predict_one(x)  # None before anything is learned
    ...     if decision is not None:
    ...         gmean.update(fraud, decision)
    ...     model.learn_one(x, fraud)
    >>> print(f"{gmean.get():.2f}")  # the Bayes-optimal G-mean of this stream is 0.84
    0.83
    >>> low, high = model.prior_intervals[True]  # the true share is 0.01
    >>> low < 0.01 < high
    True
    >>> 0 < model.threshold < 0.5
    True

    """

    _multiclass = True
    #: Events learnt between two reference copies of the learner (pickled, a few ms for the
    #: default's): at an alarm, the older of the last two, 2,000 to 4,000 events old, predates
    #: the dip that raised it and tests the events after it (`DriftPolicy.update`'s
    #: y_pred_reference).
    REFERENCE_EVERY = 2_000

    def __init__(
        self,
        learner: base.Classifier | None = None,
        prior: ClassPrior | None = None,
        balancing: BalancingStrategy | None = None,
        drift: DriftPolicy | None = None,
        threshold_policy: ThresholdCalibrator | None = None,
        seed: int | None = None,
        warm_up: int = WARM_UP,
    ):
        if warm_up < 1:
            raise ValueError(f"warm_up must be >= 1, got {warm_up}")
        self.warm_up = warm_up
        self.learner = learner
        self.prior = prior
        self.balancing = balancing
        self.drift = drift
        self.threshold_policy = threshold_policy
        self.seed = seed
        self._prototype = learner if learner is not None else default_learner(seed)
        self._binary_only = not self._prototype._multiclass
        self._learner = self._new_learner()
        self._challenger: Challenger | None = None
        self._challenger_balancing: BalancingStrategy | None = None
        # Pickled copies of the learner, every REFERENCE_EVERY events; the older one is the
        # reference that tests a concept-drift alarm while the events after it confirm it.
        self._copies: collections.deque[bytes] = collections.deque(maxlen=2)
        self._reference: base.Classifier | None = None
        self._prior = (prior if prior is not None else DecayedClassPrior(1000.0)).clone()
        half_life = getattr(self._prior, "half_life", 1000.0)
        self._trained = DecayedClassPrior(half_life)
        # The cut recall is monitored at: the training prior over a long memory. At 1:1000 the
        # short one swings after each minority event, and its swings would read as drift.
        self._monitor_cut = DecayedClassPrior(MONITOR_MEMORY * half_life)
        self._balancing = (
            balancing if balancing is not None else ReweightResample(max_repeats=5)
        ).clone()
        self._drift = (drift if drift is not None else DriftPolicy()).clone()
        self._calibrator = (threshold_policy or ThresholdCalibrator()).clone()
        self._rng = random.Random(seed)
        self._takes_weight = accepts_weight(self._prototype)
        self._classes: list[Hashable] = []
        self._minority: Hashable | None = None
        self._majority: Hashable | None = None  # the other class, once there are two
        self._n_seen = 0
        self._labels_seen: dict[Hashable, int] = {}
        self._warm = False  # each of two classes has had `warm_up` labels
        self._forget_last()

    @classmethod
    def _unit_test_params(cls):
        yield {"seed": 42}

    def __repr__(self) -> str:
        """The parts really in use (a part given as None shows its default)."""
        parts = {
            "learner": self._prototype,
            "prior": self._prior,
            "balancing": self._balancing,
            "drift": self._drift,
            "threshold_policy": self._calibrator,
            "seed": self.seed,
            "warm_up": self.warm_up,
        }
        lines = [
            f"  {name}={textwrap.indent(repr(part), '  ').lstrip()}" for name, part in parts.items()
        ]
        return f"{type(self).__name__} (\n" + "\n".join(lines) + "\n)"

    # --- introspection -------------------------------------------------------------------

    @property
    def priors(self) -> dict[Hashable, float]:
        """Current estimate of each class's share of the stream."""
        return self._prior.shares

    @property
    def prior_intervals(self) -> dict[Hashable, tuple[float, float]]:
        """95% Wilson interval of each class's share."""
        return {label: self._prior.interval(label) for label in self._prior.shares}

    @property
    def training_priors(self) -> dict[Hashable, float]:
        """Class shares the learner was effectively trained under, after balancing."""
        return self._trained.shares

    @property
    def class_adjustments(self) -> dict[Hashable, float]:
        """Factor pi_k / pi_train_k applied to each class's probability (prior correction)."""
        trained = self._trained.shares
        return {k: p / trained[k] for k, p in self._prior.shares.items() if trained.get(k)}

    @property
    def candidate_weights(self) -> dict[str, float]:
        """Blend weight of each candidate of a `CandidatePool` learner (binary); else empty."""
        learner = self._learner
        pool = learner.classifier if isinstance(learner, BinaryLabels) else learner
        return pool.weights if isinstance(pool, CandidatePool) else {}

    @property
    def drift_events(self) -> tuple[DriftEvent, ...]:
        return self._drift.events

    @property
    def n_drift_events(self) -> int:
        """Drifts reported so far, including those too old for `drift_events` to keep."""
        return self._drift.n_reported

    @property
    def warming_up(self) -> bool:
        """Whether the model still abstains: fewer than `warm_up` labels of two classes."""
        return not self._warm

    @property
    def n_drift_alarms(self) -> int:
        """Concept-drift alarms so far, confirmed (then in `drift_events`) or not."""
        return self._drift.n_alarms

    @property
    def n_seen(self) -> int:
        """Number of labelled events learned."""
        return self._n_seen

    # --- prediction ------------------------------------------------------------------------

    def _infer_multiclass(self, x: dict) -> tuple[dict, Hashable, float]:
        raw = self._normalised_proba(self._learner, x)
        proba = correct_posteriors(raw, self._trained.shares, self._prior.shares)
        return proba, self._balanced_decision(raw), raw[self._minority]

    def _normalised_proba(self, learner: base.Classifier, x: dict) -> dict[Hashable, float]:
        raw = learner.predict_proba_one(x)
        total = sum(raw.get(k, 0.0) for k in self._classes)
        if not total:
            return {k: 1.0 / len(self._classes) for k in self._classes}
        return {k: raw.get(k, 0.0) / total for k in self._classes}

    def _balanced_decision(self, raw: dict[Hashable, float]) -> Hashable:
        """Argmax of p(k | x) / pi_train_k: the decision that is best for the mean recall."""
        trained = self._trained.shares
        return max(raw, key=lambda k: raw[k] / trained[k] if trained.get(k) else raw[k])

    def _reference_decision(self, learner: base.Classifier, x: dict) -> Hashable:
        """A learner's decision at the monitored cut (independent of the threshold)."""
        if len(self._classes) > 2:
            return self._balanced_decision(self._normalised_proba(learner, x))
        minority = self._minority
        if self._minority_score(learner, x) >= self._monitor_cut.share(minority):
            return minority
        return self._other(minority)

    # --- learning --------------------------------------------------------------------------

    def _other(self, label: Hashable) -> Hashable:
        first, second = self._classes
        return second if label == first else first

    def _add_class(self, y: Hashable) -> None:
        self._classes.append(y)
        self._minority = None  # the majority must be found again
        if self._binary_only and len(self._classes) == 3:
            # Keep the model learned so far as the one-vs-rest member of the second class.
            ovr = multiclass.OneVsRestClassifier(self._prototype.clone())
            ovr.classifiers = {self._classes[1]: self._learner.classifier}
            self._use_learner(ovr)
            self._challenger = None
            self._binary_only = False
            self._takes_weight = accepts_weight(ovr)

    def _answer_drift(self) -> None:
        drift = self._drift
        if drift.prior_shift_detected:
            self._prior.restart(*drift.prior_estimate)
        alarm = drift.concept_alarm
        if not alarm and self._challenger is None and not drift.warning_detected:
            return
        if drift.response == "reset" and alarm:
            self._use_learner(self._new_learner())
            self._calibrator.reset()
        elif drift.response == "background":
            self._try_challenger(alarm, drift.warning_detected, drift.grace_period)

    def _try_challenger(self, drifted: bool, warning: bool, trial_length: int) -> None:
        challenger = self._challenger
        if challenger is None and (warning or drifted):
            challenger = self._challenger = Challenger(self._new_learner())
            # Its own balancing: a stateful one (OnlineSMOTE) must not see each event twice.
            self._challenger_balancing = self._balancing.clone()
        if challenger is None:
            return
        if drifted and challenger.trial_end is None:
            challenger.trial_end = self._n_seen + trial_length
        if challenger.trial_end is None:
            if not warning:  # a warning that cleared without a drift
                self._challenger = None
        elif self._n_seen >= challenger.trial_end:
            if challenger.wins():
                self._use_learner(challenger.learner)
                self._balancing = self._challenger_balancing
                self._calibrator.reset()
            self._challenger = None

    def _use_learner(self, learner: base.Classifier) -> None:
        """Make `learner` the active one: the copies of the one it replaces test nothing now."""
        self._learner = learner
        self._copies.clear()
        self._reference = None

    def _new_learner(self) -> base.Classifier:
        if self._binary_only:
            return BinaryLabels(self._prototype.clone())
        if self._prototype._multiclass:
            return self._prototype.clone()
        return multiclass.OneVsRestClassifier(self._prototype.clone())

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        del state["_last_x"], state["_last_copy"], state["_last"]  # the last input's cache
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._forget_last()


MONITOR_MEMORY = 20  # the monitored cut's half-life, in half-lives of the prior estimate
