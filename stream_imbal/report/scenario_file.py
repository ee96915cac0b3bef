"""`scenario.json`: what a simulated run's scenario was, kept next to its results.

A report reads the true drift points from it, so that a run can be plotted long after the
scenario that made it has changed or been forgotten.

"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib

from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import Scenario

__all__ = ["SCENARIO_FILE", "ScenarioRecord"]

SCENARIO_FILE = "scenario.json"


@dataclasses.dataclass(frozen=True)
class ScenarioRecord:
    """The name, description and true drift points of a scenario.

    Parameters
    ----------
    name
        The scenario's name.
    description
        Its readable summary (`Scenario.describe()`).
    n_events
        Its length.
    drift_points
        `(event index, kind)` of every true change, `kind` `"concept"` or `"prior"`.

    Examples
    --------
    >>> import tempfile
    >>> from stream_imbal.report import ScenarioRecord
    >>> from stream_imbal.simulation import get_scenario

    >>> record = ScenarioRecord.from_scenario(get_scenario("demo", n_events=4_000))
    >>> record.name, record.drift_points
    ('demo', [(2000, 'concept')])
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     _ = record.write(directory)
    ...     ScenarioRecord.read(directory) == record
    True

    """

    name: str
    description: str
    n_events: int
    drift_points: list[tuple[int, str]]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ScenarioRecord:
        """The record of `scenario`."""
        return cls(
            name=scenario.name,
            description=scenario.describe(),
            n_events=scenario.n_events,
            drift_points=[(int(index), kind) for index, kind in scenario.drift_points],
        )

    def write(self, directory: str | os.PathLike) -> pathlib.Path:
        """Write `scenario.json` into `directory`; return its path."""
        path = pathlib.Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        document = dataclasses.asdict(self)
        document["drift_points"] = [{"index": i, "kind": k} for i, k in self.drift_points]
        (path / SCENARIO_FILE).write_text(json.dumps(document, indent=2), encoding="utf-8")
        return path / SCENARIO_FILE

    @classmethod
    def read(cls, directory: str | os.PathLike) -> ScenarioRecord | None:
        """The record in `directory`'s `scenario.json`, None if there is none.

        A malformed file raises `ConfigError`.

        """
        path = pathlib.Path(directory) / SCENARIO_FILE
        if not path.is_file():
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            points = [(point["index"], point["kind"]) for point in document["drift_points"]]
            record = cls(
                name=document["name"],
                description=document["description"],
                n_events=document["n_events"],
                drift_points=points,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{path}: not a scenario record ({error!r})") from error
        record._check(path)
        return record

    def _check(self, path: pathlib.Path) -> None:
        fields = [(self.name, str), (self.description, str), (self.n_events, int)]
        fields += [(value, int) for value, _ in self.drift_points]
        fields += [(value, str) for _, value in self.drift_points]
        for value, kind in fields:
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ConfigError(f"{path}: expected {kind.__name__} values, found {value!r}")
