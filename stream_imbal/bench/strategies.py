"""The strategies a benchmark compares, by name.

Each strategy builds a fresh river classifier from a seed. Families:

- `ours`: this library's default classifier, each of its balancing strategies on its own, the
  bare logistic regression with only our threshold and prior correction (`threshold-only`: it
  separates the threshold's effect from the balancing's), and our OOB/UOB ensembles of 10, around
  the standardised logistic regression or (bare, as published) around river's Hoeffding trees;
- `river`: river's baselines at their documented defaults: `imblearn.RandomSampler` (at its
  default `sampling_rate=1.0`), `RandomOverSampler` and `RandomUnderSampler` to 50/50 around the
  same standardised logistic regression, the bare logistic regression, and
  `forest.ARFClassifier(n_models=10)`.

The research benchmarks add MOA's imbalance learners and scikit-learn models refit on a window
(the repository's `benchmarks/harness/strategies.py`, with the `bench` extra): each such
strategy says what it misses to run here (`Strategy.missing`), and `resolve_strategies` leaves
it out with that reason.
Adding a strategy is one entry of `STRATEGIES` (`register_spec` adds a model specification).

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from river import base, forest, imblearn, linear_model, preprocessing, tree

from stream_imbal.balancing import NoBalancing
from stream_imbal.classifier import OnlineImbalancedClassifier, linear_learner
from stream_imbal.ensemble import OOBClassifier, UOBClassifier
from stream_imbal.exceptions import ConfigError
from stream_imbal.presets import PRESETS, ModelSpec

__all__ = [
    "OURS",
    "RIVER",
    "STRATEGIES",
    "Strategy",
    "build_strategy",
    "register_spec",
    "resolve_strategies",
]

OURS, RIVER = "ours", "river"
_BALANCED = {False: 0.5, True: 0.5}


class Strategy(NamedTuple):
    """A named way to build a classifier.

    Attributes
    ----------
    build
        Seed -> a fresh classifier.
    family
        `ours`, `river`, or a family the research benchmarks add (`moa`, `batch`).
    description
        What it is, in a few words, for reports.
    missing
        None when it runs with the required dependencies alone; else a function returning what
        it misses here, or None when nothing is (e.g. "they need scikit-learn: pip install
        'stream-imbal[bench]'").

    """

    build: Callable[[int], base.Classifier]
    family: str
    description: str
    missing: Callable[[], str | None] | None = None


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


def _trees(ensemble, seed: int) -> base.Classifier:
    """An OOB or UOB ensemble of 10 river Hoeffding trees at their defaults."""
    return ensemble(tree.HoeffdingTreeClassifier(), n_models=10, seed=seed)


_DEFAULT, _LINEAR = PRESETS["default"][1], PRESETS["linear"][1]

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


def resolve_strategies(names: Sequence[str] | None = None) -> tuple[list[str], str | None]:
    """The strategies to run, and why some were left out when they cannot run here.

    Parameters
    ----------
    names
        Strategy names; all of `STRATEGIES` by default. An unknown name raises `ConfigError`.

    Returns
    -------
    The names kept, in order, and None or a message per family saying what its left-out
    strategies miss (`Strategy.missing`).

    Examples
    --------
    >>> from stream_imbal.bench import resolve_strategies
    >>> resolve_strategies(["default", "river-bare"])
    (['default', 'river-bare'], None)

    """
    names = list(STRATEGIES) if names is None else list(names)
    for name in names:
        if name not in STRATEGIES:
            raise ConfigError(f"unknown strategy {name!r}; valid names: {', '.join(STRATEGIES)}")
    skipped: dict[tuple[str, str], list[str]] = {}
    for name in names:
        strategy = STRATEGIES[name]
        reason = strategy.missing() if strategy.missing else None
        if reason is not None:
            skipped.setdefault((strategy.family, reason), []).append(name)
    messages = [
        f"{family.upper()}: skipping {', '.join(members)}: {reason}"
        for (family, reason), members in skipped.items()
    ]
    left_out = {name for members in skipped.values() for name in members}
    return [name for name in names if name not in left_out], "; ".join(messages) or None
