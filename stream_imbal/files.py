"""Read labelled events from CSV, Parquet or JSONL files in bounded-memory chunks."""

from __future__ import annotations

import pathlib
from collections.abc import Hashable, Iterable, Iterator

import pandas as pd
import pyarrow.parquet as pq

from stream_imbal.exceptions import ConfigError, InvalidEventError, InvalidLabelError

__all__ = ["read_chunks", "read_labelled_events"]

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
            raise ConfigError(f"{path}: no column {target!r}; columns: {list(chunk.columns)}")
        features = [c for c in chunk.columns if c != target and c not in ignored]
        if not features:
            raise ConfigError(f"{path}: no feature columns left besides {target!r}")
        for column in features:
            if not pd.api.types.is_numeric_dtype(chunk[column]):
                raise InvalidEventError(
                    f"{path}: column {column!r} is not numeric (e.g. {chunk[column].iloc[0]!r}); "
                    "pass --ignore to leave it out"
                )
        labels = chunk[target].tolist()
        values = chunk[features].astype(float).to_numpy().tolist()
        for label, vector in zip(labels, values, strict=True):
            if label is None or label != label:  # None or NaN
                raise InvalidLabelError(f"{path}: row {row + 1} has no label in {target!r}")
            yield dict(zip(features, vector, strict=True)), label
            row += 1
