"""MOA's learners as river classifiers, through CapyMOA (the `stream-imbal[bench]` extra).

CapyMOA runs MOA in a Java virtual machine that starts when `capymoa` is first imported, in the
importing process, and stays there. The benchmark therefore imports it only inside its worker
processes, never in the process that starts them; `moa_missing` tells whether it can work here
without importing it.

"""

from __future__ import annotations

import importlib.util
import math
import os
import pathlib
import shutil
from collections.abc import Hashable, Sequence

from river import base

__all__ = ["MOAClassifier", "moa_class", "moa_command", "moa_missing", "votes_to_proba"]

_IMBALANCED = "moa.classifiers.meta.imbalanced"


def moa_missing() -> str | None:
    """What is missing for MOA's learners to run here, or None when nothing is.

    Looks for the `capymoa` package and for Java (`JAVA_HOME`, else `java` on the PATH), without
    starting the Java virtual machine.

    Examples
    --------
    >>> from benchmarks.harness.moa import moa_missing
    >>> moa_missing() is None or "need" in moa_missing()
    True

    """
    if not _installed("capymoa"):
        return "MOA's learners need CapyMOA: pip install 'stream-imbal[bench]'"
    java_home = os.environ.get("JAVA_HOME")
    if java_home and not pathlib.Path(_java()).is_file():
        return f"MOA's learners need Java: JAVA_HOME={java_home} holds no bin/java"
    if not java_home and shutil.which("java") is None:
        return "MOA's learners need Java (11 or later): install a JDK or set JAVA_HOME"
    return None


def _java() -> str:
    """The Java program: `JAVA_HOME`'s, else `java` on the PATH."""
    java_home = os.environ.get("JAVA_HOME")
    return str(pathlib.Path(java_home) / "bin" / "java") if java_home else "java"


def moa_class(learner: str) -> str:
    """The full Java name of a MOA learner named as `MOAClassifier` takes it.

    >>> from benchmarks.harness.moa import moa_class
    >>> moa_class("OnlineAdaC2"), moa_class("moa.classifiers.trees.HoeffdingTree")
    ('moa.classifiers.meta.imbalanced.OnlineAdaC2', 'moa.classifiers.trees.HoeffdingTree')
    """
    return learner if "." in learner else f"{_IMBALANCED}.{learner}"


def moa_command() -> list[str]:
    """The command that starts MOA's own Java program (`moa.DoTask`): the Java found as
    `moa_missing` looks for it, with MOA's jar from CapyMOA (without importing CapyMOA)."""
    package = importlib.util.find_spec("capymoa").submodule_search_locations[0]
    return [_java(), "-cp", str(pathlib.Path(package) / "jar" / "moa.jar"), "moa.DoTask"]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


