"""Score each event when it arrives, learn it when its label comes: the one online core.

`ScoreThenLearn` is what a live system does with a stream whose labels come late, and it is the
same object whether the events come from a file (`stream_imbal.replay.DirectReplay`) or from
Kafka (`consumers`, one per partition), so that a replay of a topic's events makes the same
predictions, learns the same events and measures the same windowed scores as the service did.
`stream_imbal.evaluate.prequential` (`evaluate`, `bench`) runs it too, on events that carry
their labels: an event followed from a file to its prediction goes through this one loop,
whichever command reads it.

Its rules, in one place:

- an event is scored on arrival; it is learnt at once if it carries its label (or its label
  came first and is held), kept in a bounded `PendingLabels` store if its label follows, and
  forgotten if none will;
- a label whose event is waiting is joined to it and learnt; a label that comes before its
  event (or after it was evicted) is held, up to `early_max` labels, the oldest dropped first
  and counted as unmatched;
- an event's features go through the missing-value policy (`stream_imbal.missing`), when
  there is one, before anything else: filled in and counted, or refused (`MissingValueError`)
  without changing anything but the counts; a sudden change of the feature set is a drift
  event of kind `schema`;
- the clock is the latest event time accepted; pending events expire in that time, after each
  event; with a `guard`, an event or label stamped too far ahead of its clock is refused
  (`TimestampTooFarAhead`) without moving the clock;
- until the model has seen both classes it cannot score, nor while it abstains (`predict_one`
  gives None, as `OnlineImbalancedClassifier` does during its `warm_up`): the prediction says
  so, with `status="warming_up"` and no score, decision, threshold nor prior;
- each learnt event's prediction is scored against its label over the last `window` learnt
  events, per class (`WindowedClassRecall`), and, when given, by a `WindowedScores`, by the
  same rule everywhere: not before the model has learnt two classes, and an abstention after
  that as `no_alarm`; a drift event is located there at the event whose learning (a schema
  change: whose arrival) raised it.

>>> from stream_imbal import OnlineImbalancedClassifier
>>> from stream_imbal.online import Event, Label, ScoreThenLearn
>>> core = ScoreThenLearn(OnlineImbalancedClassifier(seed=1, warm_up=1))
>>> core.on_event(Event("a", 0.0, {"x": 1.0}, label=0)).prediction.status
'warming_up'
>>> core.on_event(Event("b", 1.0, {"x": 5.0}, label=1)).learned
1
>>> core.on_event(Event("c", 2.0, {"x": 4.0})).prediction.status  # its label will follow
'scored'
>>> outcome = core.on_label(Label("c", 1, ts=3.0))
>>> outcome.joined, outcome.learned, core.learned, len(core.pending)
(1, 1, 3, 0)

"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sized
from typing import TYPE_CHECKING, NamedTuple

from river import base

from stream_imbal.join import JoinSettings
from stream_imbal.missing import MissingValueError, MissingValues
from stream_imbal.pending import PendingEvent

if TYPE_CHECKING:
    from stream_imbal.evaluate import WindowedScores

__all__ = [
    "SCORED",
    "WARMING_UP",
    "Event",
    "Label",
    "Outcome",
    "Prediction",
    "ScoreThenLearn",
    "can_score",
    "no_alarm",
    "prediction_of",
    "scored_decision",
]

SCORED, WARMING_UP = "scored", "warming_up"


@dataclasses.dataclass(slots=True)
class Event:
    """An event as the stream delivers it.

    `label` is set when the event carries it; otherwise `label_follows` says whether a `Label`
    may come later. `row` is its data row when it comes from a file (or its number in a
    stream), and `file_label` the label the file gives it, even one that comes later: for a
    replay's outputs, never read here. `truth` is what a simulated stream knows of it (its
    concept, its minority share: `stream_imbal.simulation`), for the windowed scores only.
    """

    event_id: str | int
    ts: float
    features: dict[str, float] = dataclasses.field(repr=False)
    label: Hashable | None = None
    label_follows: bool = True
    row: int | None = None
    file_label: Hashable | None = dataclasses.field(default=None, repr=False)
    truth: object = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    """The label of an event; `ts` is when it became known."""

    event_id: str | int
    label: Hashable
    ts: float
    row: int | None = None


class Prediction(NamedTuple):
    """What was predicted for an event when it arrived.

    `score` is the probability of the model's minority class and `prior` that class's
    estimated share; with `status` `warming_up` (the model has not seen both classes yet) the
    score, decision, threshold and prior are None. `learned` is how many events the model had
    learnt when it made the prediction (a version of the model).
    """

    id: str | int
    ts: float
    score: float | None
    decision: Hashable | None
    threshold: float | None
    prior: float | None
    status: str
    learned: int


@dataclasses.dataclass(slots=True)
class Outcome:
    """What processing one event or label did; `evicted` lists the pending events evicted, by
    reason (`full`, `expired`), for the reasons that evicted any; `missing` and `unknown` name
    the event's missing and unknown features (`MissingValues.last_missing`, `last_unknown`)."""

    prediction: Prediction | None = None
    learned: int = 0
    joined: int = 0
    evicted: dict[str, list[PendingEvent]] = dataclasses.field(default_factory=dict)
    unmatched_labels: int = 0
    drift_events: list = dataclasses.field(default_factory=list)
    alert: bool = False  # the prediction flags the event as the minority class
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def no_alarm(class_counts: Mapping[Hashable, int]) -> Hashable:
    """The decision scored for a model that makes none once it has learnt two classes: the most
    frequent class so far, with a minority score of 0. A system that says nothing about an event
    raises no alarm for it. MOA's learners say nothing when all their votes are zero, e.g. naive
    Bayes leaves on a one-hot value their Gaussians have not seen: on the KEEL table
    kr-vs-k-zero_vs_fifteen (seed 1) MOA's OnlineUnderOverBagging did so for 12 of its 27
    minority events, and skipping them, as river's evaluation does, gave it a G-mean of 1.0.

    >>> no_alarm({"fraud": 3, "ok": 120})
    'ok'
    """
    return max(class_counts, key=class_counts.__getitem__)


