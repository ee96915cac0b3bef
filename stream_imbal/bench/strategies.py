"""The strategies a benchmark compares, by name.

Each strategy builds a fresh river classifier from a seed. `ours` are this library's default
classifier, each of its balancing strategies on its own and its OOB/UOB ensembles; `river` are
river's baselines around the same standardised logistic regression, and its adaptive random
forest; `moa` are MOA's imbalance learners (`moa.classifiers.meta.imbalanced`), run through
CapyMOA with ensembles of 10 Hoeffding trees (see `stream_imbal.bench.moa`).

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from river import base, forest, imblearn, linear_model, preprocessing

from stream_imbal.balancing import (
    ClassWeights,
    NoBalancing,
    OnlineSMOTE,
    Resample,
    Reweight,
    ReweightResample,
)
from stream_imbal.bench.moa import MOAClassifier, moa_missing
from stream_imbal.classifier import OnlineImbalancedClassifier
from stream_imbal.ensemble import OOBClassifier, UOBClassifier
from stream_imbal.exceptions import ConfigError

__all__ = [
    "MOA",
    "OURS",
    "RIVER",
    "STRATEGIES",
    "Strategy",
    "build_strategy",
    "resolve_strategies",
]

OURS, RIVER, MOA = "ours", "river", "moa"
_BALANCED = {False: 0.5, True: 0.5}


class Strategy(NamedTuple):
    """A named way to build a classifier.

    Attributes
    ----------
    build
        Seed -> a fresh classifier.
    family
        `ours`, `river` or `moa`.
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
    return OnlineImbalancedClassifier(seed=seed, **parts)


def _moa(learner: str, options: str) -> Callable[[int], base.Classifier]:
    return lambda seed: MOAClassifier(learner, options, seed=seed)


_TREES = "-l trees.HoeffdingTree"

STRATEGIES: dict[str, Strategy] = {
    "default": Strategy(
        lambda s: OnlineImbalancedClassifier(seed=s), OURS, "OnlineImbalancedClassifier()"
    ),
    "reweight-inverse": Strategy(
        lambda s: _ours(s, balancing=Reweight()), OURS, "Reweight(), inverse frequency"
    ),
    "reweight-sqrt": Strategy(
        lambda s: _ours(s, balancing=Reweight(ClassWeights("sqrt_inverse"))),
        OURS,
        "Reweight(), square-root inverse frequency",
    ),
    "reweight-effnum": Strategy(
        lambda s: _ours(s, balancing=Reweight(ClassWeights("effective_number"))),
        OURS,
        "Reweight(), effective number of samples",
    ),
    "resample-over": Strategy(
        lambda s: _ours(s, balancing=Resample("over")), OURS, 'Resample("over")'
    ),
    "resample-under": Strategy(
        lambda s: _ours(s, balancing=Resample("under")), OURS, 'Resample("under")'
    ),
    "resample-balanced": Strategy(
        lambda s: _ours(s, balancing=Resample("balanced")), OURS, 'Resample("balanced")'
    ),
    "reweight+resample": Strategy(
        lambda s: _ours(s, balancing=ReweightResample()), OURS, "ReweightResample()"
    ),
    "online-smote": Strategy(lambda s: _ours(s, balancing=OnlineSMOTE()), OURS, "OnlineSMOTE()"),
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
            linear(), desired_dist=_BALANCED, sampling_rate=0.1, seed=s
        ),
        RIVER,
        "imblearn.RandomSampler to 50/50, rate 0.1",
    ),
    "river-arf10": Strategy(
        lambda s: forest.ARFClassifier(n_models=10, seed=s), RIVER, "forest.ARFClassifier, 10 trees"
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
}


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
    """The strategies to run, and why MOA's were left out when they cannot run here.

    Parameters
    ----------
    names
        Strategy names; all of `STRATEGIES` by default. An unknown name raises `ConfigError`.
    moa
        Whether to keep MOA's learners at all.

    Returns
    -------
    The names kept, in order, and None or a message saying what MOA's learners are missing.

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
    ours = [name for name in names if STRATEGIES[name].family != MOA]
    if not moa or len(ours) == len(names):
        return ours, None
    missing = moa_missing()
    if missing is None:
        return names, None
    skipped = ", ".join(name for name in names if name not in ours)
    return ours, f"skipping {skipped}: {missing}"
