"""Run a classifier in-process on a replayed timeline of events and late labels.

Each event is scored when it arrives. Its label, when it comes, is learnt, and it scores the
prediction made at arrival: the windows measure what a live system would have got, not a
prediction made with the label's own knowledge. Events waiting for their label are kept in a
bounded `PendingLabels` store; an event evicted from it (store full, or older than its
time-to-live) is never learnt, and its label, when it comes, is counted as unmatched.

>>> import random
>>> from stream_imbal import OnlineImbalancedClassifier
>>> from stream_imbal.replay import DirectReplay, LabelDelay, LabelTimeline, Row
>>> rng = random.Random(7)
>>> rows = []
>>> for i in range(3000):
...     fraud = rng.random() < 0.05
...     rows.append(Row(i + 1, f"tx{i}", 60.0 * i, {"amount": rng.gauss(3 * fraud, 1)}, fraud))
>>> timeline = LabelTimeline(LabelDelay.parse("1d"))(rows)  # one event a minute
>>> replay = DirectReplay(OnlineImbalancedClassifier(seed=7), window_size=1000)
>>> predictions = []
>>> result = replay.run(timeline, on_prediction=predictions.append)
>>> len(predictions), replay.learnt, len(replay.pending)
(3000, 3000, 0)
>>> sum(p.decision is None for p in predictions)  # made before the first label came
1441
>>> result.windows[["start", "end", "n_minority", "minority_recall"]].round(2)
   start   end  n_minority  minority_recall
0      0  1000           0              NaN
1   1000  2000          24             0.88
2   2000  3000          38             0.95

"""

from __future__ import annotations

import csv
import math
import pathlib
import time
from collections.abc import Callable, Hashable, Iterable
from typing import NamedTuple

from river import base

from stream_imbal.evaluate import EvaluationResult, WindowedScores
from stream_imbal.pending import PendingLabels
from stream_imbal.replay.delay import Event, Label

__all__ = ["DirectReplay", "Prediction", "PredictionsCSV"]


class Prediction(NamedTuple):
    """What was predicted for an event when it arrived.

    `score` is the probability of the model's `minority_class`, `prior` its estimated share
    (NaN when the model does not name a minority class); `decision` and `threshold` are None
    when the model cannot tell yet.
    """

    id: str | int
    ts: float
    score: float
    decision: Hashable | None
    threshold: float | None
    prior: float


class _Made(NamedTuple):
    """Kept with a pending event, to score its prediction once the label comes."""

    decision: Hashable | None
    proba: dict


class DirectReplay:
    """Score events as they arrive and learn them as their labels come.

    Parameters
    ----------
    model
        A river classifier, e.g. `OnlineImbalancedClassifier`.
    window_size
        Labelled events per evaluation window (see `stream_imbal.evaluate.WindowedScores`).
    pending
        The store of events waiting for their label; by default `PendingLabels()`.
    minority_class
        The class scored as positive; by default the rarest seen so far.

    Attributes
    ----------
    events, learnt, unmatched
        Events scored, labels learnt, and labels whose event had been evicted.

    """

    def __init__(
        self,
        model: base.Classifier,
        window_size: int = 1000,
        pending: PendingLabels | None = None,
        minority_class: Hashable | None = None,
    ) -> None:
        self.model = model
        self.pending = pending if pending is not None else PendingLabels()
        self.scores = WindowedScores(window_size, minority_class, model)
        self.events = self.learnt = self.unmatched = 0

    def run(
        self,
        timeline: Iterable[Event | Label],
        on_prediction: Callable[[Prediction], None] | None = None,
    ) -> EvaluationResult:
        """Replay `timeline`; `on_prediction` gets each event's prediction as it is made.

        The summary holds the scores of `WindowedScores` (`n_events` counts the labelled events
        scored) and the counts `events`, `learnt`, `labels_unmatched`, `evicted_full` and
        `evicted_expired`; `seconds` includes the cost of reading the timeline.
        """
        started = time.perf_counter()
        for item in timeline:
            if isinstance(item, Label):
                self._label(item)
            else:
                prediction = self._event(item)
                if on_prediction is not None:
                    on_prediction(prediction)
        result = self.scores.result(time.perf_counter() - started)
        result.summary |= {
            "events": self.events,
            "learnt": self.learnt,
            "labels_unmatched": self.unmatched,
            "evicted_full": self.pending.evictions["full"],
            "evicted_expired": self.pending.evictions["expired"],
        }
        return result

    def _event(self, event: Event) -> Prediction:
        model, x = self.model, event.features
        self.events += 1
        self.pending.expire(event.ts)
        proba = model.predict_proba_one(x)
        decision = model.predict_one(x)
        if event.label is not None:
            self._learn(x, event.label, decision, proba)
        elif event.label_follows:
            self.pending.add(event.event_id, event.ts, x, _Made(decision, proba))
        return self._prediction(event, proba, decision)

    def _label(self, label: Label) -> None:
        waiting = self.pending.pop(label.event_id)
        if waiting is None:
            self.unmatched += 1
        else:
            made = waiting.decision
            self._learn(waiting.features, label.label, made.decision, made.proba)

    def _learn(self, x: dict, y: Hashable, decision: Hashable | None, proba: dict) -> None:
        self.model.learn_one(x, y)
        self.scores.update(y, decision, proba)
        self.learnt += 1

    def _prediction(self, event: Event, proba: dict, decision: Hashable | None) -> Prediction:
        model = self.model
        minority = getattr(model, "minority_class", None)
        priors = getattr(model, "priors", None) or {}
        return Prediction(
            event.event_id,
            event.ts,
            proba.get(minority, math.nan),
            decision,
            getattr(model, "threshold", None),
            priors.get(minority, math.nan),
        )


class PredictionsCSV:
    """A sink writing predictions to a CSV file as they come (`add`, then `close`).

    Columns: `id`, `ts`, `score`, `decision`, `threshold`, `prior`; an unknown value is empty.
    """

    def __init__(self, path: str | pathlib.Path) -> None:
        self.path = pathlib.Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(Prediction._fields)

    def add(self, prediction: Prediction) -> None:
        self._writer.writerow(
            "" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in prediction
        )

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PredictionsCSV:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
