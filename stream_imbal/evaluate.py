"""Prequential (test-then-train) evaluation on an imbalanced, drifting stream.

Every event is first predicted, then learnt. The scores are kept per tumbling window of events,
with what the model believes at the end of each window (its class priors, their confidence
interval, its decision threshold) next to the truth when the stream knows it, so that a run can
be plotted and compared later without being run again.

>>> import random
>>> from river import linear_model
>>> from stream_imbal.evaluate import prequential

>>> rng = random.Random(42)
>>> def stream(n):
...     for _ in range(n):
...         y = rng.random() < 0.2
...         yield {"x": rng.gauss(2.0 if y else 0.0, 1.0)}, y

>>> result = prequential(linear_model.LogisticRegression(), stream(1000), window_size=250)
>>> result.windows[["start", "end", "n_minority", "minority_recall", "pr_auc"]].round(3)
   start   end  n_minority  minority_recall  pr_auc
0      0   250          44            0.227   0.498
1    250   500          48            0.417   0.789
2    500   750          51            0.608   0.787
3    750  1000          42            0.429   0.721
>>> round(result.summary["gmean"], 3), result.summary["n_events"]
(0.644, 1000)

"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd
from river import base, metrics

from stream_imbal.exceptions import StreamImbalError
from stream_imbal.metrics import KappaM
from stream_imbal.missing import MissingValues
from stream_imbal.online import Event, Prediction, ScoreThenLearn, no_alarm
from stream_imbal.progress import progress as show_progress

__all__ = [
    "WEIGHT_PREFIX",
    "WINDOW_COLUMNS",
    "EvaluationResult",
    "WindowedScores",
    "no_alarm",
    "prequential",
]

WINDOW_COLUMNS = [
    "start",
    "end",
    "n_minority",
    "gmean",
    "minority_recall",
    "minority_precision",
    "alert_rate",
    "false_positive_rate",
    "f1",
    "balanced_accuracy",
    "kappa",
    "kappa_m",
    "pr_auc",
    "recall_at_budget",
    "prior_estimate",
    "prior_low",
    "prior_high",
    "prior_true",
    "concept",
    "threshold",
    "tp",
    "fp",
    "fn",
    "tn",
]
#: The alert budget `recall_at_budget` is measured at: the share of a window's events flagged.
ALERT_BUDGET = 0.01
#: Prefix of the optional window columns holding each candidate's blend weight
#: (`OnlineImbalancedClassifier.candidate_weights`) at the window's end.
WEIGHT_PREFIX = "weight_"
#: A drift event: the model's index of it, what drifted, the detector, and the event whose
#: learning raised it (its data row, time and id, each where known).
DRIFT_COLUMNS = ["index", "kind", "detector", "row", "ts", "id"]


@dataclasses.dataclass(eq=False)
class EvaluationResult:
    """What `prequential` measured.

    Attributes
    ----------
    windows
        One row per window of events, with the columns of `WINDOW_COLUMNS`, then a
        `weight_<name>` column per candidate when the model blends candidates.
    drift_events
        The drifts the model reported (`DRIFT_COLUMNS`), empty if it reports none.
    summary
        Scores over the whole run, the mean windowed G-mean and PR-AUC, the throughput, with
        a missing-value policy its counts (`MissingValues.summary`); a command adds what it
        ran (`model`, `input`).
    class_counts
        Labelled events per class, in order of first appearance (not saved by `to_csv`).

    """

    windows: pd.DataFrame
    drift_events: pd.DataFrame
    summary: dict
    class_counts: dict = dataclasses.field(default_factory=dict)

    @property
    def minority_class(self) -> Hashable | None:
        """The class with the fewest labelled events (None before any)."""
        counts = self.class_counts
        return min(counts, key=counts.__getitem__) if counts else None

    def to_csv(self, directory: str | os.PathLike) -> pathlib.Path:
        """Write `windows.csv`, `drift_events.csv` and `summary.json` into `directory`."""
        path = pathlib.Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self.windows.to_csv(path / "windows.csv", index=False)
        self.drift_events.to_csv(path / "drift_events.csv", index=False)
        # NaN is not JSON: write it as null.
        summary = {k: None if _isnan(v) else v for k, v in self.summary.items()}
        (path / "summary.json").write_text(json.dumps(summary, indent=2))
        return path

    @classmethod
    def from_csv(cls, directory: str | os.PathLike) -> EvaluationResult:
        """Load a result written by `to_csv`."""
        path = pathlib.Path(directory)
        summary = json.loads((path / "summary.json").read_text())
        return cls(
            windows=pd.read_csv(path / "windows.csv"),
            drift_events=pd.read_csv(path / "drift_events.csv"),
            summary={k: math.nan if v is None else v for k, v in summary.items()},
        )


def prequential(
    model: base.Classifier,
    stream: Iterable[tuple],
    window_size: int = 1000,
    minority_class: Hashable | None = None,
    progress: bool = False,
    total: int | None = None,
    learnt: Mapping[Hashable, int] | None = None,
    missing: MissingValues | None = None,
    on_prediction: Callable[[int, Hashable, Hashable | None, dict], None] | None = None,
) -> EvaluationResult:
    """Evaluate `model` test-then-train on `stream`, window by window.

    Each event goes, with its label, through the online core of replay and the service
    (`stream_imbal.online.ScoreThenLearn`): it is scored by the same rules (the missing-value
    policy, the warm-up, abstentions), then learnt, and its drifts are located the same way.

    Parameters
    ----------
    model
        A river classifier. When its `predict_one` is river's plain argmax it is not called: the
        argmax of `predict_proba_one` is taken instead, to pay for one prediction per event.
        Attributes it may expose are recorded at the end of each window: `priors` (label ->
        share), `prior_intervals` (label -> (low, high)), `threshold`, and at the end of the
        run `drift_events` (items with `index`, `kind` and `detector`; each with the number of
        the event whose learning raised it when the model counts them in `n_drift_events`).
    stream
        `(x, y)` or `(x, y, truth)` items; `truth` (or None) has the attributes
        `minority_share`, `concept` and `minority_label` when the stream knows them.
    window_size
        Events per tumbling window. A last partial window is kept if it holds at least half as
        many events, or if it is the only one (a run shorter than a window).
    minority_class
        The class scored as positive, when the truth does not name it. By default, the rarest
        class among the labels seen so far.
    progress
        Show the progress (`stream_imbal.progress`).
    total
        The stream's length, for the progress' total and ETA, when `len(stream)` cannot say.
    learnt
        Events per class the model learnt before this run (a model file), so that it scores
        from the first event if it knows two classes.
    missing
        The missing-value policy each event's features go through first
        (`stream_imbal.missing`): an event it skips is neither scored nor learnt, one it
        refuses under `error` raises `MissingValueError` naming the event (1-based). None:
        the features go to the model as they are.
    on_prediction
        Called with each event's number (from 1), label, decision (None before the model can
        score, or while it abstains) and probabilities, before the event is learnt.

    Returns
    -------
    The windows (`start` inclusive, `end` exclusive event indices), the drift events and a
    summary. Minority scores are one-vs-rest; G-mean, balanced accuracy and kappa are
    multi-class. A score is NaN where undefined (recall, G-mean and PR-AUC without a minority
    event, precision without a minority prediction). Every event before the model has learnt
    two classes (`can_score`) is learnt but not scored. After that, an event the model makes no
    prediction for (None, or no probabilities) is scored as `no_alarm`: river's evaluation
    skips such events, which would reward a model for abstaining on the hardest ones.
    `events_per_s` includes the cost of the stream itself.

    """
    if window_size < 1:
        raise ValueError(f"window_size must be >= 1, got {window_size}")
    stream = show_progress(stream, total or _length(stream), enabled=progress)
    scores = WindowedScores(window_size, minority_class, model, missing)
    # its scores are the windows': the core measures no last window, describes no prediction
    core = ScoreThenLearn(
        model,
        window=None,
        scores=scores,
        missing=missing,
        on_scored=_told(on_prediction),
        describe=False,
    )
    if learnt:
        core.resume(learnt, sum(learnt.values()))
    started = time.perf_counter()
    for n, item in enumerate(stream, 1):
        x, y, truth = _unpack(item, n - 1)
        # event n of a stream without ids nor times: its row is n (where its drifts are located)
        core.on_row(Event(None, math.nan, x, y, label_follows=False, row=n, truth=truth), "event")
    return scores.result(time.perf_counter() - started)


def _told(
    on_prediction: Callable[[int, Hashable, Hashable | None, dict], None] | None,
) -> Callable[[Event, Prediction, dict], None] | None:
    """The core's `on_scored` that tells `prequential`'s `on_prediction`."""
    if on_prediction is None:
        return None

    def on_scored(event: Event, prediction: Prediction, proba: dict) -> None:
        on_prediction(event.row, event.label, prediction.decision, proba)

    return on_scored


class WindowedScores:
    """The scores of `prequential`, fed one `(label, decision, probabilities)` item at a time.

    `prequential` predicts and learns each event at once; when labels come late, the decision
    and probabilities made when the event arrived are scored here once its label comes.

    Parameters
    ----------
    window_size
        Labelled events per tumbling window.
    minority_class
        The class scored as positive, when the truth does not name it. By default, the rarest
        class among the labels seen so far.
    model
        The model whose beliefs (`priors`, `prior_intervals`, `threshold`, `drift_events`) are
        recorded at the end of each window, if it exposes them.
    missing
        The missing-value policy of the run: its schema changes join the drift events, its
        counts the summary (`MissingValues.summary`).

    Examples
    --------
    >>> from stream_imbal.evaluate import WindowedScores
    >>> scores = WindowedScores(window_size=2, minority_class=True)
    >>> for y, y_pred, p in [(False, False, 0.1), (True, True, 0.8), (True, False, 0.4)]:
    ...     scores.update(y, y_pred, {True: p, False: 1 - p})
    >>> result = scores.result(seconds=1.0)
    >>> result.windows[["start", "end", "tp", "fn", "minority_recall"]]
       start  end  tp  fn  minority_recall
    0      0    2   1   0              1.0
    1      2    3   0   1              0.0
    >>> result.summary["n_events"], result.summary["minority_recall"]
    (3, 0.5)

    """

    def __init__(
        self,
        window_size: int = 1000,
        minority_class: Hashable | None = None,
        model: base.Classifier | None = None,
        missing: MissingValues | None = None,
    ):
        if window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}")
        self.window_size = window_size
        self.minority_class = minority_class
        self.model = model
        self.missing = missing
        self.n = 0
        self.class_counts: defaultdict[Hashable, int] = defaultdict(int)
        self._total = _Tally()
        self._window = _Window(0, window_size)
        self._rows: list[dict] = []
        self._truth = self._minority = None
        self._drift_rows: dict[object, tuple] = {}  # drift event -> (row, ts, id)

    def locate(
        self,
        drift_events: Iterable,
        row: int | None = None,
        ts: float | None = None,
        event_id: Hashable | None = None,
    ) -> None:
        """Say which event's learning raised `drift_events`: its data row, time and id."""
        for event in drift_events:
            self._drift_rows[event] = (row, ts, event_id)

    def update(
        self, y: Hashable, y_pred: Hashable | None, proba: dict, truth: object = None
    ) -> None:
        """Score the decision `y_pred` and the probabilities `proba` made for an event of
        class `y`; a None decision is counted but not scored, as in river."""
        self.n += 1
        self.class_counts[y] += 1
        self._truth = truth
        self._minority = minority = _minority(truth, self.minority_class, self.class_counts)
        window = self._window
        if y_pred is not None:
            self._total.update(y, y_pred, minority)
            window.update(y, y_pred, minority, proba.get(minority, 0.0))
        window.observe(truth)
        if self.n - window.start == self.window_size:
            self._rows.append(window.row(self.n, self.model, minority, truth))
            self._window = _Window(self.n, self.window_size)

    def result(self, seconds: float) -> EvaluationResult:
        """The windows, drift events and summary so far; `seconds` is the run's duration.

        A last partial window is kept if it holds at least half a window of events, or if it is
        the only one: a run shorter than a window still has its scores over time.
        """
        n, window, rows = self.n, self._window, list(self._rows)
        if 2 * (n - window.start) >= self.window_size or (not rows and n > window.start):
            rows.append(window.row(n, self.model, self._minority, self._truth))
        weights = sorted({key for row in rows for key in row if key.startswith(WEIGHT_PREFIX)})
        windows = pd.DataFrame(rows, columns=WINDOW_COLUMNS + weights)
        events = list(getattr(self.model, "drift_events", ()))
        if self.missing is not None:
            events = sorted(events + self.missing.drift_events, key=lambda e: e.index)
        unknown = (None, math.nan, math.nan)
        drift_events = pd.DataFrame(
            [(e.index, e.kind, e.detector, *self._drift_rows.get(e, unknown)) for e in events],
            columns=DRIFT_COLUMNS,
        )
        drift_events = drift_events.astype({"row": "Int64", "ts": float})
        summary = self._total.scores() | {
            "gmean_windowed": float(windows["gmean"].mean()),
            "pr_auc": float(windows["pr_auc"].mean()),
            "recall_at_budget": float(windows["recall_at_budget"].mean()),
            "n_events": n,
            "seconds": seconds,
            "events_per_s": n / seconds if seconds else math.nan,
        }
        if self.missing is not None:
            summary |= self.missing.summary()
        return EvaluationResult(windows, drift_events, summary, dict(self.class_counts))


