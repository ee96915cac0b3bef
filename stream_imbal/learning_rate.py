"""A learning rate that starts large and settles: fast on short streams, steady on long ones."""

from __future__ import annotations

import math

from river import optim

__all__ = ["FastStartRate"]


class FastStartRate(optim.base.Scheduler):
    """Learning rate `max(floor, start / sqrt(1 + t / scale))` at optimiser step t.

    A constant rate has to choose: river's 0.01 is right for a stream of tens of thousands of
    events but leaves a model half-trained after the few dozen rare-class events of a table
    of 2,000 rows; 0.05 learns such a table well but adds noise for good on a long stream. This
    rate decays from `start` like 1 / sqrt(t) (the classic stochastic-approximation rate) and
    stops at `floor`, so the model keeps following drift. A learner created after a drift (a
    challenger) starts its own schedule, so it too learns fast at first. With the defaults
    the rate reaches the floor after 9,900 steps.

    Parameters
    ----------
    start
        Rate of the first step.
    floor
        Smallest rate, held from the step where the decay reaches it.
    scale
        Steps over which the rate falls by a factor of about sqrt(2) at first.

    Examples
    --------
    >>> from river import linear_model, optim
    >>> from stream_imbal.learning_rate import FastStartRate
    >>> rate = FastStartRate()
    >>> [round(rate.get(t), 3) for t in (0, 100, 900, 9_900, 100_000)]
    [0.1, 0.071, 0.032, 0.01, 0.01]
    >>> fast = linear_model.LogisticRegression(optimizer=optim.SGD(FastStartRate()))
    >>> steady = linear_model.LogisticRegression(optimizer=optim.SGD(0.01))
    >>> for model in (fast, steady):
    ...     for _ in range(50):
    ...         model.learn_one({"x": 1.0}, True)
    ...         model.learn_one({"x": -1.0}, False)
    >>> [round(model.predict_proba_one({"x": 1.0})[True], 2) for model in (fast, steady)]
    [0.88, 0.61]

    """

    def __init__(self, start: float = 0.1, floor: float = 0.01, scale: float = 100.0):
        if not 0 < floor <= start:
            raise ValueError(f"need 0 < floor <= start, got floor={floor}, start={start}")
        if scale <= 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        self.start = start
        self.floor = floor
        self.scale = scale

    def get(self, t: int) -> float:
        return max(self.floor, self.start / math.sqrt(1.0 + t / self.scale))
