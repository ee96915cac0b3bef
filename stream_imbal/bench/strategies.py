"""The strategies a benchmark compares, by name.

Each strategy builds a fresh river classifier from a seed. Families:

- `ours`: this library's default classifier, each of its balancing strategies on its own, the
  bare logistic regression with only our threshold and prior correction (`threshold-only`: it
  separates the threshold's effect from the balancing's), and our OOB/UOB ensembles of 10, around
  the standardised logistic regression or (bare, as published) around river's Hoeffding trees;
- `river`: river's baselines at their documented defaults: `imblearn.RandomSampler` (at its
  default `sampling_rate=1.0`), `RandomOverSampler` and `RandomUnderSampler` to 50/50 around the
  same standardised logistic regression, the bare logistic regression, and
  `forest.ARFClassifier(n_models=10)`;
- `moa`: MOA's AdaptiveRandomForest (10 trees, its other options at MOA's defaults) and its
  imbalance learners (`moa.classifiers.meta.imbalanced`) on Hoeffding trees (ensembles of 10),
  through CapyMOA (see `stream_imbal.bench.moa`). MOA's imbalance learners at their own
  defaults are left out: their default base learner is `meta.AdaptiveRandomForest` at its
  default 100 trees (10 x 100 trees for the ensembles). Measured on a 5,000-event RandomRBF
  stream at 1:100 (2026-11, 2 loaded cores): OnlineRUSBoost took 40 s of CPU (34 events/s,
  i.e. ~10 min for 20k events); OnlineSMOTEBagging did not finish in 200 s; OnlineUnderOverBagging,
  CSMOTE and OnlineAdaC2 ended with the Java VM stopped (`JVMNotRunning`) before finishing.
  None finishes 20k events in 60 s (MOA's ARF with 10 trees alone made ~830 events/s of CPU
  there);
- `batch`: what many teams run instead of online learning, a scikit-learn model refit every
  1,000 labelled events on the last 5,000 with balanced class weights
  (`stream_imbal.bench.windowed_refit`).

Adding a strategy is one entry of `STRATEGIES`.

"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from typing import NamedTuple

from river import base, forest, imblearn, linear_model, preprocessing, tree

from stream_imbal.balancing import (
    NoBalancing,
)
from stream_imbal.bench.moa import MOAClassifier, moa_missing
from stream_imbal.bench.windowed_refit import (
    WindowedRefitClassifier,
    balanced_hgb,
    balanced_logistic_regression,
)
from stream_imbal.classifier import OnlineImbalancedClassifier, linear_learner
from stream_imbal.ensemble import OOBClassifier, UOBClassifier
from stream_imbal.exceptions import ConfigError
from stream_imbal.presets import PRESETS, ModelSpec

__all__ = [
    "BATCH",
    "MOA",
    "OURS",
    "RIVER",
    "STRATEGIES",
    "Strategy",
    "build_strategy",
    "register_spec",
    "resolve_strategies",
    "sklearn_missing",
]

OURS, RIVER, MOA, BATCH = "ours", "river", "moa", "batch"
_BALANCED = {False: 0.5, True: 0.5}


class Strategy(NamedTuple):
    """A named way to build a classifier.

    Attributes
    ----------
    build
        Seed -> a fresh classifier.
    family
        `ours`, `river`, `moa` or `batch`.
    description
        What it is, in a few words, for reports.

    """

    build: Callable[[int], base.Classifier]
    family: str
    description: str


def linear() -> base.Classifier:
    """The base learner of the linear strategies: a standardised logistic regression."""
    return preprocessing.StandardScaler() | linear_model.LogisticRegression()


def _ours(seed: int, **parts) -> OnlineImbalancedClassifier:
    """The classifier with `parts` changed; the balancing ablations keep the linear learner, so
    that each balancing strategy is compared with the `linear` preset."""
    return OnlineImbalancedClassifier(seed=seed, **({"learner": linear_learner()} | parts))


def _spec(**parts: str) -> Callable[[int], base.Classifier]:
    """A strategy that is an entry of the model specification (`stream_imbal.presets`)."""
    spec = ModelSpec(**parts)
    return spec.build


def _moa(learner: str, options: str) -> Callable[[int], base.Classifier]:
    return lambda seed: MOAClassifier(learner, options, seed=seed)


def _trees(ensemble, seed: int) -> base.Classifier:
    """An OOB or UOB ensemble of 10 river Hoeffding trees at their defaults."""
    return ensemble(tree.HoeffdingTreeClassifier(), n_models=10, seed=seed)


_TREES = "-l trees.HoeffdingTree"
_DEFAULT, _LINEAR = PRESETS["default"][1], PRESETS["linear"][1]
#: Refit every 1,000 labelled events on the last 5,000.
_REFIT = {"refit_every": 1000, "window_size": 5000}

STRATEGIES: dict[str, Strategy] = {
    "default": Strategy(_spec(), OURS, "OnlineImbalancedClassifier(): " + _DEFAULT),
    "linear": Strategy(_spec(preset="linear"), OURS, "preset `linear`: " + _LINEAR),
    **{
        name: Strategy(_spec(preset="linear", balancing=balancing), OURS, text)
        for name, balancing, text in (
            ("reweight-inverse", "reweight", "Reweight(), inverse frequency"),
            ("reweight-sqrt", "reweight-sqrt", "Reweight(), square-root inverse frequency"),
            ("reweight-effnum", "reweight-effnum", "Reweight(), effective number of samples"),
            ("resample-over", "oversample", 'Resample("over")'),
            ("resample-under", "undersample", 'Resample("under")'),
            ("resample-balanced", "resample-balanced", 'Resample("balanced")'),
            ("reweight+resample", "reweight-resample", "ReweightResample()"),
            ("online-smote", "smote", "OnlineSMOTE()"),
        )
    },
    "ours-oob10": Strategy(
        lambda s: _ours(
            s, learner=OOBClassifier(linear(), n_models=10, seed=s), balancing=NoBalancing()
        ),
        OURS,
        "the default around an OOB ensemble of 10",
    ),
    "ours-uob10": Strategy(
        lambda s: _ours(
            s, learner=UOBClassifier(linear(), n_models=10, seed=s), balancing=NoBalancing()
        ),
        OURS,
        "the default around a UOB ensemble of 10",
    ),
    "threshold-only": Strategy(
        lambda s: _ours(s, learner=linear(), balancing=NoBalancing()),
        OURS,
        "standardised LogisticRegression with only our threshold and prior correction",
    ),
    "oob-ht10": Strategy(
        lambda s: _trees(OOBClassifier, s), OURS, "OOBClassifier, 10 Hoeffding trees"
    ),
    "uob-ht10": Strategy(
        lambda s: _trees(UOBClassifier, s), OURS, "UOBClassifier, 10 Hoeffding trees"
    ),
    "oob10": Strategy(
        lambda s: OOBClassifier(linear(), n_models=10, seed=s), OURS, "OOBClassifier, 10 members"
    ),
    "uob10": Strategy(
        lambda s: UOBClassifier(linear(), n_models=10, seed=s), OURS, "UOBClassifier, 10 members"
    ),
    "river-bare": Strategy(
        lambda s: linear(), RIVER, "standardised LogisticRegression, no rebalancing"
    ),
    "river-ros": Strategy(
        lambda s: imblearn.RandomOverSampler(linear(), desired_dist=_BALANCED, seed=s),
        RIVER,
        "imblearn.RandomOverSampler to 50/50",
    ),
    "river-rus": Strategy(
        lambda s: imblearn.RandomUnderSampler(linear(), desired_dist=_BALANCED, seed=s),
        RIVER,
        "imblearn.RandomUnderSampler to 50/50",
    ),
    "river-rs": Strategy(
        lambda s: imblearn.RandomSampler(
            linear(), desired_dist=_BALANCED, sampling_rate=1.0, seed=s
        ),
        RIVER,
        "imblearn.RandomSampler to 50/50, sampling_rate 1.0 (river's default)",
    ),
    "river-arf10": Strategy(
        lambda s: forest.ARFClassifier(n_models=10, seed=s), RIVER, "forest.ARFClassifier, 10 trees"
    ),
    "moa-arf10": Strategy(
        _moa("moa.classifiers.meta.AdaptiveRandomForest", "-s 10"),
        MOA,
        "AdaptiveRandomForest, 10 trees, MOA's other defaults",
    ),
    "moa-uob": Strategy(
        _moa("OnlineUnderOverBagging", f"{_TREES} -s 10"),
        MOA,
        "OnlineUnderOverBagging, 10 Hoeffding trees",
    ),
    "moa-csmote": Strategy(_moa("CSMOTE", _TREES), MOA, "C-SMOTE around a Hoeffding tree"),
    "moa-smotebag": Strategy(
        _moa("OnlineSMOTEBagging", f"{_TREES} -s 10"),
        MOA,
        "OnlineSMOTEBagging, 10 Hoeffding trees",
    ),
    "moa-rusboost": Strategy(
        _moa("OnlineRUSBoost", f"{_TREES} -s 10"), MOA, "OnlineRUSBoost, 10 Hoeffding trees"
    ),
    "moa-adac2": Strategy(
        _moa("OnlineAdaC2", f"{_TREES} -s 10"), MOA, "OnlineAdaC2, 10 Hoeffding trees"
    ),
    "sklearn-hgb-refit": Strategy(
        lambda s: WindowedRefitClassifier(balanced_hgb(s), **_REFIT),
        BATCH,
        "scikit-learn HistGradientBoosting, balanced, refit every 1,000 on the last 5,000",
    ),
    "sklearn-lr-refit": Strategy(
        lambda s: WindowedRefitClassifier(balanced_logistic_regression(), **_REFIT),
        BATCH,
        "scikit-learn StandardScaler + LogisticRegression, balanced, refit every 1,000 on "
        "the last 5,000",
    ),
}


def register_spec(spec: ModelSpec) -> str:
    """Add a model specification to `STRATEGIES` (for `bench --model`); its name there.

    Worker processes see it when they are forked from this one (the default on Linux).
    """
    name = "spec: " + spec.describe()
    STRATEGIES[name] = Strategy(spec.build, OURS, "model specification: " + spec.describe())
    return name


def build_strategy(name: str, seed: int) -> base.Classifier:
    """A fresh classifier of the strategy `name`, seeded with `seed`.

    Examples
    --------
    >>> from stream_imbal.bench import build_strategy
    >>> model = build_strategy("default", seed=1)
    >>> type(model).__name__, model.seed
    ('OnlineImbalancedClassifier', 1)
    >>> build_strategy("nope", seed=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: unknown strategy 'nope'; valid names: default, ...

    """
    if name not in STRATEGIES:
        raise ConfigError(f"unknown strategy {name!r}; valid names: {', '.join(STRATEGIES)}")
    return STRATEGIES[name].build(seed)


def resolve_strategies(
    names: Sequence[str] | None = None, moa: bool = True
) -> tuple[list[str], str | None]:
    """The strategies to run, and why some were left out when they cannot run here.

    Parameters
    ----------
    names
        Strategy names; all of `STRATEGIES` by default. An unknown name raises `ConfigError`.
    moa
        Whether to keep MOA's learners at all.

    Returns
    -------
    The names kept, in order, and None or a message saying what MOA's learners (or the batch
    strategies, without scikit-learn) are missing.

    Examples
    --------
    >>> from stream_imbal.bench import resolve_strategies
    >>> resolve_strategies(["default", "moa-uob"], moa=False)
    (['default'], None)

    """
    names = list(STRATEGIES) if names is None else list(names)
    for name in names:
        if name not in STRATEGIES:
            raise ConfigError(f"unknown strategy {name!r}; valid names: {', '.join(STRATEGIES)}")
    if not moa:
        names = [name for name in names if STRATEGIES[name].family != MOA]
    messages = []
    for family, missing in ((MOA, moa_missing), (BATCH, sklearn_missing)):
        members = [name for name in names if STRATEGIES[name].family == family]
        reason = missing() if members else None
        if reason is not None:
            names = [name for name in names if name not in members]
            messages.append(f"{family.upper()}: skipping {', '.join(members)}: {reason}")
    return names, "; ".join(messages) or None


def sklearn_missing() -> str | None:
    """What the batch strategies miss here (scikit-learn), or None."""
    if importlib.util.find_spec("sklearn") is None:
        return "they need scikit-learn: pip install scikit-learn"
    return None
