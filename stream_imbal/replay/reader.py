"""Read a historical stream from a CSV, Parquet or JSONL file, row by row, in event-time order.

The file is read in bounded-memory chunks (`stream_imbal.files.read_chunks`). Columns are mapped
by `ColumnMap`: an id, a timestamp (an epoch time or an ISO-8601 date-time, UTC without a time
zone: `stream_imbal.validation.timestamp_seconds`), a label, optionally the time each label
became known, and the features (`stream_imbal.files.choose_features`; numbers only, as
`stream_imbal.files.numeric_values` reads them).

A row that cannot be replayed is a *bad row*: a missing id, a bad timestamp, a non-numeric or
infinite feature, a label that is not a bool, an integer or a string, a bad label time or
one before the event's, or a row out of event-time order. Each is reported as a `BadRowError`
naming its row (1-based data row of the file, the header not counted) to a `BadRows` policy,
which raises it (`fail`) or counts it and goes on (`skip`). A missing label is not an error:
the event is replayed unlabelled, and neither is a missing feature (an empty cell, null or NaN):
it is NaN in the row's features, for the missing-value policy (`stream_imbal.missing`).

**Epoch units.** Numeric times are epoch seconds, milliseconds, microseconds or nanoseconds:
`ts_unit` names the unit, or the first numeric time read says it by its magnitude
(`stream_imbal.files.ts_unit_of`: from 1e11 on, a time is in milliseconds, as 1e11 seconds is
the year 5138). Then a time whose magnitude says another unit is a bad row, never a time wrong
by a factor of 1,000. Label times are in the unit of the event times; date-time strings are
read as such.

**Event-time order.** With `reorder_window=0` (the default) a row older than the previous row
is out of order. With `reorder_window=k`, up to `k` rows are held back and released oldest
first, so a row may come up to `k` rows late; one older than a row already released is still
out of order.

>>> import pathlib, tempfile
>>> from stream_imbal.replay import BadRows, ColumnMap, FileReader
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tx.csv"
>>> _ = path.write_text(
...     "id,ts,amount,label\\n"
...     "a,2024-01-01T00:00:00Z,12.5,0\\n"
...     "b,2024-01-01T00:00:30Z,oops,0\\n"
...     "c,2024-01-01T00:01:00Z,900,1\\n"
... )
>>> bad_rows = BadRows("skip")
>>> for row in FileReader(path, ColumnMap(), on_bad_row=bad_rows):
...     print(row.number, row.event_id, row.ts, row.features, row.label)
1 a 1704067200.0 {'amount': 12.5} 0
3 c 1704067260.0 {'amount': 900.0} 1
>>> bad_rows.skipped, str(bad_rows.errors[0])
(1, "row 2: feature 'amount' is not a number: 'oops'")

"""

from __future__ import annotations

import collections
import dataclasses
import heapq
import math
import pathlib
from collections.abc import Callable, Hashable, Iterator

import numpy as np
import pandas as pd

from stream_imbal.exceptions import (
    ConfigError,
    InvalidEventError,
    InvalidLabelError,
    StreamImbalError,
)
from stream_imbal.files import (
    TS_UNIT_FROM,
    TS_UNITS,
    ColumnMap,
    decimal_comma_hint,
    missing_cells,
    numeric_values,
    read_chunks,
    shown_value,
    ts_unit_of,
)
from stream_imbal.validation import (
    check_features,
    event_id,
    is_missing,
    record_label,
    timestamp_seconds,
)

__all__ = ["BadRowError", "BadRows", "ColumnMap", "FileReader", "Row", "epoch_seconds"]

BAD_ROW_POLICIES = ("skip", "fail")
_EPOCH = pd.Timestamp(0, tz="UTC")


class BadRowError(StreamImbalError):
    """A row that cannot be replayed; `number` is its 1-based data row, `kind` what is wrong."""

    def __init__(self, number: int, kind: str, reason: str) -> None:
        super().__init__(f"row {number}: {reason}")
        self.number = number
        self.kind = kind


