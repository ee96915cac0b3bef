from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import pytest
from river import dummy, linear_model

from stream_imbal.evaluate import WINDOW_COLUMNS, EvaluationResult, prequential
from stream_imbal.exceptions import StreamImbalError
from tests.streams import gaussian_classes


class _Truth(NamedTuple):
    minority_share: float
    concept: str
    minority_label: object


class _Drift(NamedTuple):
    index: int
    kind: str
    detector: str


class _Introspected(dummy.PriorClassifier):
    """A classifier exposing what `prequential` records about a model."""

    threshold = 0.3
    prior_intervals = {True: (0.05, 0.25)}
    drift_events = (_Drift(150, "prior", "adwin"),)

    @property
    def priors(self):
        return {c: k / self.n for c, k in self.counts.items()}


class _PredictingLogReg(linear_model.LogisticRegression):
    """Overrides `predict_one`, so that `prequential` calls it instead of taking the argmax."""

    def predict_one(self, x, **kwargs):
        return super().predict_one(x, **kwargs)


class _KnowsUnlessHard(dummy.PriorClassifier):
    """Right about every event but the "hard" ones, for which it says nothing (no
    probabilities), as MOA's learners do when all their votes are zero."""

    def predict_proba_one(self, x):
        if x["hard"]:
            return {}
        return {True: x["label"], False: 1.0 - x["label"]}


def _stream(n, seed, share=0.1):
    return gaussian_classes(n, seed, share, {"x": 1.5})