def can_score(classes_learnt: Sized) -> bool:
    """Whether a model that has learnt the classes `classes_learnt` makes predictions: until it
    has learnt two classes, its prediction is `warming_up` (no score, no decision) and is not
    scored. The rule of `prequential`, replay and the service alike.

    >>> can_score({0: 120}), can_score({0: 120, 1: 1})
    (False, True)
    """
    return len(classes_learnt) >= 2


def scored_decision(
    decision: Hashable | None, class_counts: Mapping[Hashable, int]
) -> Hashable | None:
    """The decision a model's `decision` is scored with, having learnt `class_counts` of each
    class: none before it has learnt two classes (`can_score`), and an abstention after that as
    `no_alarm`. The rule of `prequential` and the online core alike.

    >>> scored_decision(None, {"ok": 9}), scored_decision(None, {"ok": 9, "fraud": 1})
    (None, 'ok')
    """
    if not can_score(class_counts):
        return None
    return no_alarm(class_counts) if decision is None else decision


def prediction_of(
    model: base.Classifier,
    event_id: str | int | None,
    ts: float | None,
    proba: dict,
    decision: Hashable | None,
    class_counts: dict[Hashable, int],
    learned: int,
    describe: bool = True,
) -> Prediction:
    """The `Prediction` of `model` for an event: `proba` and `decision` are what it said, having
    learnt `class_counts` of each class (`learned` events in all). `warming_up` until it has
    learnt two classes, or while it abstains (a None decision). Without `describe`, its
    threshold and prior are left None."""
    if decision is None or not can_score(class_counts):
        return Prediction(event_id, ts, None, None, None, None, WARMING_UP, learned)
    minority = getattr(model, "minority_class", None)
    if minority is None:
        minority = min(class_counts, key=class_counts.__getitem__)
    score = proba.get(minority, 0.0)
    if not describe:
        return Prediction(event_id, ts, score, decision, None, None, SCORED, learned)
    priors = getattr(model, "priors", None) or {}
    threshold = getattr(model, "threshold", None)
    return Prediction(
        event_id, ts, score, decision, threshold, priors.get(minority), SCORED, learned
    )


class _Made(NamedTuple):
    """What a pending event kept, in checkpoints written before it became a plain tuple
    (`ScoreThenLearn.on_event`: a tuple pickles in a fraction of the time); read, never made."""

    decision: Hashable | None
    proba: dict | None
    truth: object = None