class _Tally:
    """Confusion counts over a stretch of the stream, multi-class and minority-vs-rest."""

    def __init__(self):
        self.cm = metrics.ConfusionMatrix()
        # tn, fp, fn, tp, indexed by 2 * (y is minority) + (prediction is minority)
        self.ovr = [0, 0, 0, 0]

    def update(self, y: Hashable, y_pred: Hashable, minority: Hashable) -> None:
        self.cm.update(y, y_pred)
        self.ovr[2 * (y == minority) + (y_pred == minority)] += 1

    def scores(self) -> dict[str, float]:
        tn, fp, fn, tp = self.ovr
        has_minority = tp + fn > 0
        return {
            "gmean": float(metrics.GeometricMean(cm=self.cm).get()) if has_minority else math.nan,
            "minority_recall": _ratio(tp, tp + fn),
            "minority_precision": _ratio(tp, tp + fp),
            "alert_rate": _ratio(tp + fp, tn + fp + fn + tp),
            "false_positive_rate": _ratio(fp, fp + tn),
            "f1": _ratio(2 * tp, 2 * tp + fp + fn),
            "balanced_accuracy": metrics.BalancedAccuracy(cm=self.cm).get(),
            "kappa": metrics.CohenKappa(cm=self.cm).get(),
        }


