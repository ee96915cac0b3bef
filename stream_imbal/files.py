"""Read labelled events from CSV, Parquet or JSONL files in bounded-memory chunks."""

from __future__ import annotations

import pathlib
from collections.abc import Hashable, Iterable, Iterator

import pandas as pd
import pyarrow.parquet as pq

from stream_imbal.exceptions import ConfigError, InvalidEventError, InvalidLabelError
from stream_imbal.validation import check_features, record_label

__all__ = ["read_chunks", "read_labelled_events", "shown_columns"]

SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")


def read_chunks(path: str | pathlib.Path, chunk_size: int = 10_000) -> Iterator[pd.DataFrame]:
    """Yield the rows of a CSV, Parquet or JSONL file as DataFrames of at most `chunk_size` rows.

    Rows keep the file's order (replay files are expected in event-time order).
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{path}: unsupported file type {suffix!r}; expected one of {SUFFIXES}")
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
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
    path: str | pathlib.Path, target: str, ignore: Iterable[str] = (), chunk_size: int = 10_000
) -> Iterator[tuple[dict, Hashable]]:
    """Yield `(features, label)` pairs from a file; every column but `target` and `ignore` is a
    feature and must be numeric.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("amount,hour,fraud\\n12.5,3,0\\n900.0,4,1\\n")
    >>> list(read_labelled_events(path, target="fraud"))
    [({'amount': 12.5, 'hour': 3.0}, 0), ({'amount': 900.0, 'hour': 4.0}, 1)]

    """
    ignored = set(ignore)
    row = 0
    for chunk in read_chunks(path, chunk_size):
        if target not in chunk.columns:
            raise ConfigError(
                f"{path}: no column {target!r} (name the label column with --target); "
                f"its columns: {shown_columns(list(chunk.columns))}"
            )
        features = [c for c in chunk.columns if c != target and c not in ignored]
        if not features:
            raise ConfigError(f"{path}: no feature columns left besides {target!r}")
        for column in features:
            _check_numeric(path, chunk[column], row)
        labels = chunk[target].tolist()
        values = chunk[features].astype(float).to_numpy().tolist()
        for raw, vector in zip(labels, values, strict=True):
            row += 1
            x = dict(zip(features, vector, strict=True))
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