class ScoreThenLearn:
    """Score events on arrival and learn them when their labels come (see the module).

    Parameters
    ----------
    model
        A river classifier, e.g. `OnlineImbalancedClassifier`. When its `predict_one` is river's
        plain argmax it is not called: the argmax of `predict_proba_one` is taken instead, to
        pay for one prediction per event.
    join
        The bounds of the join of events and labels (`JoinSettings`: the store of events
        waiting for their label, the labels held for events not seen yet, the timestamps
        refused as too far ahead); by default replay's and the service's defaults.
    window
        Learnt events over which `minority_recall`, `gmean` and the like are measured; None
        measures nothing (they are NaN).
    scores
        Also score each learnt event's prediction with this `WindowedScores`, and locate there
        the drift events (`WindowedScores.locate`).
    score_on_arrival
        Score each event when it arrives (its `Outcome` has the prediction). False for a
        learner whose predictions others make: an event is scored only once labelled, just
        before it is learnt, for the windowed metrics.
    missing
        The missing-value policy (`MissingValues`); None: the features go to the model as they
        are.
    on_scored
        Called with each event scored on arrival, its prediction and the model's probabilities,
        before the event is learnt.
    describe
        Give each prediction the model's threshold and minority prior, as the service publishes
        it; False leaves them None, for a run that reads only the decisions (`prequential`).

    """

    def __init__(
        self,
        model: base.Classifier,
        join: JoinSettings | None = None,
        window: int | None = 1000,
        scores: WindowedScores | None = None,
        score_on_arrival: bool = True,
        missing: MissingValues | None = None,
        on_scored: Callable[[Event, Prediction, dict], None] | None = None,
        describe: bool = True,
    ) -> None:
        self.model = model
        self.missing = missing
        self.score_on_arrival = score_on_arrival
        self.on_scored = on_scored
        self.describe = describe
        self._reports_drift = hasattr(model, "n_drift_events")
        self._counts_scored = hasattr(model, "count_scored")  # toward an alert budget
        self._argmax = getattr(type(model), "predict_one", None) is base.Classifier.predict_one
        join = join if join is not None else JoinSettings()
        self.pending = join.pending_store()
        self.early_labels: OrderedDict[Hashable, tuple[Hashable, float]] = OrderedDict()
        self.early_max = join.early_max
        self.window = window
        self.recalls = None
        if window is not None:
            from stream_imbal.metrics import WindowedClassRecall  # river.metrics: scipy, 0.8 s

            self.recalls = WindowedClassRecall(window)
        self.scores = scores
        self.guard = join.guard()
        self.scored = self.learned = self.unmatched_labels = 0
        self.class_counts: dict[Hashable, int] = {}  # labels learnt, per class
        self.clock = -math.inf  # the latest event time accepted
        self.label_clock = -math.inf  # the latest label time accepted

    def on_event(self, event: Event, wall_now: float | None = None) -> Outcome:
        """Score `event`; learn it if its label is known, else keep it until the label comes.
        Its features are replaced by the model's input (`MissingValues.prepare`)."""
        self.guard.check(event.ts, self.clock, wall_now)
        missing = self.missing
        if missing is not None:
            event.features = missing.prepare(event.features, self.learned)
        x = event.features
        if event.ts > self.clock:  # a NaN (no time, in `prequential`) moves nothing
            self.clock = event.ts
        if self.score_on_arrival:
            prediction, proba = self.score(event)
            decision = scored_decision(prediction.decision, self.class_counts)
            if self.on_scored is not None:  # the model as it scored: before counting the event
                self.on_scored(event, prediction, proba)
            if self._counts_scored:
                self.model.count_scored(x)
            self.scored += 1
        else:
            prediction, proba, decision = None, None, None
        outcome = Outcome(prediction=prediction, alert=self.is_alert(prediction))
        if missing is not None:
            outcome.missing, outcome.unknown = missing.last_missing, missing.last_unknown
            if missing.schema_changed:
                outcome.drift_events.append(missing.drift_events[-1])
        label = event.label
        if label is None and event.event_id in self.early_labels:
            label = self.early_labels.pop(event.event_id)[0]
            outcome.joined = 1
        if label is not None:
            self._learn(x, label, decision, proba, event.truth, outcome)
        elif event.label_follows:
            # what is scored once the label comes: (decision, probabilities, truth)
            kept = self.scores is not None
            made = (decision, proba, event.truth) if kept else (decision, None, None)
            full = self.pending.add(event.event_id, event.ts, x, made)
            if full:
                outcome.evicted["full"] = full
        expired = self.pending.expire(self.clock)
        if expired:
            outcome.evicted["expired"] = expired
        if outcome.drift_events:
            self._locate(outcome.drift_events, event.row, event.ts, event.event_id)
        return outcome

    def on_row(self, event: Event, unit: str = "row") -> Outcome | None:
        """`on_event` for an event of a run over a file or a stream: None for an event the
        missing-value policy `skip` refuses (counted, neither scored nor learnt); under `error`
        the `MissingValueError` names the event, as `<unit> <event.row>`."""
        try:
            return self.on_event(event)
        except MissingValueError as error:
            if self.missing.policy == "skip":
                return None
            where = f"{unit} {event.row}"
            raise MissingValueError(f"{where}: {error}", error.missing) from None

    def on_label(self, label: Label, wall_now: float | None = None) -> Outcome:
        """Learn the event `label` belongs to, or hold the label until its event comes."""
        self.guard.check(label.ts, self.label_clock, wall_now)
        self.label_clock = max(self.label_clock, label.ts)
        outcome = Outcome()
        waiting = self.pending.pop(label.event_id)
        if waiting is not None:
            outcome.joined = 1
            made = waiting.decision
            self._learn(waiting.features, label.label, *made, outcome)
            if outcome.drift_events:
                self._locate(outcome.drift_events, label.row, waiting.ts, label.event_id)
            return outcome
        self.early_labels[label.event_id] = (label.label, label.ts)
        while len(self.early_labels) > self.early_max:
            self.early_labels.popitem(last=False)
            outcome.unmatched_labels += 1
        self.unmatched_labels += outcome.unmatched_labels
        return outcome

    def resume(self, class_counts: dict[Hashable, int], learned: int) -> None:
        """Go on from a model that has already learnt `learned` events, `class_counts` of each
        class (a model file): it scores from the first event if it knows two classes."""
        self.class_counts = dict(class_counts)
        self.learned = learned

    @property
    def labels_ahead(self) -> bool:
        """Whether the labels read so far are later, in event time, than the events read."""
        return self.label_clock > self.clock

    def minority_recall(self) -> float:
        """The minority class's recall over the last `window` learnt events."""
        minority = getattr(self.model, "minority_class", None)
        if minority is None or self.recalls is None:
            return math.nan
        return self.recalls.recall(minority)

    def alert_rate(self) -> float:
        """Share of the last `window` learnt events predicted as the minority class."""
        minority = getattr(self.model, "minority_class", None)
        if minority is None or self.recalls is None:
            return math.nan
        return self.recalls.predicted_share(minority)

    def false_positive_rate(self) -> float:
        """Share of the last `window` learnt majority events predicted as the minority."""
        minority = getattr(self.model, "minority_class", None)
        if minority is None or self.recalls is None:
            return math.nan
        return self.recalls.false_positive_rate(minority)

    def is_alert(self, prediction: Prediction | None) -> bool:
        """Whether `prediction` flags its event as the model's minority class."""
        if prediction is None or prediction.decision is None:
            return False
        return prediction.decision == getattr(self.model, "minority_class", None)

    def gmean(self) -> float:
        """The geometric mean of the class recalls over the last `window` learnt events."""
        if self.recalls is None:
            return math.nan
        recalls = [self.recalls.recall(c) for c in self.recalls.classes]
        if len(recalls) < 2 or any(math.isnan(r) for r in recalls):
            return math.nan
        return math.prod(recalls) ** (1 / len(recalls))

    def score(self, event: Event) -> tuple[Prediction, dict]:
        """The prediction for `event` and the model's probabilities, learning nothing."""
        x, counts = event.features, self.class_counts
        proba = self.model.predict_proba_one(x)
        decision = None
        if can_score(counts):
            decision = _argmax(proba) if self._argmax else self.model.predict_one(x)
        prediction = prediction_of(
            self.model,
            event.event_id,
            event.ts,
            proba,
            decision,
            counts,
            self.learned,
            self.describe,
        )
        return prediction, proba

    def warming_up(self, event: Event) -> Prediction:
        """The prediction for `event` of a model that cannot score yet."""
        return Prediction(
            event.event_id, event.ts, None, None, None, None, WARMING_UP, self.learned
        )

    def _learn(
        self,
        x: dict,
        y: Hashable,
        decision: Hashable | None,
        proba: dict | None,
        truth: object,
        outcome: Outcome,
    ) -> None:
        model = self.model
        if not self.score_on_arrival:  # scored now, once labelled
            prediction, proba = self.score(Event(None, self.clock, x))
            decision = scored_decision(prediction.decision, self.class_counts)
        reported = model.n_drift_events if self._reports_drift else 0
        model.learn_one(x, y)
        self.learned += 1
        self.class_counts[y] = self.class_counts.get(y, 0) + 1
        outcome.learned = 1
        if decision is not None and self.recalls is not None:
            self.recalls.update(y, decision)
        if self.scores is not None:
            self.scores.update(y, decision, proba or {}, truth)
        new = model.n_drift_events - reported if self._reports_drift else 0
        if new:
            outcome.drift_events += model.drift_events[-new:]

    def _locate(self, drift_events: list, row: int | None, ts: float, event_id: object) -> None:
        """Say which event raised `drift_events`, in the `WindowedScores`."""
        if self.scores is not None:
            self.scores.locate(drift_events, row, ts, event_id)


def _argmax(proba: dict) -> Hashable | None:
    """What river's `Classifier.predict_one` returns, without predicting again."""
    return max(proba, key=proba.get) if proba else None
