"""A second look at a concept-drift alarm, on events the detector has not seen."""

from __future__ import annotations

import math
from collections.abc import Hashable

from stream_imbal._drift import HitsFields

__all__ = ["ClassHits", "recall_drop_p"]


class ClassHits(HitsFields):
    """Events and hits of each class: the per-class recall of a run of predictions. `update`
    (compiled, `stream_imbal._drift.HitsFields`) counts an event of class `y_true` predicted
    `y_pred`.

    Examples
    --------
    >>> from stream_imbal.drift import ClassHits
    >>> hits = ClassHits()
    >>> for y, y_pred in [(True, True), (True, False), (False, False)]:
    ...     hits.update(y, y_pred)
    >>> hits.counts
    {True: [2, 1], False: [1, 1]}

    """

    def __init__(self):
        self.counts: dict[Hashable, list[int]] = {}  # label -> [events, hits]


def recall_drop_p(before: ClassHits, after: ClassHits) -> float:
    """How likely so large a recall drop from `before` to `after` is if recall did not move.

    A per-class drift detector run over a long stationary stream tests so many windows that it
    fires now and then on chance alone: its alarm is chosen on a window that looked bad. The
    events after the alarm had no part in that choice, so a second test on them alone is a fair
    one: a real concept drift keeps some class's recall down, a chance dip does not. For each
    class with events on both sides, Hoeffding's inequality bounds the probability of a drop
    of d or more between two means of n_before and n_after events by exp(-2 m d^2), m the
    harmonic mean halved, 1 / (1 / n_before + 1 / n_after) (the bound ADWIN cuts on). The
    smallest bound over the classes is returned: 1.0 when no class's recall dropped.

    Examples
    --------
    >>> from stream_imbal.drift import ClassHits, recall_drop_p
    >>> before, after = ClassHits(), ClassHits()
    >>> for i in range(5000):
    ...     before.update(False, i % 50 == 0)  # recall 0.98
    >>> for i in range(500):
    ...     after.update(False, i % 5 == 0)  # recall 0.8
    >>> f"{recall_drop_p(before, after):.1e}"  # exp(-2 * 454.5 * 0.18^2)
    '1.6e-13'
    >>> recall_drop_p(after, before)  # recall went up
    1.0

    """
    p = 1.0
    for label, (n_after, hits_after) in after.counts.items():
        n_before, hits_before = before.counts.get(label, (0, 0))
        if not n_before:
            continue
        drop = hits_before / n_before - hits_after / n_after
        if drop > 0:
            m = 1 / (1 / n_before + 1 / n_after)
            p = min(p, math.exp(-2 * m * drop * drop))
    return p
