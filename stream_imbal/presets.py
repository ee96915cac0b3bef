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
threshold  gmean, alert_rate, precision, recall, cost, fbeta, balanced_accuracy (what the
           decision threshold is chosen for; see `stream_imbal.threshold`)
drift      both (concept drift and prior shift), concept, prior, none
========== ==========================================================================

and the numbers of the threshold's objective, each allowed only with its own objective:

============= ============== =======================================================
key           objective      meaning (default)
============= ============== =======================================================
alert_rate    alert_rate     the share of events to flag (0.01)
min_precision precision      the precision to hold, with the most recall (0.5)
min_recall    recall         the recall to hold, with the fewest false alarms (0.8)
cost_fn       cost           the cost of a missed positive (1.0)
cost_fp       cost           the cost of a false alarm (1.0)
beta          fbeta          the beta of F-beta (1.0)
============= ============== =======================================================

and `warm_up`: the labels each class needs before the model makes decisions (see
`OnlineImbalancedClassifier`; default `WARM_UP`).

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
>>> ModelSpec.parse({"alert_rate": 0.02})
Traceback (most recent call last):
...
stream_imbal.exceptions.ConfigError: [model] alert_rate applies to threshold = "alert_rate" \
only (the threshold is "gmean"); set threshold = "alert_rate" too
>>> budget = ModelSpec.parse({"threshold": "alert_rate", "alert_rate": 0.02}).build()
>>> budget.threshold_policy.alert_rate, budget.threshold_policy.window_size
(0.02, 5000)

"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import tomllib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from stream_imbal.exceptions import ConfigError

if TYPE_CHECKING:
    from stream_imbal.classifier import OnlineImbalancedClassifier
    from stream_imbal.threshold import ThresholdCalibrator

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
    "threshold": (  # threshold.OBJECTIVES
        "gmean",
        "alert_rate",
        "precision",
        "recall",
        "cost",
        "fbeta",
        "balanced_accuracy",
    ),
    "drift": tuple(DRIFTS),
}
#: Number key -> (the objective it belongs to, its default, whether it is at most 1).
OBJECTIVE_NUMBERS = {
    "alert_rate": ("alert_rate", 0.01, True),
    "min_precision": ("precision", 0.5, True),
    "min_recall": ("recall", 0.8, True),
    "cost_fn": ("cost", 1.0, False),
    "cost_fp": ("cost", 1.0, False),
    "beta": ("fbeta", 1.0, False),
}
#: Recent negatives per expected alert in the window an alert budget is read from.
NEGATIVES_PER_ALERT = 100
MAX_BUDGET_WINDOW = 100_000


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
    """A preset with some of its parts replaced ("" or 0 keeps the preset's); see the module."""

    preset: str = "default"
    learner: str = ""
    balancing: str = ""
    threshold: str = ""
    drift: str = ""
    alert_rate: float = 0.0
    min_precision: float = 0.0
    min_recall: float = 0.0
    cost_fn: float = 0.0
    cost_fp: float = 0.0
    beta: float = 0.0
    warm_up: int = 0

    def __post_init__(self) -> None:
        if self.preset not in PRESET_PARTS:
            raise ConfigError(
                f"[model] preset: {self.preset!r} is not one of {', '.join(PRESET_PARTS)}"
            )
        for key, choices in CHOICES.items():
            value = getattr(self, key)
            if value and value not in choices:
                raise ConfigError(f"[model] {key}: {value!r} is not one of {', '.join(choices)}")
        threshold = self.threshold or PRESET_PARTS[self.preset][0]["threshold"]
        for key, (objective, _, fraction) in OBJECTIVE_NUMBERS.items():
            value = getattr(self, key)
            if not value:
                continue
            if not (math.isfinite(value) and value > 0 and (value <= 1 or not fraction)):
                bound = "in (0, 1]" if fraction else "a positive number"
                raise ConfigError(f"[model] {key} must be {bound}, got {value!r}")
            if objective != threshold:
                raise ConfigError(
                    f'[model] {key} applies to threshold = "{objective}" only (the threshold '
                    f'is "{threshold}"); set threshold = "{objective}" too'
                )
        if self.warm_up < 0:
            raise ConfigError(f"[model] warm_up must be at least 1, got {self.warm_up}")

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
            for key, given in value.items():
                _check_type(key, given)
            return cls(**{k: float(v) if k in OBJECTIVE_NUMBERS else v for k, v in value.items()})
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
        from stream_imbal.classifier import WARM_UP, OnlineImbalancedClassifier
        from stream_imbal.drift import DriftPolicy

        spec = self.resolved()
        makers = _makers()
        detect_concept, detect_prior = DRIFTS[spec.drift]
        return OnlineImbalancedClassifier(
            learner=makers["learner"][spec.learner](seed),
            balancing=makers["balancing"][spec.balancing](),
            drift=DriftPolicy(detect_concept=detect_concept, detect_prior=detect_prior),
            threshold_policy=self._threshold_policy(spec.threshold),
            seed=seed,
            warm_up=self.warm_up or WARM_UP,
        )

    def _threshold_policy(self, objective: str) -> ThresholdCalibrator:
        from stream_imbal.threshold import ThresholdCalibrator

        numbers = {
            key: getattr(self, key) or default
            for key, (owner, default, _) in OBJECTIVE_NUMBERS.items()
            if owner == objective
        }
        if objective == "alert_rate":
            window = math.ceil(NEGATIVES_PER_ALERT / numbers["alert_rate"])
            numbers["window_size"] = min(max(window, 2000), MAX_BUDGET_WINDOW)
        return ThresholdCalibrator(objective=objective, **numbers)

    def describe(self) -> str:
        """The preset and the parts replaced, in a few words."""
        changed = [
            f"{key} {getattr(self, key):g}" if key in NUMBERS else f"{key} {getattr(self, key)}"
            for key in (*CHOICES, *NUMBERS)
            if getattr(self, key)
        ]
        return ", ".join([f"preset {self.preset}", *changed])


NUMBERS = (*OBJECTIVE_NUMBERS, "warm_up")


def _check_type(key: str, value: object) -> None:
    if key == "warm_up":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"[model] warm_up: expected a whole number, got {value!r}")
    elif key in OBJECTIVE_NUMBERS:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(f"[model] {key}: expected a number, got {value!r}")
    elif not isinstance(value, str):
        raise ConfigError(f"[model] {key}: expected a name, got {value!r}")


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