class BadRows:
    """What happens to bad rows: `fail` raises the first; `skip` counts them and goes on.

    Parameters
    ----------
    policy
        `"fail"` or `"skip"`.
    report
        Called with each skipped row's `BadRowError` (e.g. to print it).
    keep
        How many skipped errors to keep in `errors` (the count is always exact).

    """

    def __init__(
        self,
        policy: str = "fail",
        report: Callable[[BadRowError], None] | None = None,
        keep: int = 100,
    ) -> None:
        if policy not in BAD_ROW_POLICIES:
            raise ConfigError(f"bad-row policy must be one of {BAD_ROW_POLICIES}, got {policy!r}")
        self.policy = policy
        self.report = report
        self.keep = keep
        self.skipped = 0
        self.by_kind: collections.Counter[str] = collections.Counter()
        self.errors: list[BadRowError] = []

    def __call__(self, error: BadRowError) -> None:
        if self.policy == "fail":
            raise error
        self.skipped += 1
        self.by_kind[error.kind] += 1
        if len(self.errors) < self.keep:
            self.errors.append(error)
        if self.report is not None:
            self.report(error)


@dataclasses.dataclass(slots=True)
class Row:
    """One good row of the file."""

    number: int
    event_id: str | int
    ts: float
    features: dict[str, float]
    label: Hashable | None
    label_ts: float | None = None


