"""Scenarios described in TOML files.

A scenario file holds one scenario; every key but `n_events`, `concepts` and `minority` is
optional::

    name = "my-stream"        # default: the file name without extension
    n_events = 20000
    seed = 1                  # default 0
    label_noise = 0.0         # probability of flipping a label, in [0, 0.5]; default 0

    [[concepts]]              # one table per concept, in order (see `Concept`)
    generator = "SEA"         # Agrawal, Hyperplane, Mixed, RandomRBF, RandomRBFDrift, SEA,
    params = { variant = 0 }  # STAGGER, Sine; params are the river generator's (default {})

    [[concepts]]
    generator = "SEA"
    params = { variant = 3 }

    [[drifts]]                # one per pair of consecutive concepts, in order (see `Drift`)
    position = 10000
    kind = "abrupt"           # abrupt | gradual | incremental; default abrupt
    width = 0                 # 0 for abrupt, > 0 otherwise; default 0

    [[minority]]              # breakpoints of the minority share (see `PriorSchedule`)
    position = 0              # the first at 0, then strictly increasing, below n_events
    share = 0.01              # in (0, 1)
    shape = "step"            # step (hold) | ramp (linear to the next breakpoint); default step

`minority = 0.01` is short for a constant share. A suite file, for a benchmark, holds several
scenarios as `[[scenario]]` tables with the same keys (and their own `[[scenario.concepts]]`,
`[[scenario.drifts]]` and `[[scenario.minority]]`), and nothing else; their names must differ
and default to the file name followed by their index.

"""

from __future__ import annotations

import contextlib
import copy
import json
import pathlib
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation._checks import is_int, is_number
from stream_imbal.simulation.concepts import Concept
from stream_imbal.simulation.drift import Drift
from stream_imbal.simulation.scenario import Scenario
from stream_imbal.simulation.schedule import PriorSchedule

__all__ = ["load_scenario_file", "load_scenario_suite", "scenario_from_dict", "scenario_to_toml"]

