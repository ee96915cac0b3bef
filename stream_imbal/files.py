"""Read labelled events from CSV, Parquet or JSONL files in bounded-memory chunks, and the one
rule for which columns are features (`choose_features`), used by `evaluate` and `replay` alike.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import pathlib
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence

import pandas as pd
import pyarrow.parquet as pq

from stream_imbal.exceptions import ConfigError, InvalidEventError, InvalidLabelError
from stream_imbal.validation import check_features, record_label

__all__ = [
    "ColumnChoice",
    "choose_features",
    "count_rows",
    "file_columns",
    "read_chunks",
    "read_labelled_events",
    "shown_columns",
]

SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")
#: The command-line option that names the column of each role.
ROLE_OPTIONS = {
    "id": "--id-column",
    "timestamp": "--ts-column",
    "label": "--target",
    "label time": "--label-time-column",
    "feature": "--feature",
}
#: Column names that are not features unless named as such: ids and times.
ID_LIKE = re.compile(r"^(id|uuid|guid|key)$|_(id|uuid|key)$", re.IGNORECASE)
TIME_LIKE = re.compile(
    r"^(ts|time|timestamp|date|datetime)$|_(ts|time|timestamp|date|datetime|at)$", re.IGNORECASE
)


@dataclasses.dataclass(frozen=True)
class ColumnChoice:
    """The feature columns of a file, and every other column with why it is not one."""

    features: list[str]
    not_features: dict[str, str]

    def describe(self) -> str:
        """One line for the header of a run."""
        others = ", ".join(f"{c} ({why})" for c, why in self.not_features.items()) or "none"
        return (
            f"features ({len(self.features)}): {', '.join(self.features)}; not features: {others}"
        )


def choose_features(
    columns: Sequence[str],
    roles: dict[str, str],
    features: Sequence[str] = (),
    ignore: Iterable[str] = (),
) -> ColumnChoice:
    """Which of a file's `columns` are features.

    `roles` names the columns that hold something else (column -> its role, e.g. `{"label":
    "label"}`). With `features`, exactly those; otherwise every other column but those in
    `ignore` and those whose name says id or time (`id`, `*_id`, `ts`, `*_time`, `*_at`...),
    which become features only when named in `features`.

    >>> choice = choose_features(["id", "ts", "amount", "label_ts", "label"], {"label": "label"})
    >>> choice.features, choice.not_features
    (['amount'], {'id': 'id-like name', 'ts': 'time-like name', 'label_ts': 'time-like name', \
'label': 'label'})
    """
    duplicated = sorted({c for c in columns if list(columns).count(c) > 1})
    if duplicated:
        raise ConfigError(f"duplicate column name {duplicated[0]!r}: name each column once")
    missing = [c for c in [*roles, *features] if c not in columns]
    if missing:
        role = roles.get(missing[0], "feature")
        raise ConfigError(
            f"no {role} column {missing[0]!r} (name it with {ROLE_OPTIONS[role]}); "
            f"its columns: {shown_columns(list(columns))}"
        )
    clash = [c for c in features if c in roles]
    if clash:
        raise ConfigError(f"column {clash[0]!r} is the {roles[clash[0]]}: it cannot be a feature")
    ignored = set(ignore)
    chosen, others = [], {}
    for column in columns:
        if column in roles:
            others[column] = roles[column]
        elif features:
            if column in features:
                chosen.append(column)
            else:
                others[column] = "not named with --feature"
        elif column in ignored:
            others[column] = "ignored"
        elif ID_LIKE.search(column):
            others[column] = "id-like name"
        elif TIME_LIKE.search(column):
            others[column] = "time-like name"
        else:
            chosen.append(column)
    if not chosen:
        raise ConfigError(
            f"no feature column left ({', '.join(f'{c}: {w}' for c, w in others.items())}); "
            "name the features with --feature"
        )
    return ColumnChoice(chosen, others)


def count_rows(path: str | pathlib.Path) -> int:
    """The number of data rows of a CSV (lines after the header; a quoted field spanning lines
    makes it an over-estimate), Parquet (from its metadata) or JSONL (lines) file, for a
    progress total: read in blocks, without parsing."""
    path = pathlib.Path(path)
    if path.suffix.lower() == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    lines, last = 0, b"\n"
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"  # a last line without its newline
    return max(lines - (path.suffix.lower() == ".csv"), 0)


def file_columns(path: str | pathlib.Path) -> list[str]:
    """The column names of a CSV, Parquet or JSONL file, as written (duplicates kept), read
    from its header (CSV), schema (Parquet) or first line (JSONL)."""
    path, suffix = _checked(path)
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as file:
                return next(csv.reader(file), [])
        if suffix == ".parquet":
            return list(pq.read_schema(path).names)
        with path.open(encoding="utf-8") as file:
            first = file.readline()
        if not first.strip():
            return []
        pairs = json.loads(first, object_pairs_hook=lambda items: items)
        if not (isinstance(pairs, list) and first.lstrip().startswith("{")):
            raise ValueError("the first line is not a JSON object")
        return [key for key, _ in pairs]
    except (ValueError, OSError) as error:
        raise ConfigError(f"{path}: cannot be read as {suffix[1:]}: {error}") from error


def _checked(path: str | pathlib.Path) -> tuple[pathlib.Path, str]:
    """The path and its lower-case suffix, or `ConfigError` for a file type not read here or a
    missing file."""
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{path}: unsupported file type {suffix!r}; expected one of {SUFFIXES}")
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    return path, suffix


def read_chunks(path: str | pathlib.Path, chunk_size: int = 10_000) -> Iterator[pd.DataFrame]:
    """Yield the rows of a CSV, Parquet or JSONL file as DataFrames of at most `chunk_size` rows.

    Rows keep the file's order (replay files are expected in event-time order).
    """
    path, suffix = _checked(path)
    try:
        if suffix == ".csv":
            yield from pd.read_csv(path, chunksize=chunk_size)
        elif suffix == ".parquet":
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                yield batch.to_pandas()
        else:
            yield from pd.read_json(path, lines=True, chunksize=chunk_size)
    except (ValueError, OSError) as error:
        raise ConfigError(f"{path}: cannot be read as {suffix[1:]}: {error}") from error


def read_labelled_events(
    path: str | pathlib.Path,
    target: str,
    ignore: Iterable[str] = (),
    chunk_size: int = 10_000,
    features: Sequence[str] = (),
) -> Iterator[tuple[dict, Hashable]]:
    """Yield `(features, label)` pairs from a file; the features are chosen by
    `choose_features` (every column but `target`, `ignore` and id- or time-like names, unless
    `features` names them) and must be numeric.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("tx_id,amount,hour,fraud\\na1,12.5,3,0\\na2,900.0,4,1\\n")
    >>> list(read_labelled_events(path, target="fraud"))
    [({'amount': 12.5, 'hour': 3.0}, 0), ({'amount': 900.0, 'hour': 4.0}, 1)]

    """
    chosen = None
    row = 0
    for chunk in read_chunks(path, chunk_size):
        if chosen is None:
            try:
                chosen = choose_features(
                    list(chunk.columns), {target: "label"}, features, ignore
                ).features
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
        for column in chosen:
            _check_numeric(path, chunk[column], row)
        labels = chunk[target].tolist()
        values = chunk[chosen].astype(float).to_numpy().tolist()
        for raw, vector in zip(labels, values, strict=True):
            row += 1
            x = dict(zip(chosen, vector, strict=True))
            try:
                label = record_label(raw)
                check_features(x)
            except (InvalidEventError, InvalidLabelError) as error:
                raise type(error)(f"{path}: row {row}: {error}") from None
            if label is None:
                raise InvalidLabelError(f"{path}: row {row} has no label in {target!r}")
            yield x, label


def _check_numeric(path: pathlib.Path, values: pd.Series, row: int) -> None:
    """Raise `InvalidEventError` naming the first cell of `values` that is not a number."""
    if pd.api.types.is_numeric_dtype(values) or values.empty:
        return
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    first = int(bad.to_numpy().argmax())
    raise InvalidEventError(
        f"{path}: row {row + first + 1}, column {values.name!r}: {values.iloc[first]!r} is not "
        f"a number; pass --ignore {values.name} to leave the column out"
    )


def shown_columns(columns: list[str], limit: int = 10) -> str:
    """The first `limit` column names, and how many more there are.

    >>> shown_columns(["a", "b", "c"], limit=2)
    "'a', 'b' and 1 more"
    """
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")
