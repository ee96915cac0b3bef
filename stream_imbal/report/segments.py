"""Confusion counts per segment of a run, between the drifts the model detected."""

from __future__ import annotations

import bisect
import math

import numpy as np
import pandas as pd

__all__ = ["SEGMENT_COLUMNS", "segment_table"]

SEGMENT_COLUMNS = ["start", "end", "after", "tp", "fp", "fn", "tn", "recall", "precision", "gmean"]


def segment_table(windows: pd.DataFrame, drift_events: pd.DataFrame) -> pd.DataFrame:
    """Minority-vs-rest confusion counts and scores of each stretch between detected drifts.

    A window belongs to the segment in which it ends, i.e. after every drift detected before
    its `end`: detection lags a drift, so a window holding a detection is mostly past it.
    Segments that no window ends in (several detections within one window) are merged into the
    next one.

    Parameters
    ----------
    windows
        Window rows with `start`, `end`, `tp`, `fp`, `fn` and `tn`, ordered by `end`.
    drift_events
        Detected drifts with `index` and `kind`.

    Returns
    -------
    One row per segment: its events `[start, end)`, the drifts that opened it (`after`), the
    summed counts, and the minority recall, precision and G-mean (square root of minority
    recall times majority recall), NaN where undefined.

    Examples
    --------
    >>> import pandas as pd
    >>> from stream_imbal.report import segment_table

    >>> windows = pd.DataFrame({
    ...     "start": [0, 100, 200], "end": [100, 200, 300],
    ...     "tp": [4, 1, 5], "fp": [10, 2, 0], "fn": [1, 4, 0], "tn": [85, 93, 95],
    ... })
    >>> drifts = pd.DataFrame({"index": [130], "kind": ["concept"]})
    >>> segment_table(windows, drifts).round(3)
       start  end           after  tp  fp  fn   tn  recall  precision  gmean
    0      0  100                   4  10   1   85     0.8      0.286  0.846
    1    100  300  concept at 130   6   2   4  188     0.6      0.750  0.771

    """
    drifts = sorted(zip(drift_events["index"], drift_events["kind"], strict=True))
    indices = [index for index, _ in drifts]
    # how many drifts were detected before each window's end
    segments = np.array([bisect.bisect_left(indices, end) for end in windows["end"]], dtype=int)
    rows, opened = [], 0
    for k, group in windows.groupby(segments, sort=True):
        tp, fp, fn, tn = (int(group[column].sum()) for column in ("tp", "fp", "fn", "tn"))
        recall, specificity = _ratio(tp, tp + fn), _ratio(tn, tn + fp)
        after = "; ".join(f"{kind} at {index:,.0f}" for index, kind in drifts[opened:k])
        rows.append(
            {
                "start": int(group["start"].iloc[0]),
                "end": int(group["end"].iloc[-1]),
                "after": after,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                "recall": recall,
                "precision": _ratio(tp, tp + fp),
                "gmean": math.sqrt(recall * specificity),
            }
        )
        opened = k
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan
