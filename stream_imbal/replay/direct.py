"""Run a classifier in-process on a replayed timeline of events and late labels.

Each event is scored when it arrives. Its label, when it comes, is learnt, and it scores the
prediction made at arrival: the windows measure what a live system would have got, not a
prediction made with the label's own knowledge. Events waiting for their label are kept in a
bounded `PendingLabels` store; an event evicted from it (store full, or older than its
time-to-live) is never learnt, and its label, when it comes, is counted as unmatched. The
rules are those of the service: `DirectReplay` runs the same `stream_imbal.online` core.

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
>>> result = replay.run(timeline, on_prediction=lambda p, label: predictions.append(p))
>>> len(predictions), replay.learnt, len(replay.pending)
(3000, 3000, 0)
>>> sum(p.status == "warming_up" for p in predictions)  # before 10 labels of each class
1628
>>> result.windows[["start", "end", "n_minority", "minority_recall"]].round(2)
   start   end  n_minority  minority_recall
0      0  1000           0              NaN
1   1000  2000          24             0.54
2   2000  3000          38             0.97

"""

from __future__ import annotations

import csv
import pathlib
import time
from collections.abc import Callable, Hashable, Iterable

from river import base

from stream_imbal.evaluate import EvaluationResult, WindowedScores
from stream_imbal.join import JoinSettings
from stream_imbal.missing import MissingValues
from stream_imbal.online import Event, Label, Prediction, ScoreThenLearn, prediction_of
from stream_imbal.pending import PendingLabels

__all__ = ["DirectReplay", "Prediction", "PredictionsCSV", "PrequentialPredictions"]


class DirectReplay:
    """Score events as they arrive and learn them as their labels come, in-process.

    A `ScoreThenLearn` core (the service's, see `stream_imbal.online`) runs the model on the
    timeline; a `WindowedScores` scores each learnt event's prediction in tumbling windows for
    the run's files and report.

    Parameters
    ----------
    model
        A river classifier, e.g. `OnlineImbalancedClassifier`.
    window_size
        Labelled events per evaluation window (see `stream_imbal.evaluate.WindowedScores`), and
        of the core's sliding recall.
    join
        The bounds of the join of events and labels (`stream_imbal.join.JoinSettings`); by
        default the service's defaults.
    minority_class
        The class scored as positive; by default the rarest seen so far.
    missing
        The missing-value policy (`stream_imbal.missing`); by default `MissingValues()`: an
        event it skips is counted and neither scored nor learnt, one it refuses under `error`
        stops the run (`MissingValueError` naming its row).

    Attributes
    ----------
    core
        The `ScoreThenLearn` core.
    events, learnt, unmatched
        Events scored, labels learnt, and labels whose event never came or had been evicted.

    """

    def __init__(
        self,
        model: base.Classifier,
        window_size: int = 1000,
        join: JoinSettings | None = None,
        minority_class: Hashable | None = None,
        missing: MissingValues | None = None,
    ) -> None:
        self.model = model
        missing = missing if missing is not None else MissingValues()
        self.scores = WindowedScores(window_size, minority_class, model, missing)
        self.core = ScoreThenLearn(
            model, join, window=window_size, scores=self.scores, missing=missing
        )

    @property
    def pending(self) -> PendingLabels:
        return self.core.pending

    @property
    def events(self) -> int:
        return self.core.scored

    @property
    def learnt(self) -> int:
        return self.core.learned

    @property
    def unmatched(self) -> int:
        return self.core.unmatched_labels + len(self.core.early_labels)

    def run(
        self,
        timeline: Iterable[Event | Label],
        on_prediction: Callable[[Prediction, Hashable | None], None] | None = None,
    ) -> EvaluationResult:
        """Replay `timeline`; `on_prediction` gets each event's prediction as it is made, with
        the event's label if known (carried, or given by its file: `Event.file_label`).

        The summary holds the scores of `WindowedScores` (`n_events` counts the labelled events
        scored), the core's G-mean and minority recall over the last window of learnt events
        (`gmean_last_window`, `minority_recall_last_window`, as the service reports them), and
        the counts `events_predicted`, `learnt`, `labels_unmatched`, `evicted_full` and
        `evicted_expired`, and those of the missing-value policy (`MissingValues.summary`);
        `seconds` includes the cost of reading the timeline. Each drift event is located at the
        event whose learning raised it (its row, time and id).
        """
        started = time.perf_counter()
        core = self.core
        for item in timeline:
            if isinstance(item, Label):
                core.on_label(item)
                continue
            outcome = core.on_row(item)
            if outcome is not None and on_prediction is not None:
                label = item.label if item.label is not None else item.file_label
                on_prediction(outcome.prediction, label)
        result = self.scores.result(time.perf_counter() - started)
        result.summary |= {
            "gmean_last_window": core.gmean(),
            "minority_recall_last_window": core.minority_recall(),
            "events_predicted": self.events,
            "learnt": self.learnt,
            "labels_unmatched": self.unmatched,
            "evicted_full": self.pending.evictions["full"],
            "evicted_expired": self.pending.evictions["expired"],
        }
        return result


class PredictionsCSV:
    """A sink writing predictions to a CSV file as they come (`add`, then `close`).

    Columns: those of `Prediction` (`id`, `ts`, `score`, `decision`, `threshold`, `prior`,
    `status`, `learned`), then the event's `label` when known; an unknown value is empty.
    """

    def __init__(self, path: str | pathlib.Path) -> None:
        self.path = pathlib.Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow([*Prediction._fields, "label"])

    def add(self, prediction: Prediction, label: Hashable | None = None) -> None:
        self._writer.writerow([*prediction, label])  # None is written as an empty cell

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PredictionsCSV:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class PrequentialPredictions:
    """The predictions of `stream_imbal.evaluate.prequential` (its `on_prediction`) as
    `ScoreThenLearn` makes them, to a sink such as `PredictionsCSV`: an event's id is its number.

    Parameters
    ----------
    model
        The model `prequential` runs.
    sink
        Gets each `Prediction` and the event's label (`add`).
    learnt
        Events per class the model learnt before (a model file).

    """

    def __init__(
        self, model: base.Classifier, sink: PredictionsCSV, learnt: dict | None = None
    ) -> None:
        self.model = model
        self.sink = sink
        self.known = dict(learnt or {})  # events per class the model has learnt
        self.learned = sum(self.known.values())

    def __call__(self, n: int, y: Hashable, decision: Hashable | None, proba: dict) -> None:
        known = self.known
        prediction = prediction_of(self.model, n, None, proba, decision, known, self.learned)
        self.sink.add(prediction, y)
        known[y] = known.get(y, 0) + 1
        self.learned += 1
