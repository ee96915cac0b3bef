"""The research benchmarks' strategies beyond this library's and river's, added to
`stream_imbal.bench.STRATEGIES` on import. Families:

- `moa`: MOA's AdaptiveRandomForest (10 trees, its other options at MOA's defaults) and its
  imbalance learners (`moa.classifiers.meta.imbalanced`) on Hoeffding trees (ensembles of 10),
  through CapyMOA (see `benchmarks.harness.moa`). MOA's imbalance learners at their own
  defaults are left out: their default base learner is `meta.AdaptiveRandomForest` at its
  default 100 trees (10 x 100 trees for the ensembles). Measured on a 5,000-event RandomRBF
  stream at 1:100 (2026-11, 2 loaded cores): OnlineRUSBoost took 40 s of CPU (34 events/s,
  i.e. ~10 min for 20k events); OnlineSMOTEBagging did not finish in 200 s; OnlineUnderOverBagging,
  CSMOTE and OnlineAdaC2 ended with the Java VM stopped (`JVMNotRunning`) before finishing.
  None finishes 20k events in 60 s (MOA's ARF with 10 trees alone made ~830 events/s of CPU
  there);
- `batch`: what many teams run instead of online learning, a scikit-learn model refit every
  1,000 labelled events on the last 5,000 with balanced class weights
  (`benchmarks.harness.windowed_refit`).

Both need the `bench` extra (`pip install -e ".[bench]"`; MOA needs Java 11+ too): without it,
`stream_imbal.bench.resolve_strategies` leaves them out, saying so in one line per family.

"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

from river import base

from benchmarks.harness.moa import MOAClassifier, moa_missing
from benchmarks.harness.windowed_refit import (
    WindowedRefitClassifier,
    balanced_hgb,
    balanced_logistic_regression,
)
from stream_imbal.bench import STRATEGIES, Strategy

__all__ = ["BATCH", "JVM_ARGS", "MOA", "MOA_LEARNERS", "RESEARCH_STRATEGIES", "sklearn_missing"]

MOA, BATCH = "moa", "batch"
#: The Java VM of MOA's learners collects its garbage on the job's own thread, so that a job
#: uses one core, as the others do (unless CAPYMOA_JVM_ARGS says otherwise).
JVM_ARGS = "-Xmx8g -Xss10M -XX:+UseSerialGC -XX:CICompilerCount=2"
_TREES = "-l trees.HoeffdingTree"
#: Refit every 1,000 labelled events on the last 5,000.
_REFIT = {"refit_every": 1000, "window_size": 5000}


def sklearn_missing() -> str | None:
    """What the batch strategies miss here (scikit-learn), or None.

    >>> sklearn_missing() is None or "stream-imbal[bench]" in sklearn_missing()
    True

    """
    try:
        found = importlib.util.find_spec("sklearn") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else "they need scikit-learn: pip install 'stream-imbal[bench]'"


def _moa(learner: str, options: str, description: str) -> Strategy:
    def build(seed: int) -> base.Classifier:
        # Built in the worker process, before CapyMOA is imported there and starts the Java VM.
        os.environ.setdefault("CAPYMOA_JVM_ARGS", JVM_ARGS)
        return MOAClassifier(learner, options, seed=seed)

    return Strategy(build, MOA, description, moa_missing)


def _batch(estimator: Callable[[int], object], description: str) -> Strategy:
    def build(seed: int) -> base.Classifier:
        return WindowedRefitClassifier(estimator(seed), **_REFIT)

    return Strategy(build, BATCH, description, sklearn_missing)


#: MOA's learners compared: name -> (learner, its command-line options, description).
MOA_LEARNERS: dict[str, tuple[str, str, str]] = {
    "moa-arf10": (
        "moa.classifiers.meta.AdaptiveRandomForest",
        "-s 10",
        "AdaptiveRandomForest, 10 trees, MOA's other defaults",
    ),
    "moa-uob": (
        "OnlineUnderOverBagging",
        f"{_TREES} -s 10",
        "OnlineUnderOverBagging, 10 Hoeffding trees",
    ),
    "moa-csmote": ("CSMOTE", _TREES, "C-SMOTE around a Hoeffding tree"),
    "moa-smotebag": (
        "OnlineSMOTEBagging",
        f"{_TREES} -s 10",
        "OnlineSMOTEBagging, 10 Hoeffding trees",
    ),
    "moa-rusboost": ("OnlineRUSBoost", f"{_TREES} -s 10", "OnlineRUSBoost, 10 Hoeffding trees"),
    "moa-adac2": ("OnlineAdaC2", f"{_TREES} -s 10", "OnlineAdaC2, 10 Hoeffding trees"),
}
RESEARCH_STRATEGIES: dict[str, Strategy] = {
    **{name: _moa(*spec) for name, spec in MOA_LEARNERS.items()},
    "sklearn-hgb-refit": _batch(
        balanced_hgb,
        "scikit-learn HistGradientBoosting, balanced, refit every 1,000 on the last 5,000",
    ),
    "sklearn-lr-refit": _batch(
        lambda seed: balanced_logistic_regression(),
        "scikit-learn StandardScaler + LogisticRegression, balanced, refit every 1,000 on "
        "the last 5,000",
    ),
}
STRATEGIES.update(RESEARCH_STRATEGIES)
