"""A background learner that takes over only once it has proved better than the active one."""

from __future__ import annotations

from collections.abc import Hashable

from river import base

__all__ = ["Challenger"]


class Challenger:
    """A background learner on trial against the active learner, scored on mean class recall.

    Both learners predict every event before learning it; `record` counts each one's hits per
    class. Mean recall over the classes is what G-mean rewards, and it is not swamped by the
    majority as accuracy is. A drift detector's false alarm then costs some computation, never
    a good model: the challenger replaces the active learner only if it scores at least as well.

    Parameters
    ----------
    learner
        The fresh learner, trained from the warning (or the drift) on.
    trial_end
        Event index at which the trial is decided; None while only a warning is up.

    Examples
    --------
    >>> from river import dummy
    >>> from stream_imbal.drift import Challenger
    >>> challenger = Challenger(dummy.NoChangeClassifier(), trial_end=4)
    >>> for y, active, challenging in [(True, False, True), (False, False, False),
    ...                                (False, False, True), (False, False, False)]:
    ...     challenger.record(y, active, challenging)
    >>> challenger.mean_recalls()  # (active, challenger): (0 + 1) / 2 and (1 + 2/3) / 2
    (0.5, 0.833...)
    >>> challenger.wins()
    True

    """

    def __init__(self, learner: base.Classifier, trial_end: int | None = None):
        self.learner = learner
        self.trial_end = trial_end
        self._counts: dict[Hashable, list[int]] = {}  # label -> [events, active hits, hits]

    def record(self, y: Hashable, active_pred: Hashable, challenger_pred: Hashable) -> None:
        counts = self._counts.get(y)
        if counts is None:
            counts = self._counts[y] = [0, 0, 0]
        counts[0] += 1
        counts[1] += active_pred == y
        counts[2] += challenger_pred == y

    def mean_recalls(self) -> tuple[float, float]:
        """Mean per-class recall of the active learner and of the challenger during the trial."""
        if not self._counts:
            return 0.0, 0.0
        n = len(self._counts)
        active = sum(c[1] / c[0] for c in self._counts.values()) / n
        challenger = sum(c[2] / c[0] for c in self._counts.values()) / n
        return active, challenger

    def wins(self) -> bool:
        active, challenger = self.mean_recalls()
        return challenger >= active
