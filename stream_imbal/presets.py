"""The model specification: one way to name a classifier, shared by the CLI (`--model`), the
benchmark's strategies and the service's `[model]` section, so a name means one model wherever
it is used.

A specification is a preset (`default`, `linear`, `logistic-regression`) and, optionally, some of
its parts replaced, each by name:

========== ==========================================================================
key        values
========== ==========================================================================
preset     default, linear, logistic-regression
learner    pool (logistic regression + random forest, blended), linear, forest, tree
balancing  reweight-resample, reweight, reweight-sqrt, reweight-effnum, oversample,
           undersample, resample-balanced, smote, none
threshold  gmean, fbeta, balanced_accuracy, cost (the objective of the threshold search)
drift      both (concept drift and prior shift), concept, prior, none
========== ==========================================================================

On the command line `--model` takes a preset name or a TOML file with a `[model]` table of these
keys; the service reads the same keys from its `[model]` section. A bad key or value is a
`ConfigError` naming it.

>>> from stream_imbal.presets import ModelSpec
>>> spec = ModelSpec.parse({"preset": "linear", "balancing": "undersample"})
>>> spec.describe()
'preset linear, balancing undersample'
>>> model = spec.build(seed=1)
>>> type(model.balancing).__name__, model.balancing.mode
('Resample', 'under')
>>> ModelSpec.parse({"balancing": "smoteish"})
Traceback (most recent call last):
...
stream_imbal.exceptions.ConfigError: [model] balancing: 'smoteish' is not one of \
reweight-resample, reweight, reweight-sqrt, reweight-effnum, oversample, undersample, \
resample-balanced, smote, none

"""

from __future__ import annotations

import dataclasses
import pathlib
import tomllib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from stream_imbal.exceptions import ConfigError

if TYPE_CHECKING:
    from stream_imbal.classifier import OnlineImbalancedClassifier

__all__ = ["PRESETS", "PRESET_PARTS", "ModelSpec", "build_preset"]

DRIFTS = {
    "both": (True, True),
    "concept": (True, False),
    "prior": (False, True),
    "none": (False,) * 2,
}
#: The names of each part; `ModelSpec.build` makes them (`_makers`), importing river, which takes
#: seconds: a specification is checked without it.
CHOICES = {
    "learner": ("pool", "linear", "forest", "tree"),
    "balancing": (
        "reweight-resample",
        "reweight",
        "reweight-sqrt",
        "reweight-effnum",
        "oversample",
        "undersample",
        "resample-balanced",
        "smote",
        "none",
    ),
    "threshold": ("gmean", "fbeta", "balanced_accuracy", "cost"),  # threshold.OBJECTIVES
    "drift": tuple(DRIFTS),
}


