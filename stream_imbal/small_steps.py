"""Learn a heavy event as several light steps."""

from __future__ import annotations

from river import base

from stream_imbal._balancing import StepsFields

__all__ = ["SmallSteps"]


class SmallSteps(StepsFields, base.Wrapper, base.Classifier):
    """Learn an event of weight w as k = ceil(w / `max_weight`) steps of weight w / k (at most
    `max_steps` of them).

    Rebalancing gives a rare class's events large weights (50 at 1:100). A gradient learner
    takes a weight as a longer step: one event of weight 50 moves a logistic regression as far as
    50 events would, from where it stands, and overshoots: after the first minority events of a
    stream it scores many majority events above its threshold, for hundreds of events, until
    the majority's events pull it back. k light steps, each from the updated model, shrink as the
    model comes to fit the event, as over-sampling's copies do. Events of weight up to
    `max_weight` are learned as they are.

    Parameters
    ----------
    model
        The river classifier to train (it must take a sample weight, `learn_one(x, y, w=)`).
    max_weight
        Largest weight of one step, unless that would take more than `max_steps`.
    max_steps
        Most steps for one event, so that a huge weight (explicit costs, a large clip of the
        class weights) cannot stall the stream.

    Examples
    --------
    200 majority events, then one minority event of weight 50: how many of 1,000 new majority
    events does each model then call minority?

    >>> import random
    >>> from river import linear_model, optim
    >>> from stream_imbal.small_steps import SmallSteps
    >>> rng = random.Random(0)
    >>> one = linear_model.LogisticRegression(optim.SGD(0.1))
    >>> steps = SmallSteps(linear_model.LogisticRegression(optim.SGD(0.1)))
    >>> for _ in range(200):
    ...     x = {"a": rng.gauss(0, 1), "b": rng.gauss(0, 1)}
    ...     for model in (one, steps):
    ...         model.learn_one(x, False)
    >>> for model in (one, steps):
    ...     model.learn_one({"a": 2.0, "b": 2.0}, True, w=50.0)
    >>> probe = [{"a": rng.gauss(0, 1), "b": rng.gauss(0, 1)} for _ in range(1000)]
    >>> [sum(model.predict_one(x) for x in probe) for model in (one, steps)]
    [473, 307]

    """

    def __init__(self, model: base.Classifier, max_weight: float = 1.0, max_steps: int = 100):
        if not max_weight > 0:
            raise ValueError(f"max_weight must be > 0, got {max_weight}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.model = model
        self.max_weight = max_weight
        self.max_steps = max_steps

    @classmethod
    def _unit_test_params(cls):
        from river import linear_model

        yield {"model": linear_model.LogisticRegression()}

    @property
    def _wrapped_model(self) -> base.Classifier:
        return self.model

    @property
    def _multiclass(self) -> bool:  # type: ignore[override]
        return self.model._multiclass