def _with_truth(n, seed):
    """Concept 'A' at 10% minority, then 'B' at 30%; the minority is True."""
    for i, (x, y) in enumerate(_stream(n, seed)):
        share = 0.1 if i < n // 2 else 0.3
        yield x, y, _Truth(share, "A" if i < n // 2 else "B", True)


@pytest.mark.parametrize(("n", "n_windows"), [(1000, 5), (1099, 5), (1100, 6), (99, 1)])
def test_windows_count_and_bounds(n, n_windows):
    result = prequential(linear_model.LogisticRegression(), _stream(n, 1), window_size=200)
    windows = result.windows
    assert list(windows.columns) == WINDOW_COLUMNS
    assert len(windows) == n_windows
    assert list(windows["start"]) == [200 * i for i in range(n_windows)]
    assert list(windows["end"]) == [min(200 * (i + 1), n) for i in range(n_windows)]
    assert result.summary["n_events"] == n
    assert result.summary["events_per_s"] > 0


def test_scores_by_hand_multiclass():
    # NoChangeClassifier predicts the previous label; nothing is scored before two classes
    # have been learnt (`can_score`): not the first three events.
    labels = ["a", "a", "b", "c", "a", "a", "c", "c", "b", "b"]
    stream = [({"x": 0.0}, y) for y in labels]
    result = prequential(dummy.NoChangeClassifier(), stream, window_size=5, minority_class="c")
    first, second = result.windows.to_dict("records")
    # window 0 scores (c,b) (a,c); window 1 (a,a) (c,a) (c,c) (b,c) (b,b)
    assert (first["tp"], first["fp"], first["fn"], first["tn"]) == (0, 1, 1, 0)
    assert (second["tp"], second["fp"], second["fn"], second["tn"]) == (1, 1, 1, 2)
    assert first["minority_recall"] == first["minority_precision"] == first["f1"] == 0.0
    assert first["gmean"] == 0.0
    assert first["balanced_accuracy"] == 0.0
    assert first["kappa"] == pytest.approx((0 - 1 / 4) / (1 - 1 / 4))
    assert first["kappa_m"] == pytest.approx((0 - 1 / 2) / (1 - 1 / 2))
    assert second["n_minority"] == 2
    assert second["minority_recall"] == second["minority_precision"] == second["f1"] == 0.5
    assert second["gmean"] == pytest.approx((1 * 0.5 * 0.5) ** (1 / 3))
    assert second["balanced_accuracy"] == pytest.approx(2 / 3)
    assert second["kappa"] == pytest.approx((3 / 5 - 8 / 25) / (1 - 8 / 25))
    assert second["kappa_m"] == pytest.approx((3 / 5 - 2 / 5) / (1 - 2 / 5))
    assert result.summary["minority_recall"] == pytest.approx(1 / 3)
    assert result.summary["minority_precision"] == pytest.approx(1 / 3)


def test_window_without_minority_gives_nan():
    stream = [({"x": 0.0}, False)] * 100 + list(_stream(100, 2, share=0.5))
    windows = prequential(dummy.PriorClassifier(), stream, 100, minority_class=True).windows
    empty, mixed = windows.to_dict("records")
    assert empty["n_minority"] == empty["tp"] == empty["fn"] == 0
    for column in ("gmean", "minority_recall", "minority_precision", "f1", "kappa_m", "pr_auc"):
        assert math.isnan(empty[column]), column
    assert mixed["n_minority"] > 0
    assert 0.0 <= mixed["pr_auc"] <= 1.0


def test_minority_defaults_to_the_rarest_label_seen():
    stream = list(_stream(600, 3, share=0.2))
    windows = prequential(linear_model.LogisticRegression(), stream, window_size=200).windows
    # every minority event is scored but the first, predicted before two classes were learnt
    assert windows["n_minority"].sum() == sum(y for _, y in stream) - 1


def test_truth_fills_its_columns_and_names_the_minority():
    result = prequential(
        linear_model.LogisticRegression(), _with_truth(600, 4), 200, minority_class=False
    )
    windows = result.windows
    assert windows["prior_true"].tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert windows["concept"].tolist() == ["A", "B", "B"]
    n_true = sum(y for _, y, _ in _with_truth(600, 4))
    # the truth's label wins over the argument (its first event comes before two classes)
    assert windows["n_minority"].sum() == n_true - 1


def test_model_introspection_and_drift_events():
    stream = list(_stream(400, 5, share=0.2))
    result = prequential(_Introspected(), stream, window_size=200)
    windows = result.windows
    share_at_end = [sum(y for _, y in stream[:end]) / end for end in (200, 400)]
    assert windows["prior_estimate"].tolist() == pytest.approx(share_at_end)
    assert windows["prior_low"].tolist() == [0.05, 0.05]
    assert windows["prior_high"].tolist() == [0.25, 0.25]
    assert windows["threshold"].tolist() == [0.3, 0.3]
    assert result.drift_events[["index", "kind", "detector"]].to_dict("records") == [
        {"index": 150, "kind": "prior", "detector": "adwin"}
    ]
    # a model that does not count its drifts (`n_drift_events`) does not say where they were
    assert result.drift_events[["row", "ts", "id"]].isna().all().all()
    plain = prequential(dummy.PriorClassifier(), stream, window_size=200)
    assert plain.windows[["prior_estimate", "prior_low", "threshold"]].isna().all().all()
    assert plain.drift_events.empty
    assert list(plain.drift_events.columns) == ["index", "kind", "detector", "row", "ts", "id"]


@pytest.mark.parametrize("model", [_Introspected(), linear_model.LogisticRegression()])
def test_csv_round_trip(tmp_path, model):
    stream = _with_truth(500, 6) if isinstance(model, _Introspected) else _stream(500, 6)
    result = prequential(model, stream, window_size=200)
    loaded = EvaluationResult.from_csv(result.to_csv(tmp_path / "run"))
    pd.testing.assert_frame_equal(loaded.windows, result.windows, check_dtype=False)
    pd.testing.assert_frame_equal(loaded.drift_events, result.drift_events, check_dtype=False)
    assert pd.Series(loaded.summary).equals(pd.Series(result.summary))


def test_argmax_shortcut_decides_like_predict_one():
    shortcut = prequential(linear_model.LogisticRegression(), _stream(800, 7), 200)
    predicted = prequential(_PredictingLogReg(), _stream(800, 7), 200)
    pd.testing.assert_frame_equal(shortcut.windows, predicted.windows)
    assert shortcut.windows["tp"].sum() > 0


@pytest.mark.parametrize("bad", [{"x": 1.0}, ({"x": 1.0}, True, None, None), [{"x": 1.0}, True]])
def test_bad_item_names_its_index(bad):
    stream = [({"x": 1.0}, False), ({"x": 2.0}, True), bad]
    with pytest.raises(StreamImbalError, match="event 2"):
        prequential(linear_model.LogisticRegression(), stream)


def test_bad_window_size():
    with pytest.raises(ValueError, match="window_size"):
        prequential(linear_model.LogisticRegression(), [], window_size=0)


def test_progress_bar(capsys):
    prequential(dummy.PriorClassifier(), list(_stream(300, 8)), 100, progress=True)
    assert "300/300" in capsys.readouterr().err


def test_an_abstention_after_two_classes_is_scored_as_no_alarm():
    # every other event is hard; skipping the hard ones (river's rule) would score a recall of 1
    labels = [False] * 10 + [True, True, False, False, False] * 38  # 200 events, 76 True
    stream = [({"label": float(y), "hard": i % 2 == 1}, y) for i, y in enumerate(labels)]
    result = prequential(_KnowsUnlessHard(), stream, window_size=100, minority_class=True)
    windows = result.windows
    # the first True comes before two classes were learnt; of the other 75, 38 are hard
    assert windows["n_minority"].sum() == 75
    assert (windows["tp"].sum(), windows["fn"].sum(), windows["fp"].sum()) == (37, 38, 0)
    assert result.summary["minority_recall"] == pytest.approx(37 / 75)
    assert (windows["pr_auc"] < 1.0).all()  # a hard minority event's score is 0