def _makers() -> dict[str, dict[str, Callable]]:
    """Name -> maker of each learner (given the classifier's seed) and each balancing."""
    from stream_imbal.balancing import (
        ClassWeights,
        NoBalancing,
        OnlineSMOTE,
        Resample,
        Reweight,
        ReweightResample,
    )
    from stream_imbal.bounded_tree import BoundedHoeffdingTree
    from stream_imbal.classifier import default_learner, linear_learner
    from stream_imbal.ensemble import SubspaceForest

    return {
        "learner": {
            "pool": default_learner,
            "linear": lambda seed: linear_learner(),
            "forest": lambda seed: SubspaceForest(seed=seed),
            "tree": lambda seed: BoundedHoeffdingTree(),
        },
        "balancing": {
            "reweight-resample": lambda: ReweightResample(max_repeats=5),
            "reweight": Reweight,
            "reweight-sqrt": lambda: Reweight(ClassWeights("sqrt_inverse")),
            "reweight-effnum": lambda: Reweight(ClassWeights("effective_number")),
            "oversample": lambda: Resample("over"),
            "undersample": lambda: Resample("under"),
            "resample-balanced": lambda: Resample("balanced"),
            "smote": OnlineSMOTE,
            "none": NoBalancing,
        },
    }


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A preset with some of its parts replaced ("" keeps the preset's); see the module."""

    preset: str = "default"
    learner: str = ""
    balancing: str = ""
    threshold: str = ""
    drift: str = ""

    def __post_init__(self) -> None:
        if self.preset not in PRESET_PARTS:
            raise ConfigError(
                f"[model] preset: {self.preset!r} is not one of {', '.join(PRESET_PARTS)}"
            )
        for key, choices in CHOICES.items():
            value = getattr(self, key)
            if value and value not in choices:
                raise ConfigError(f"[model] {key}: {value!r} is not one of {', '.join(choices)}")

    @classmethod
    def parse(cls, value: str | Mapping) -> ModelSpec:
        """A preset name, the path of a TOML file with a `[model]` table, or a mapping of keys."""
        if isinstance(value, Mapping):
            keys = [field.name for field in dataclasses.fields(cls)]
            unknown = sorted(set(value) - set(keys))
            if unknown:
                raise ConfigError(
                    f"[model] unknown key {unknown[0]!r}; the keys are {', '.join(keys)}"
                )
            wrong = [k for k, v in value.items() if not isinstance(v, str)]
            if wrong:
                raise ConfigError(f"[model] {wrong[0]}: expected a name, got {value[wrong[0]]!r}")
            return cls(**value)
        if value.endswith(".toml"):
            return cls.parse(_model_table(pathlib.Path(value)))
        if value not in PRESET_PARTS:
            raise ConfigError(
                f"unknown model preset {value!r}; valid names: {', '.join(PRESET_PARTS)}, "
                "or a .toml file with a [model] table"
            )
        return cls(preset=value)

    def resolved(self) -> ModelSpec:
        """Every part named: the preset's, where this one keeps it."""
        base = PRESET_PARTS[self.preset][0]
        parts = {key: getattr(self, key) or base[key] for key in CHOICES}
        return dataclasses.replace(self, **parts)

    def build(self, seed: int = 0) -> OnlineImbalancedClassifier:
        """A fresh classifier of this specification, seeded with `seed`."""
        from stream_imbal.classifier import OnlineImbalancedClassifier
        from stream_imbal.drift import DriftPolicy
        from stream_imbal.threshold import ThresholdCalibrator

        spec = self.resolved()
        makers = _makers()
        detect_concept, detect_prior = DRIFTS[spec.drift]
        return OnlineImbalancedClassifier(
            learner=makers["learner"][spec.learner](seed),
            balancing=makers["balancing"][spec.balancing](),
            drift=DriftPolicy(detect_concept=detect_concept, detect_prior=detect_prior),
            threshold_policy=ThresholdCalibrator(objective=spec.threshold),
            seed=seed,
        )

    def describe(self) -> str:
        """The preset and the parts replaced, in a few words."""
        changed = [f"{key} {getattr(self, key)}" for key in CHOICES if getattr(self, key)]
        return ", ".join([f"preset {self.preset}", *changed])


def _model_table(path: pathlib.Path) -> dict:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    table = document.get("model")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: no [model] table")
    return table


_FULL = {"balancing": "reweight-resample", "threshold": "gmean", "drift": "both"}
#: Name -> (the parts it names, description).
PRESET_PARTS: dict[str, tuple[dict[str, str], str]] = {
    "default": (
        _FULL | {"learner": "pool"},
        "logistic regression and a forest of 8 Hoeffding trees blended by recent balanced skill; "
        "rebalancing, drift detection, prior correction and a G-mean threshold",
    ),
    "linear": (
        _FULL | {"learner": "linear"},
        "the default with the logistic regression alone (the cheapest)",
    ),
    "logistic-regression": (
        _FULL | {"learner": "linear", "balancing": "reweight", "drift": "none"},
        "logistic regression, inverse-frequency weights and the threshold, no drift detection",
    ),
}
#: Name -> (its specification, description).
PRESETS: dict[str, tuple[ModelSpec, str]] = {
    name: (ModelSpec(preset=name), text) for name, (_, text) in PRESET_PARTS.items()
}


def build_preset(name: str, seed: int = 0) -> OnlineImbalancedClassifier:
    """A fresh classifier of the preset (or TOML model file) `name`.

    Examples
    --------
    >>> from stream_imbal.presets import build_preset
    >>> sorted(build_preset("default", seed=1).candidate_weights)
    ['forest', 'linear']
    >>> build_preset("linear").candidate_weights
    {}
    >>> build_preset("forest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: unknown model preset 'forest'; valid names: default, ...

    """
    return ModelSpec.parse(name).build(seed)