_REQUIRED = object()
_TYPES = {  # name -> (test, description)
    "int": (is_int, "an integer"),
    "number": (is_number, "a number"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "table": (lambda v: isinstance(v, dict), "a table"),
    "tables": (
        lambda v: isinstance(v, list) and all(isinstance(e, dict) for e in v),
        "an array of tables",
    ),
}
_SCENARIO = {
    "name": (("str",), "scenario"),
    "n_events": (("int",), _REQUIRED),
    "seed": (("int",), 0),
    "label_noise": (("number",), 0.0),
    "concepts": (("tables",), _REQUIRED),
    "drifts": (("tables",), []),
    "minority": (("number", "tables"), _REQUIRED),
}
_CONCEPT = {"generator": (("str",), _REQUIRED), "params": (("table",), {})}
_DRIFT = {"position": (("int",), _REQUIRED), "kind": (("str",), "abrupt"), "width": (("int",), 0)}
_BREAKPOINT = {
    "position": (("int",), _REQUIRED),
    "share": (("number",), _REQUIRED),
    "shape": (("str",), "step"),
}
_SUITE = {"scenario": (("tables",), _REQUIRED)}


def scenario_from_dict(d: Mapping[str, Any]) -> Scenario:
    """Build a scenario from a dict with the keys of a scenario file (see the module's doc).

    Examples
    --------
    >>> from stream_imbal.simulation import scenario_from_dict
    >>> scenario = scenario_from_dict({
    ...     "n_events": 1_000,
    ...     "concepts": [{"generator": "Sine"}],
    ...     "minority": [{"position": 0, "share": 0.1}, {"position": 500, "share": 0.01}],
    ... })
    >>> scenario.drift_points
    [(500, 'prior')]
    >>> bad = {"n_events": 1_000, "concepts": [{"generator": "Sin"}], "minority": 0.1}
    >>> scenario_from_dict(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: concepts[0]: unknown generator 'Sin'; valid generators: ...

    """
    fields = _fields(d, _SCENARIO)
    concepts = []
    for i, table in enumerate(fields.pop("concepts")):
        with _located(f"concepts[{i}]"):
            concepts.append(Concept(**_fields(table, _CONCEPT)))
    drifts = []
    for i, table in enumerate(fields.pop("drifts")):
        with _located(f"drifts[{i}]"):
            drifts.append(Drift(**_fields(table, _DRIFT)))
    minority = fields.pop("minority")
    if isinstance(minority, list):
        breakpoints = []
        for i, table in enumerate(minority):
            with _located(f"minority[{i}]"):
                breakpoints.append(tuple(_fields(table, _BREAKPOINT).values()))
        minority = PriorSchedule(breakpoints)
    return Scenario(concepts=concepts, minority=minority, drifts=drifts, **fields)


def load_scenario_file(path: str | pathlib.Path) -> Scenario:
    """Read a scenario from a TOML file (schema in the module's doc).

    Every problem raises `ConfigError`, naming the file and the faulty key.

    """
    path = pathlib.Path(path)
    document = _read(path)
    if "scenario" in document:
        raise ConfigError(
            f"{path}: holds a suite of [[scenario]] tables: read it with load_scenario_suite"
        )
    with _located(str(path)):
        return scenario_from_dict({"name": path.stem, **document})


def load_scenario_suite(path: str | pathlib.Path) -> list[Scenario]:
    """Read the `[[scenario]]` tables of a TOML file; a single-scenario file gives a list of one."""
    path = pathlib.Path(path)
    document = _read(path)
    if "scenario" not in document:
        return [load_scenario_file(path)]
    scenarios = []
    with _located(str(path)):
        tables = _fields(document, _SUITE)["scenario"]
        if not tables:
            raise ConfigError("the suite holds no [[scenario]] table")
        for i, table in enumerate(tables):
            with _located(f"scenario[{i}]"):
                scenarios.append(scenario_from_dict({"name": f"{path.stem}-{i}", **table}))
        names = [scenario.name for scenario in scenarios]
        for name in names:
            if names.count(name) > 1:
                raise ConfigError(f"two scenarios are named {name!r}: names must differ")
    return scenarios


def scenario_to_toml(scenario: Scenario) -> str:
    """Write a scenario as the text of a scenario file, which `load_scenario_file` reads back.

    Examples
    --------
    >>> from stream_imbal.simulation import get_scenario, scenario_to_toml
    >>> print(scenario_to_toml(get_scenario("demo")))
    name = "demo"
    n_events = 20000
    seed = 0
    label_noise = 0.0
    <BLANKLINE>
    [[concepts]]
    generator = "SEA"
    params = { variant = 0 }
    <BLANKLINE>
    [[concepts]]
    generator = "SEA"
    params = { variant = 3 }
    <BLANKLINE>
    [[drifts]]
    position = 10000
    kind = "abrupt"
    width = 0
    <BLANKLINE>
    [[minority]]
    position = 0
    share = 0.01
    shape = "step"
    <BLANKLINE>

    """
    header = {
        "name": scenario.name,
        "n_events": scenario.n_events,
        "seed": scenario.seed,
        "label_noise": float(scenario.label_noise),
    }
    arrays = [
        ("concepts", {"generator": c.generator, "params": dict(c.params)})
        for c in scenario.concepts
    ]
    arrays += [
        ("drifts", {"position": d.position, "kind": d.kind, "width": d.width})
        for d in scenario.drifts
    ]
    arrays += [
        ("minority", {"position": position, "share": share, "shape": shape})
        for position, share, shape in scenario.schedule.breakpoints
    ]
    blocks = [f"[[{key}]]\n{_toml_pairs(table)}" for key, table in arrays]
    return "\n".join([_toml_pairs(header), *blocks])


def _toml_pairs(table: dict) -> str:
    return "".join(f"{key} = {_toml_value(value)}\n" for key, value in table.items())


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) to TOML")


def _read(path: pathlib.Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"scenario file not found: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read scenario file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


@contextlib.contextmanager
def _located(where: str) -> Iterator[None]:
    """Prefix the message of a `ConfigError` raised inside with where it happened."""
    try:
        yield
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None


def _fields(table: Mapping[str, Any], spec: dict) -> dict[str, Any]:
    """The values of `spec`'s keys in `table`, type-checked, with defaults filled in."""
    unknown = [key for key in table if key not in spec]
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}; valid keys: {', '.join(spec)}")
    values = {}
    for key, (types, default) in spec.items():
        if key not in table:
            if default is _REQUIRED:
                raise ConfigError(f"missing required key {key!r}")
            values[key] = copy.copy(default)  # never share a mutable default
            continue
        value = table[key]
        if not any(_TYPES[name][0](value) for name in types):
            expected = " or ".join(_TYPES[name][1] for name in types)
            raise ConfigError(f"{key!r} must be {expected}, got {type(value).__name__} {value!r}")
        values[key] = float(value) if types == ("number",) else value
    return values