class _Window(_Tally):
    """The scores of one tumbling window, and the truth seen during it."""

    def __init__(self, start: int, size: int):
        super().__init__()
        self.start = start
        self.pr_auc = metrics.RollingPRAUC(window_size=size)
        self.minority_scores: list[float] = []
        self.majority_scores: list[float] = []
        self.share_sum = 0.0
        self.share_n = 0

    def update(self, y, y_pred, minority, score: float) -> None:
        super().update(y, y_pred, minority)
        self.pr_auc.update(y == minority, score)
        (self.minority_scores if y == minority else self.majority_scores).append(score)

    def observe(self, truth: object) -> None:
        share = getattr(truth, "minority_share", None)
        if share is not None:
            self.share_sum += share
            self.share_n += 1

    def recall_at_budget(self, budget: float = ALERT_BUDGET) -> float:
        """The share of the window's minority events among its `budget` share of top scores
        (at least one event): the recall of a review team that works that many alerts. NaN
        without a minority event."""
        positives, negatives = self.minority_scores, self.majority_scores
        if not positives:
            return math.nan
        pos, scores = np.array(positives), np.array(positives + negatives)
        k = max(1, round(budget * len(scores)))
        cut = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th highest score
        # The events tied at the cut share the alerts left: a constant score earns no recall.
        tied, tied_positives = np.count_nonzero(scores == cut), np.count_nonzero(pos == cut)
        left = k - np.count_nonzero(scores > cut)
        found = np.count_nonzero(pos > cut) + left * tied_positives / tied
        return float(found / len(positives))

    def row(self, end: int, model: object, minority: Hashable, truth: object) -> dict:
        """The window's row, with what `model` believes about `minority` at its end."""
        tn, fp, fn, tp = self.ovr
        priors = getattr(model, "priors", None) or {}
        low, high = (getattr(model, "prior_intervals", None) or {}).get(minority, (math.nan,) * 2)
        return (
            self.scores()
            | {
                "start": self.start,
                "end": end,
                "n_minority": tp + fn,
                "kappa_m": KappaM(cm=self.cm).get(),
                "pr_auc": self.pr_auc.get() if tp + fn else math.nan,
                "recall_at_budget": self.recall_at_budget(),
                "prior_estimate": priors.get(minority, math.nan),
                "prior_low": low,
                "prior_high": high,
                "prior_true": _ratio(self.share_sum, self.share_n),
                "concept": _or_nan(getattr(truth, "concept", None)),
                "threshold": float(_or_nan(getattr(model, "threshold", None))),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
            }
            | {
                WEIGHT_PREFIX + name: weight
                for name, weight in (getattr(model, "candidate_weights", None) or {}).items()
            }
        )


def _unpack(item: object, index: int) -> tuple:
    """`(x, y, truth)` from a stream item, truth None when absent."""
    if isinstance(item, tuple) and len(item) in (2, 3):
        return item if len(item) == 3 else (*item, None)
    raise StreamImbalError(
        f"event {index}: expected an (x, y) or (x, y, truth) tuple, "
        f"got {type(item).__name__} {item!r:.80}"
    )


def _minority(truth: object, minority_class: Hashable | None, counts: dict) -> Hashable | None:
    """The class to score as positive: named by the truth, given, or the rarest seen so far."""
    label = getattr(truth, "minority_label", None)
    if label is not None:
        return label
    if minority_class is not None:
        return minority_class
    return min(counts, key=counts.__getitem__) if len(counts) > 1 else None


def _length(stream: Iterable) -> int | None:
    try:
        return len(stream)  # type: ignore[arg-type]
    except TypeError:
        return None


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _or_nan(value: object) -> object:
    return math.nan if value is None else value


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