class FileReader:
    """The good rows of a file in event-time order; bad rows go to `on_bad_row`.

    Parameters
    ----------
    path
        A `.csv`, `.parquet`, `.jsonl` or `.json` (JSON lines) file.
    columns
        The `ColumnMap`; by default `ColumnMap()` (columns `id`, `ts` and `label`).
    start_row
        Skip the first `start_row` data rows, unchecked (to resume a replay).
    reorder_window
        How many rows may be held back to put slightly late rows back in order.
    on_bad_row
        The `BadRows` policy; by default the first bad row raises.
    chunk_size
        Rows read at a time.
    ts_unit
        The unit of numeric times (`s`, `ms`, `us` or `ns`); by default that of the first
        numeric time read (after `start_row`), by its magnitude.

    Attributes
    ----------
    rows_read
        Data rows read so far, bad ones included, those skipped by `start_row` not.
    ts_unit
        The unit of numeric times: given, or said by the first numeric time read (None before).

    """

    def __init__(
        self,
        path: str | pathlib.Path,
        columns: ColumnMap | None = None,
        *,
        start_row: int = 0,
        reorder_window: int = 0,
        on_bad_row: BadRows | None = None,
        chunk_size: int = 10_000,
        ts_unit: str | None = None,
    ) -> None:
        if start_row < 0 or reorder_window < 0:
            raise ConfigError("start_row and reorder_window must be >= 0")
        if ts_unit is not None and ts_unit not in TS_UNITS:
            raise ConfigError(f"ts_unit must be one of {', '.join(TS_UNITS)}, got {ts_unit!r}")
        self.path = pathlib.Path(path)
        self.columns = columns if columns is not None else ColumnMap()
        self.start_row = start_row
        self.reorder_window = reorder_window
        self.on_bad_row = on_bad_row if on_bad_row is not None else BadRows()
        self.chunk_size = chunk_size
        self.ts_unit = ts_unit
        self.ts_unit_given = ts_unit is not None
        self.rows_read = 0

    def __iter__(self) -> Iterator[Row]:
        held: list[tuple[float, int, Row]] = []
        released = -math.inf
        for row in self._rows():
            if row.ts < released:
                self.on_bad_row(
                    BadRowError(
                        row.number,
                        "out of order",
                        f"out of event-time order: ts {row.ts} is before {released}, "
                        "the time of an earlier row",
                    )
                )
                continue
            if not self.reorder_window:  # nothing held back
                released = row.ts
                yield row
                continue
            heapq.heappush(held, (row.ts, row.number, row))
            if len(held) > self.reorder_window:
                released, _, oldest = heapq.heappop(held)
                yield oldest
        while held:
            yield heapq.heappop(held)[2]

    def _rows(self) -> Iterator[Row]:
        """Good rows in file order."""
        features = None
        number = 0  # data rows before the chunk
        for chunk in read_chunks(self.path, self.chunk_size):
            if number + len(chunk) <= self.start_row:
                number += len(chunk)
                continue
            if number < self.start_row:
                chunk = chunk.iloc[self.start_row - number :]
                number = self.start_row
            if features is None:
                features = self.columns.choose(list(chunk.columns)).features
                _check_numeric(chunk, features, self.path)
            self.rows_read += len(chunk)
            yield from self._chunk_rows(
                chunk.reindex(columns=[*self.columns.roles, *features]), features, number
            )
            number += len(chunk)

    def _times(self, values: pd.Series) -> tuple[list[float], list[float | None]]:
        """Epoch seconds, and each numeric time whose magnitude says another unit than the
        file's (else None; always None when the unit is given). The first numeric time read
        says the file's unit, if not given."""
        numbers = epoch_numbers(values)
        if self.ts_unit is None:
            found = numbers[np.isfinite(numbers)]
            self.ts_unit = ts_unit_of(found[0]) if len(found) else None
        seconds = _seconds(values, numbers, self.ts_unit or "s").tolist()
        if self.ts_unit_given or self.ts_unit is None:
            return seconds, [None] * len(values)
        units = np.searchsorted(TS_UNIT_FROM, np.abs(numbers), side="right")
        other = np.isfinite(numbers) & (units != list(TS_UNITS).index(self.ts_unit))
        return seconds, [v if o else None for v, o in zip(numbers.tolist(), other, strict=True)]

    def _other_unit(self, number: int, what: str, value: float) -> BadRowError:
        shown = int(value) if value.is_integer() else value
        return BadRowError(
            number,
            what,
            f"{what} {shown} is in epoch {TS_UNITS[ts_unit_of(value)][1]} by its magnitude, but "
            f"the file's are in epoch {TS_UNITS[self.ts_unit][1]} (--ts-unit to set)",
        )

    def _chunk_rows(self, chunk: pd.DataFrame, features: list[str], number: int) -> Iterator[Row]:
        columns = self.columns
        # Python lists: indexing numpy arrays one cell at a time is slow.
        ts, ts_other = self._times(chunk[columns.ts])
        values = np.column_stack([numeric_values(chunk[c]) for c in features])
        finite = (np.isfinite(values) | missing_cells(chunk[features])).all(axis=1).tolist()
        label_ts, label_other = (
            self._times(chunk[columns.label_time]) if columns.label_time else (None, None)
        )
        ids, labels = chunk[columns.id].tolist(), chunk[columns.label].tolist()
        rows = values.tolist()
        for i in range(len(chunk)):
            n = number + i + 1
            try:
                identifier = _event_id(ids[i], n)
                if not math.isfinite(ts[i]):
                    raise _bad_time(n, "timestamp", chunk[columns.ts].iloc[i])
                if ts_other[i] is not None:
                    raise self._other_unit(n, "timestamp", ts_other[i])
                if not finite[i]:
                    raise _bad_feature(n, features, chunk.iloc[i])
                label = _label(labels[i], n)
                known = None
                if label_ts is not None and label is not None:
                    if label_other[i] is not None:
                        raise self._other_unit(n, "label time", label_other[i])
                    known = _label_time(label_ts[i], ts[i], chunk[columns.label_time].iloc[i], n)
                    label = None if known is None else label
            except BadRowError as error:
                self.on_bad_row(error)
                continue
            x = dict(zip(features, rows[i], strict=True))
            try:
                check_features(x, missing_ok=True)  # finite already: the magnitude limit
            except InvalidEventError as error:
                self.on_bad_row(BadRowError(n, "feature", str(error)))
                continue
            yield Row(n, identifier, ts[i], x, label, known)


def epoch_seconds(values: pd.Series, unit: str = "s") -> np.ndarray:
    """Times as epoch seconds (floats), NaN where missing or not a time.

    A number (or a string of one) is an epoch time in `unit` (`s`, `ms`, `us` or `ns`); a column
    of date-times (Parquet) is converted as a whole; any other cell is read by
    `stream_imbal.validation.timestamp_seconds`, the rule of every entry point (an ISO-8601
    string; UTC without a time zone).

    >>> import pandas as pd
    >>> epoch_seconds(pd.Series([60, "1970-01-01T00:02:00", "1970-01-01 01:00+01:00", "x"]))
    array([ 60., 120.,   0.,  nan])
    >>> epoch_seconds(pd.Series([1_700_000_000_500]), unit="ms").tolist()
    [1700000000.5]

    """
    return _seconds(values, epoch_numbers(values), unit)


def epoch_numbers(values: pd.Series) -> np.ndarray:
    """The numeric times of a column as they are written, NaN for any other cell."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return np.full(len(values), np.nan)
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.array([_as_number(value) for value in values.tolist()], dtype=float)


def _seconds(values: pd.Series, numbers: np.ndarray, unit: str) -> np.ndarray:
    """`epoch_seconds`, given the column's `epoch_numbers`."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return _since_epoch(values)
    seconds = numbers / TS_UNITS[unit][0]
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return seconds
    strings = np.isnan(numbers)
    if strings.any():
        cells = values.tolist()
        seconds[strings] = [_seconds_or_nan(cells[i]) for i in np.flatnonzero(strings)]
    return seconds


def _as_number(value: object) -> float:
    """A cell as a number if it is one or a string of one (else NaN); an int beyond the float
    range is infinite."""
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | str):
        try:
            return float(value)
        except OverflowError:  # an int beyond the float range
            return math.inf if value > 0 else -math.inf
        except ValueError:
            return math.nan
    return math.nan


def _seconds_or_nan(value: object) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    try:
        return timestamp_seconds(value)
    except InvalidEventError:
        return math.nan


def _since_epoch(values: pd.Series) -> np.ndarray:
    if getattr(values.dt, "tz", None) is None:
        values = values.dt.tz_localize("UTC")
    return ((values - _EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=float, na_value=np.nan)


def _missing(value: object) -> bool:
    """Whether a cell is missing (None, NaN, NaT); a list or an object in a cell is not."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _check_numeric(chunk: pd.DataFrame, features: list[str], path: pathlib.Path) -> None:
    """A feature column without a single number is a mistake in the mapping, not bad rows."""
    for column in features:
        values = chunk[column][~missing_cells(chunk[[column]])[:, 0]]
        if len(values) and np.isnan(numeric_values(values)).all():
            example = values.iloc[0]
            raise ConfigError(
                f"{path}: column {column!r} is not numeric (e.g. {shown_value(example)}"
                f"{decimal_comma_hint(example)}); leave it out with --ignore or name the features "
                "with --feature"
            )


def _event_id(value: object, number: int) -> str | int:
    try:
        return event_id(value)
    except InvalidEventError as error:
        raise BadRowError(number, "id", str(error)) from None


def _label(value: object, number: int) -> Hashable | None:
    try:
        return record_label(value)
    except InvalidLabelError as error:
        raise BadRowError(number, "label", str(error)) from None


def _label_time(known: float, ts: float, raw: object, number: int) -> float | None:
    """When the label became known; None when missing (the label never came)."""
    if math.isnan(known):
        if _missing(raw):
            return None
        raise _bad_time(number, "label time", raw)
    if known < ts:
        raise BadRowError(
            number, "label time", f"label time {known} is before the event's time {ts}"
        )
    return float(known)


def _bad_time(number: int, what: str, raw: object) -> BadRowError:
    reason = f"missing {what}" if _missing(raw) else f"bad {what}: {shown_value(raw)}"
    return BadRowError(number, what, reason)


def _bad_feature(number: int, features: list[str], row: pd.Series) -> BadRowError:
    for name in features:
        value = row[name]
        if _missing(value) or is_missing(value):
            continue  # for the missing-value policy
        number_value = numeric_values(pd.Series([value], dtype=object))[0]
        if math.isnan(number_value):
            reason = (
                f"feature {name!r} is not a number: {shown_value(value)}{decimal_comma_hint(value)}"
            )
            return BadRowError(number, "feature", reason)
        if math.isinf(number_value):
            reason = f"feature {name!r} is infinite: {shown_value(value)}"
            return BadRowError(number, "feature", reason)
    raise AssertionError("a row with finite or missing features is not bad")  # pragma: no cover