class MOAClassifier(base.Classifier):
    """A MOA classifier, test-then-train on river's `(x, y)` events.

    The MOA learner is built on the first event: its schema lists that event's features, in
    order, followed by a nominal class attribute whose values are `labels`. Later events are
    read in the same feature order (a missing feature is MOA's missing value). Each
    `predict_proba_one` asks MOA for its votes and turns them into probabilities with
    `votes_to_proba`; MOA has no prediction before it has learnt (no votes), which gives an
    empty dict, as river's classifiers do.

    Parameters
    ----------
    learner
        A MOA classifier class: its full Java name, or its name in
        `moa.classifiers.meta.imbalanced` (`OnlineUnderOverBagging`, `CSMOTE`,
        `OnlineSMOTEBagging`, `OnlineRUSBoost`, `OnlineAdaC2`, ...).
    options
        MOA's command-line options for it, e.g. `"-l trees.HoeffdingTree -s 10"`.
    labels
        The classes, in MOA's class-index order. A label outside them raises `ValueError`.
    seed
        MOA's random seed.

    Examples
    --------
    Not run by the doctests, which do not start a Java virtual machine:

    >>> from benchmarks.harness.moa import MOAClassifier
    >>> model = MOAClassifier("OnlineUnderOverBagging", "-l trees.HoeffdingTree -s 10")
    >>> model.predict_proba_one({"a": 1.0, "b": 0.0})  # doctest: +SKIP
    {}
    >>> model.learn_one({"a": 1.0, "b": 0.0}, True)  # doctest: +SKIP
    >>> model.learn_one({"a": 0.0, "b": 1.0}, False)  # doctest: +SKIP
    >>> model.predict_proba_one({"a": 1.0, "b": 0.0})  # doctest: +SKIP
    {False: 0.0, True: 1.0}

    """

    def __init__(
        self,
        learner: str,
        options: str = "",
        labels: Sequence[Hashable] = (False, True),
        seed: int = 1,
    ):
        self.learner = learner
        self.options = options
        self.labels = labels
        self.seed = seed
        self._index = {label: i for i, label in enumerate(labels)}
        self._features: list[Hashable] | None = None
        self._model = None  # a capymoa MOAClassifier, built on the first event
        self._schema = None

    @property
    def _multiclass(self) -> bool:
        return len(self.labels) > 2

    @classmethod
    def _unit_test_params(cls):
        yield {"learner": "OnlineUnderOverBagging", "options": "-l trees.HoeffdingTree -s 3"}

    def learn_one(self, x: dict, y: Hashable) -> None:
        if y not in self._index:
            raise ValueError(f"label {y!r} is not one of the labels {list(self.labels)}")
        from capymoa.core import LabeledInstance

        self._ensure_model(x)
        self._model.train(LabeledInstance.from_array(self._schema, self._vector(x), self._index[y]))

    def predict_proba_one(self, x: dict) -> dict[Hashable, float]:
        from capymoa.core import Instance

        self._ensure_model(x)
        instance = Instance.from_array(self._schema, self._vector(x))
        votes = self._model.moa_learner.getVotesForInstance(instance.java_instance)
        proba = votes_to_proba([float(v) for v in votes], len(self.labels))
        return dict(zip(self.labels, proba, strict=True)) if proba else {}

    def _vector(self, x: dict):
        import numpy as np

        return np.array([x.get(name, np.nan) for name in self._features], dtype=float)

    def _ensure_model(self, x: dict) -> None:
        if self._model is not None:
            return
        import jpype
        from capymoa.base import MOAClassifier as CapyMOAClassifier
        from capymoa.stream import Schema

        self._features = list(x)
        names = [str(name) for name in self._features]
        target = _unused_name("class", names)
        self._schema = Schema.from_custom(
            [*names, target],
            target=target,
            categories={target: [str(label) for label in self.labels]},
            name="stream-imbal",
        )
        self._model = CapyMOAClassifier(
            jpype.JClass(moa_class(self.learner)),
            schema=self._schema,
            CLI=self.options or None,
            random_seed=self.seed,
        )


def votes_to_proba(votes: Sequence[float], n_classes: int) -> list[float]:
    """MOA's votes for each class index as probabilities, or `[]` when there is no prediction.

    MOA sizes the votes by the classes seen so far (padded here with zeros) and does not
    normalise them. Non-negative votes are normalised, as MOA's own `DoubleVector.normalize`
    does; boosting (e.g. OnlineRUSBoost) can give negative votes, which go through a softmax
    instead. Both keep MOA's decision, the index of the largest vote. No votes, non-finite
    ones or all zeros are no prediction.

    >>> from benchmarks.harness.moa import votes_to_proba
    >>> votes_to_proba([3.0, 1.0], 2), votes_to_proba([2.0], 2), votes_to_proba([0.0, 0.0], 2)
    ([0.75, 0.25], [1.0, 0.0], [])
    >>> [round(p, 3) for p in votes_to_proba([-1.0, -3.0], 2)]
    [0.881, 0.119]

    """
    votes = [*votes[:n_classes], *[0.0] * (n_classes - len(votes))]
    if not votes or not all(math.isfinite(v) for v in votes) or not any(votes):
        return []
    if min(votes) >= 0:
        total = sum(votes)
        return [v / total for v in votes]
    top = max(votes)
    exp = [math.exp(v - top) for v in votes]
    return [e / sum(exp) for e in exp]


def _unused_name(name: str, taken: Sequence[str]) -> str:
    """`name`, with underscores prepended until it is not in `taken`."""
    while name in taken:
        name = f"_{name}"
    return name
