"""Let a two-class river learner that expects booleans learn any two labels."""

from __future__ import annotations

from collections.abc import Hashable

from river import base

__all__ = ["BinaryLabels"]


class BinaryLabels(base.Wrapper, base.Classifier):
    """Map the first two labels seen to False / True for a boolean-only learner, and back.

    river's `LogisticRegression` treats any truthy label as the positive class, so labels such
    as "fraud" / "ok" or 0 / 1 / 2 must be encoded. The first label seen is False, the second
    True; a third label raises a `ValueError` (use a one-vs-rest wrapper for more classes).

    Parameters
    ----------
    classifier
        A river classifier trained on boolean labels.

    Examples
    --------
    >>> from river import linear_model
    >>> from stream_imbal.labels import BinaryLabels
    >>> model = BinaryLabels(linear_model.LogisticRegression())
    >>> for _ in range(50):
    ...     model.learn_one({"x": 1.0}, "fraud")
    ...     model.learn_one({"x": -1.0}, "ok")
    >>> model.predict_one({"x": 2.0})
    'fraud'
    >>> sorted(model.predict_proba_one({"x": 2.0}))
    ['fraud', 'ok']

    """

    def __init__(self, classifier: base.Classifier):
        self.classifier = classifier
        self._labels: list[Hashable] = []

    @property
    def _wrapped_model(self) -> base.Classifier:
        return self.classifier

    @property
    def _multiclass(self) -> bool:
        return False

    @property
    def labels(self) -> list[Hashable]:
        """The labels seen, the one encoded False first."""
        return self._labels

    def _unit_test_skips(self) -> set[str]:
        # That check wants {False, True} before any label is seen; this wrapper exists for
        # labels it cannot know in advance, so it answers only with labels it has seen.
        return {"check_predict_proba_one_binary"}

    @classmethod
    def _unit_test_params(cls):
        from river import linear_model

        yield {"classifier": linear_model.LogisticRegression()}

    def learn_one(self, x: dict, y: Hashable, **kwargs) -> None:
        labels = self._labels
        if y not in labels:
            if len(labels) == 2:
                raise ValueError(f"a third label {y!r} reached a two-class learner {labels}")
            labels.append(y)
        self.classifier.learn_one(x, len(labels) == 2 and y == labels[1], **kwargs)

    def predict_proba_one(self, x: dict, **kwargs) -> dict[Hashable, float]:
        labels = self._labels
        if len(labels) < 2:
            return {labels[0]: 1.0} if labels else {}
        p = self.classifier.predict_proba_one(x, **kwargs).get(True, 0.0)
        return {labels[0]: 1.0 - p, labels[1]: p}
