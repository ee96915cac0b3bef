"""A clipped standardisation and a logistic regression, river's, stepped in compiled code."""

from __future__ import annotations

from collections.abc import Hashable

from river import base, compose, linear_model

from stream_imbal import _logistic
from stream_imbal.preprocessing import ClippedStandardScaler

__all__ = ["ScaledLogisticRegression"]


class ScaledLogisticRegression(compose.Pipeline):
    """river's pipeline `ClippedStandardScaler() | LogisticRegression(...)`, whose per-event
    work runs compiled.

    A linear model learns every event it is given, several times for a rebalanced rare event,
    and river's pipeline spends most of each step routing the event and building the
    gradient's dictionaries. Here, for a logistic regression as river configures it by default
    (SGD with any learning-rate schedule, the log loss, no penalty, weights starting at 0) and
    boolean labels, the scaling and the step run in `stream_imbal._logistic` on the model's own
    state (weights, intercept, optimizer), with river's arithmetic in river's order: the weights
    and probabilities are river's to the last bit, and the pipeline pickles, clones and reads as
    river's. Any other configuration, label type or extra argument takes river's own path.

    Parameters
    ----------
    scaler
        The standardisation (a `ClippedStandardScaler`).
    model
        The logistic regression.

    Examples
    --------
    >>> import random
    >>> from river import linear_model, optim
    >>> from stream_imbal.preprocessing import ClippedStandardScaler
    >>> from stream_imbal.scaled_logistic import ScaledLogisticRegression
    >>> rng = random.Random(0)
    >>> def model():
    ...     return ClippedStandardScaler(), linear_model.LogisticRegression(optim.SGD(0.05))
    >>> compiled, river_own = ScaledLogisticRegression(*model()), compose.Pipeline(*model())
    >>> for _ in range(2_000):
    ...     x = {"a": rng.gauss(0, 1), "b": rng.gauss(3, 2)}
    ...     y, w = x["a"] + rng.gauss(0, 0.5) > 0, rng.choice([0.5, 1.0, 4.0])
    ...     for pipeline in (compiled, river_own):
    ...         pipeline.learn_one(x, y, w=w)
    >>> compiled.predict_proba_one(x) == river_own.predict_proba_one(x)
    True
    >>> compiled["LogisticRegression"].weights == river_own["LogisticRegression"].weights
    True
    """

    def __init__(
        self,
        scaler: ClippedStandardScaler | None = None,
        model: linear_model.LogisticRegression | None = None,
    ):
        self.scaler = scaler if scaler is not None else ClippedStandardScaler()
        self.model = model if model is not None else linear_model.LogisticRegression()
        super().__init__(self.scaler, self.model)

    # Its parameters are its two steps, as for any river estimator (not a pipeline's step names).
    _get_params = base.Base._get_params
    clone = base.Base.clone

    @classmethod
    def _unit_test_params(cls):
        yield {}

    def learn_one(self, x: dict, y: Hashable = None, **params) -> None:
        other_params = len(params) > ("w" in params)
        if other_params:
            super().learn_one(x, y, **params)
            return
        self.learn_repeated(x, y, params.get("w", 1.0), 1)

    def learn_repeated(self, x: dict, y: Hashable, w: float, times: int) -> None:
        """`learn_one(x, y, w=w)` `times` times in a row (as `SmallSteps` learns a heavy event),
        compiled in one call when the pair runs compiled."""
        scaler, model = self.scaler, self.model
        if y.__class__ is not bool or not _logistic.runs_compiled(scaler, model):
            for _ in range(times):
                super().learn_one(x, y, w=w)
            return
        _logistic.learn_steps(scaler, model, x, y, w, times)

    def predict_proba_one(self, x: dict, **params) -> dict[Hashable, float]:
        scaler, model = self.scaler, self.model
        if params or not _logistic.runs_compiled(scaler, model):
            return super().predict_proba_one(x, **params)
        p = _logistic.scaled_proba_true(scaler, model, x)
        return {False: 1.0 - p, True: p}
