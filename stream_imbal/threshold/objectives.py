"""Objectives a decision threshold can be chosen for, evaluated at every cut of a sorted window."""

from __future__ import annotations

import numpy as np

__all__ = ["OBJECTIVES", "scores_at_cuts"]

OBJECTIVES = ("gmean", "fbeta", "balanced_accuracy", "cost")


def scores_at_cuts(
    tp: np.ndarray,
    fp: np.ndarray,
    n_pos: int,
    n_neg: int,
    objective: str,
    beta: float = 1.0,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
) -> np.ndarray:
    """Value of `objective` (higher is better) for each cut given cumulative TP and FP counts.

    >>> import numpy as np
    >>> tp, fp = np.array([1, 2, 2]), np.array([0, 0, 1])
    >>> scores_at_cuts(tp, fp, n_pos=2, n_neg=1, objective="gmean").round(2).tolist()
    [0.71, 1.0, 0.0]

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
    raise ValueError(f"unknown objective {objective!r}; expected one of {OBJECTIVES}")
