"""Objectives a decision threshold can be chosen for, evaluated at every cut of a sorted window.

Two kinds. Trade-offs (`gmean`, `balanced_accuracy`, `fbeta`, `cost`) are maximised. Targets
(`precision`, `recall`) hold a floor and, among the cuts that reach it, take the best of the
other side: the most recall at `min_precision`, or the fewest false alarms at `min_recall`; a
cut short of its floor scores below every cut that reaches it, the closer the higher. The
precision is read as its 95% lower confidence bound (Wilson): a cut that flags two positives
and no negative has not shown a precision of 1. Flagging nothing meets any precision floor (it
raises no false alarm), so a precision out of reach flags nothing; a recall out of reach flags
the most. `alert_rate`, a budget on the share of events flagged, is a quantile rather than an
objective: `ThresholdCalibrator` sets it directly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OBJECTIVES", "scores_at_cuts"]

OBJECTIVES = ("gmean", "alert_rate", "precision", "recall", "cost", "fbeta", "balanced_accuracy")


def scores_at_cuts(
    tp: np.ndarray,
    fp: np.ndarray,
    n_pos: float,
    n_neg: float,
    objective: str,
    beta: float = 1.0,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
    min_precision: float = 0.5,
    min_recall: float = 0.8,
) -> np.ndarray:
    """Value of `objective` (higher is better) for each cut given cumulative TP and FP counts.

    >>> import numpy as np
    >>> tp, fp = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 3])
    >>> scores_at_cuts(tp, fp, n_pos=2, n_neg=3, objective="gmean").round(2).tolist()
    [0.0, 0.71, 0.82, 0.0]
    >>> tp, fp = np.array([0, 10, 50]), np.array([0, 2, 20])  # 50 of 60 positives at 70%
    >>> scores_at_cuts(tp, fp, 60, 1000, "precision", min_precision=0.6).round(3).tolist()
    [0.0, 0.167, 0.833]
    >>> tp, fp = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 3])
    >>> scores_at_cuts(tp, fp, 2, 3, "recall", min_recall=1.0).round(2).tolist()
    [-2.0, -1.5, 0.67, 0.0]

    """
    tpr = tp / n_pos
    tnr = 1.0 - fp / n_neg
    if objective == "gmean":
        return np.sqrt(tpr * tnr)
    if objective == "balanced_accuracy":
        return (tpr + tnr) / 2
    if objective == "fbeta":
        b2 = beta * beta
        return (1 + b2) * tp / np.maximum((1 + b2) * tp + b2 * (n_pos - tp) + fp, 1e-12)
    if objective == "cost":
        return -(cost_fp * fp + cost_fn * (n_pos - tp)) / (n_pos + n_neg)
    if objective == "precision":
        precision = _precision_lower_bound(tp, fp, min_precision)
        return np.where(precision >= min_precision, tpr, precision - min_precision - 1.0)
    if objective == "recall":
        return np.where(tpr >= min_recall, tnr, tpr - min_recall - 1.0)
    raise ValueError(f"{objective!r} has no value per cut; expected one of {OBJECTIVES}")


def _precision_lower_bound(tp: np.ndarray, fp: np.ndarray, empty: float) -> np.ndarray:
    """The one-sided 95% Wilson lower bound of tp / (tp + fp); `empty` where nothing is flagged."""
    n = tp + fp
    safe = np.maximum(n, 1e-12)
    p = tp / safe
    z2 = _Z * _Z
    centre = p + z2 / (2 * safe)
    margin = _Z * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe))
    return np.where(n > 0, (centre - margin) / (1 + z2 / safe), empty)


_Z = 1.645  # one-sided 95%
