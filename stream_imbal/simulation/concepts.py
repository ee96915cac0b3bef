"""A concept: one of river's binary synthetic generators with fixed parameters."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from river.datasets import base, synth

from stream_imbal.exceptions import ConfigError

__all__ = ["Concept", "GENERATORS", "INCREMENTAL_GENERATORS"]

Margin = Callable[[dict], float]


def _sea_margin(dataset: synth.SEA) -> Margin:
    threshold = dataset._threshold  # river keeps the variant's threshold private
    return lambda x: x[0] + x[1] - threshold


def _hyperplane_margin(dataset: synth.Hyperplane) -> Margin:
    # river sets the weights when iteration starts and moves them in place (mag_change), so
    # holding the list keeps the margin in step with the generator.
    weights = dataset._weights
    return lambda x: sum(w * x[i] for i, w in enumerate(weights)) - 0.5 * sum(weights)


@dataclasses.dataclass(frozen=True)
class _Family:
    dataset: type[base.SyntheticDataset]
    seed_params: tuple[str, ...] = ("seed",)
    # Signed distance to a linear decision boundary (> 0 means the positive class), for the
    # families whose boundary can move continuously (incremental drift).
    margin: Callable[[Any], Margin] | None = None


_FAMILIES = {
    "Agrawal": _Family(synth.Agrawal),
    "Hyperplane": _Family(synth.Hyperplane, margin=_hyperplane_margin),
    "Mixed": _Family(synth.Mixed),
    "RandomRBF": _Family(synth.RandomRBF, ("seed_model", "seed_sample")),
    "RandomRBFDrift": _Family(synth.RandomRBFDrift, ("seed_model", "seed_sample")),
    "SEA": _Family(synth.SEA, margin=_sea_margin),
    "STAGGER": _Family(synth.STAGGER),
    "Sine": _Family(synth.Sine),
}
GENERATORS = tuple(_FAMILIES)
INCREMENTAL_GENERATORS = tuple(name for name, family in _FAMILIES.items() if family.margin)


@dataclasses.dataclass(frozen=True)
class Concept:
    """A binary generator of `river.datasets.synth` with fixed parameters.

    Labels are normalised to bool (the generator's positive label, 1 or True, becomes True) and
    feature values to float: Agrawal's and STAGGER's integer codes (education level, car make,
    zip code; size, colour, shape) and Mixed's booleans become floats, so every event is a dict
    of floats.

    The generator's seed parameters (`seed`, or `seed_model` and `seed_sample` for RandomRBF)
    are derived from the scenario's seed unless given in `params`. For RandomRBF, `seed_model`
    places the centroids, so two concepts with different (or derived) `seed_model` differ.
    Generators with their own drift (Hyperplane's `mag_change`, RandomRBFDrift's
    `change_speed`) keep it: that drift is not listed by the scenario.

    Parameters
    ----------
    generator
        Name of the generator, one of `GENERATORS`: Agrawal, Hyperplane, Mixed, RandomRBF,
        RandomRBFDrift, SEA, STAGGER, Sine.
    params
        Keyword arguments of the river generator, e.g. `{"variant": 3}` for SEA.

    Examples
    --------
    >>> from stream_imbal.simulation import Concept
    >>> concept = Concept("STAGGER", {"classification_function": 1})
    >>> concept
    STAGGER(classification_function=1)
    >>> events, margin = concept.stream(seed=42)
    >>> next(events)
    ({'size': 0.0, 'color': 1.0, 'shape': 1.0}, False)
    >>> Concept("SEA", {"variant": 5})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: bad params for SEA(variant=5): Unknown variant...

    """

    generator: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    n_features: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.generator not in _FAMILIES:
            raise ConfigError(
                f"unknown generator {self.generator!r}; valid generators: {', '.join(GENERATORS)}"
            )
        if not isinstance(self.params, Mapping):
            raise ConfigError(
                f"params of {self.generator} must be a mapping, got {type(self.params).__name__}"
            )
        dataset, _ = self._start(seed=0)  # fail now, not mid-stream, on bad parameters
        if dataset.task != base.BINARY_CLF and dataset.n_classes != 2:
            raise ConfigError(
                f"{self!r} has {dataset.n_classes} classes; only binary generators are supported"
            )
        object.__setattr__(self, "n_features", dataset.n_features)

    @property
    def supports_incremental(self) -> bool:
        """Whether the boundary can move continuously to another concept of the same family."""
        return _FAMILIES[self.generator].margin is not None

    def stream(self, seed: int) -> tuple[Iterator[tuple[dict, bool]], Margin | None]:
        """Start an endless stream of `(x, y)` events.

        Returns the events and, for the generators of `INCREMENTAL_GENERATORS`, the margin of
        the live decision boundary (`margin(x) > 0` for the positive class), else None.

        """
        dataset, events = self._start(seed)
        family = _FAMILIES[self.generator]
        margin = family.margin(dataset) if family.margin else None
        return ((_as_floats(x), bool(y)) for x, y in events), margin

    def _start(self, seed: int) -> tuple[base.SyntheticDataset, Iterator]:
        family = _FAMILIES[self.generator]
        rng = random.Random(seed)
        seeds = {name: rng.getrandbits(32) for name in family.seed_params}
        try:
            dataset = family.dataset(**{**seeds, **self.params})
            events = iter(dataset)
            # The first draw runs the generator's set-up code (e.g. Hyperplane's weights).
            first = next(events)
        except (TypeError, ValueError, LookupError, ArithmeticError) as error:
            raise ConfigError(f"bad params for {self!r}: {error}") from None
        return dataset, itertools.chain([first], events)

    def __repr__(self) -> str:
        params = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{self.generator}({params})"


def _as_floats(x: dict) -> dict:
    return {name: float(value) for name, value in x.items()}
