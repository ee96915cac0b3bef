"""The files a run writes into its directory, read back and checked for a report."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib

import numpy as np
import pandas as pd

from stream_imbal.exceptions import ConfigError
from stream_imbal.report.scenario_file import ScenarioRecord

__all__ = ["COUNT_COLUMNS", "SCORE_COLUMNS", "RunFiles"]

# Window columns a report reads: counts are never missing, scores are NaN where undefined.
COUNT_COLUMNS = ["start", "end", "tp", "fp", "fn", "tn"]
SCORE_COLUMNS = [
    "gmean",
    "minority_recall",
    "minority_precision",
    "prior_estimate",
    "prior_low",
    "prior_high",
    "prior_true",
    "threshold",
]


@dataclasses.dataclass(eq=False)
class RunFiles:
    """What a run wrote: `windows.csv`, and when present `drift_events.csv`, `summary.json` and
    `scenario.json`.

    Attributes
    ----------
    path
        The run's directory.
    windows
        One row per window (see `stream_imbal.evaluate.WINDOW_COLUMNS`), ordered by `end`.
    drift_events
        The detected drifts (`index`, `kind`, ...), ordered by `index`; empty if none.
    summary
        The run's summary scores, NaN where undefined, and what it ran (`model`, `input`);
        empty without `summary.json`.
    scenario
        The simulated scenario, None if the run was not a simulation.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from stream_imbal.report import RunFiles

    >>> with tempfile.TemporaryDirectory() as directory:
    ...     pd.DataFrame({"start": [0], "end": [10]}).to_csv(f"{directory}/windows.csv")
    ...     RunFiles.read(directory)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: .../windows.csv: missing column(s) tp, fp, fn, tn, ...

    """

    path: pathlib.Path
    windows: pd.DataFrame
    drift_events: pd.DataFrame
    summary: dict[str, float | str]
    scenario: ScenarioRecord | None

    def __post_init__(self):
        self.path = pathlib.Path(self.path)

    @property
    def name(self) -> str:
        """The scenario's name, else the directory's."""
        return self.scenario.name if self.scenario else self.path.resolve().name

    @classmethod
    def read(cls, directory: str | os.PathLike) -> RunFiles:
        """Read the run in `directory`; anything missing or malformed raises `ConfigError`."""
        path = pathlib.Path(directory)
        if not path.is_dir():
            raise ConfigError(f"{path}: not a directory")
        if not (path / "windows.csv").is_file():
            raise ConfigError(
                f"{path}: no windows.csv; a run directory is the --out of "
                "`stream-imbal simulate`, `evaluate` or `replay`"
            )
        return cls(
            path=path,
            windows=_read_windows(path / "windows.csv"),
            drift_events=_read_drift_events(path / "drift_events.csv"),
            summary=_read_summary(path / "summary.json"),
            scenario=ScenarioRecord.read(path),
        )


def _read_csv(path: pathlib.Path, columns: list[str]) -> pd.DataFrame:
    """The table in `path`, with `columns` numeric (NaN allowed)."""
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not a readable CSV file ({error})") from error
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna() | np.isinf(values)
        if bad.any():
            row = int(bad.idxmax())
            raise ConfigError(
                f"{path}: column {column} holds {table[column][row]!r} on data row {row + 1}, "
                "not a finite number"
            )
        table[column] = values
    return table


def _read_windows(path: pathlib.Path) -> pd.DataFrame:
    windows = _read_csv(path, COUNT_COLUMNS + SCORE_COLUMNS)
    if windows.empty:
        raise ConfigError(f"{path}: holds no windows (the run scored no event)")
    counts = windows[COUNT_COLUMNS]
    if counts.isna().any().any() or (counts < 0).any().any():
        raise ConfigError(f"{path}: {', '.join(COUNT_COLUMNS)} must be counts, never missing")
    if (windows["end"] <= windows["start"]).any() or (windows["end"].diff() <= 0).any():
        raise ConfigError(f"{path}: windows must be non-empty and ordered by `end`")
    return windows


def _read_drift_events(path: pathlib.Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame({"index": pd.Series(dtype=int), "kind": pd.Series(dtype=str)})
    events = _read_csv(path, ["index"])
    if "kind" not in events.columns or events["index"].isna().any():
        raise ConfigError(f"{path}: every drift event needs an index and a kind")
    events["kind"] = events["kind"].fillna("unknown").astype(str)
    return events.sort_values("index", kind="stable", ignore_index=True)


def _read_summary(path: pathlib.Path) -> dict[str, float | str]:
    if not path.is_file():
        return {}
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ConfigError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(summary, dict):
        raise ConfigError(f"{path}: expected an object of scores")
    return {key: math.nan if value is None else value for key, value in summary.items()}
