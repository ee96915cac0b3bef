"""Named configurations of `OnlineImbalancedClassifier`, shared by the CLI, the benchmark and
the service, so that a name means one model wherever it is used."""

from __future__ import annotations

from collections.abc import Callable

from stream_imbal.balancing import Reweight
from stream_imbal.classifier import OnlineImbalancedClassifier, linear_learner
from stream_imbal.drift import DriftPolicy
from stream_imbal.exceptions import ConfigError

__all__ = ["PRESETS", "build_preset"]


def _logistic_regression(seed: int) -> OnlineImbalancedClassifier:
    return OnlineImbalancedClassifier(
        learner=linear_learner(),
        balancing=Reweight(),
        drift=DriftPolicy(detect_concept=False, detect_prior=False),
        seed=seed,
    )


#: Name -> (seed -> classifier, description).
PRESETS: dict[str, tuple[Callable[[int], OnlineImbalancedClassifier], str]] = {
    "default": (
        lambda seed: OnlineImbalancedClassifier(seed=seed),
        "logistic regression and a Hoeffding tree blended by recent balanced skill; "
        "rebalancing, drift detection, prior correction and a G-mean threshold",
    ),
    "linear": (
        lambda seed: OnlineImbalancedClassifier(learner=linear_learner(), seed=seed),
        "the default with the logistic regression alone (the default up to 0.1.0; the cheapest)",
    ),
    "logistic-regression": (
        _logistic_regression,
        "logistic regression, inverse-frequency weights and the threshold, no drift detection",
    ),
}


def build_preset(name: str, seed: int = 0) -> OnlineImbalancedClassifier:
    """A fresh classifier of the preset `name`.

    Examples
    --------
    >>> from stream_imbal.presets import build_preset
    >>> sorted(build_preset("default", seed=1).candidate_weights)
    ['linear', 'tree']
    >>> build_preset("linear").candidate_weights
    {}
    >>> build_preset("forest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: unknown model preset 'forest'; valid names: default, ...

    """
    if name not in PRESETS:
        raise ConfigError(f"unknown model preset {name!r}; valid names: {', '.join(PRESETS)}")
    return PRESETS[name][0](seed)
