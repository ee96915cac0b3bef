"""Read labelled events from CSV, Parquet or JSONL files in bounded-memory chunks, and the one
rule for which columns are features (`choose_features`), for which cells are numbers
(`numeric_values`) and which are missing values (`missing_cells`: empty, null or NaN, left to the
missing-value policy, `stream_imbal.missing`), used by `evaluate` and `replay` alike.

A file's format is named by its suffix (`FORMATS`), gzip-compressed if it ends in `.gz`
(`events.csv.gz`, `events.jsonl.gz`). A CSV file's delimiter is the one of `,` `;` and tab that
splits its header into the most columns (a tie keeps the suffix's: tab for `.tsv`, else comma):
`file_format` says which, for a run to print it. `ColumnMap` names the columns of a replayed
file, and `ts_unit_of` the unit of a numeric epoch time by its magnitude (`TS_UNITS`).

A JSON lines file is read line by line with Python's `json`: NaN, Infinity, integers of any size
and strings with lone surrogates are read as written, for the checks of each row to refuse them
(`stream_imbal.validation`); a line that is not a JSON object (or has a key with a lone
surrogate) makes the file unreadable, with its line number. Text files may start with a UTF-8
byte-order mark.

pandas, numpy and pyarrow are imported by the functions that read rows: a command checks a
file's format, header and columns (`file_format`, `file_columns`, `choose_features`) at once.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import dataclasses
import gzip
import io
import itertools
import json
import math
import pathlib
import re
import zlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING

from stream_imbal.exceptions import ConfigError, InvalidEventError, InvalidLabelError
from stream_imbal.validation import check_features, is_missing, record_label

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "ColumnChoice",
    "ColumnMap",
    "FileFormat",
    "choose_features",
    "count_rows",
    "decimal_comma_hint",
    "file_columns",
    "file_format",
    "missing_cells",
    "numeric_values",
    "read_chunks",
    "read_labelled_events",
    "shown_columns",
    "shown_value",
    "ts_unit_of",
]

#: Suffix -> the format it names; each but `.parquet` (compressed inside) may be followed by `.gz`.
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
GZIP = ".gz"
#: The CSV delimiters told apart, the suffix's own first (it wins a tie).
DELIMITERS = {".csv": ",;\t", ".tsv": "\t,;"}
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
#: Unit of a numeric epoch time -> (how many make a second, its name).
TS_UNITS = {
    "s": (1.0, "seconds"),
    "ms": (1e3, "milliseconds"),
    "us": (1e6, "microseconds"),
    "ns": (1e9, "nanoseconds"),
}
#: The magnitude from which an epoch time is in the next unit of `TS_UNITS`: each is a time in
#: 1973 in that unit, whereas 1e11 seconds is the year 5138.
TS_UNIT_FROM = (1e11, 1e14, 1e17)
#: What a compressed or text file raises when its bytes are not what its suffix says.
READ_ERRORS = (ValueError, OSError, EOFError, zlib.error, csv.Error)
#: The encoding of CSV and JSON lines files: UTF-8, after a byte-order mark if there is one.
ENCODING = "utf-8-sig"
JSON_WHITESPACE = b" \t\r\n"
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


@dataclasses.dataclass(frozen=True)
class ColumnMap:
    """Which column of a replayed file holds what (`stream_imbal.replay.FileReader`).

    Parameters
    ----------
    id
        The event id (a string or an integer).
    ts
        The event time: epoch seconds or a date-time string.
    label
        The label (a bool, an integer or a string; missing means unlabelled).
    label_time
        When the label became known (as `ts`), if the file says so.
    features
        The feature columns; empty means every column not named above nor in `ignore`, and
        whose name does not say id or time (see `choose_features`).
    ignore
        Columns that are not features.

    """

    id: str = "id"
    ts: str = "ts"
    label: str = "label"
    label_time: str | None = None
    features: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @property
    def roles(self) -> dict[str, str]:
        """The columns that are not features, with what each holds."""
        roles = {self.id: "id", self.ts: "timestamp", self.label: "label"}
        return roles | ({self.label_time: "label time"} if self.label_time else {})

    def choose(self, columns: Sequence[str]) -> ColumnChoice:
        """The feature columns among the file's `columns` (`choose_features`)."""
        return choose_features(columns, self.roles, self.features, self.ignore)


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
            f"its columns: {shown_columns(list(columns))}{_one_column_hint(columns)}"
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
            f"name the features with --feature{_one_column_hint(columns)}"
        )
    return ColumnChoice(chosen, others)


def _one_column_hint(columns: Sequence[str]) -> str:
    """For a file read as a single column: its columns may be separated by another character."""
    if len(columns) != 1:
        return ""
    return (
        "; the file has a single column: are its columns separated by something else than "
        "',', ';' or a tab?"
    )


def count_rows(path: str | pathlib.Path) -> int:
    """The number of data rows of a CSV (lines after the header; a quoted field spanning lines
    makes it an over-estimate), Parquet (from its metadata) or JSONL (lines) file, for a
    progress total: read in blocks, without parsing."""
    form = file_format(path)
    try:
        if form.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(form.path).metadata.num_rows
        lines, last = 0, b"\n"
        with form.open_binary() as file:
            while block := file.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
    except READ_ERRORS as error:
        raise ConfigError(f"{form.path}: cannot be read as {form.kind}: {error}") from error
    lines += last != b"\n"  # a last line without its newline
    return max(lines - (form.kind == "csv"), 0)


def file_columns(path: str | pathlib.Path) -> list[str]:
    """The column names of a CSV, Parquet or JSONL file, as written (duplicates kept), read
    from its header (CSV), schema (Parquet) or first non-blank line (JSONL)."""
    form = file_format(path)
    try:
        if form.kind == "csv":
            with form.open_text() as file:
                return next(csv.reader(file, delimiter=form.delimiter), [])
        if form.kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(form.path).names)
        number, first = next(_json_lines(form), (0, ""))
        if not first:
            return []
        pairs = _json_value(first, number, object_pairs_hook=lambda items: items)
        if not (isinstance(pairs, list) and first.lstrip().startswith("{")):
            raise ValueError("the first line is not a JSON object")
        keys = [key for key, _ in pairs]
        _check_keys(keys, first, number)
        return keys
    except READ_ERRORS as error:
        raise ConfigError(f"{form.path}: cannot be read as {form.kind}: {error}") from error


@dataclasses.dataclass(frozen=True)
class FileFormat:
    """How a file is read: `kind` (`csv`, `parquet` or `jsonl`), whether it is gzip-compressed,
    and a CSV file's `delimiter`."""

    path: pathlib.Path
    kind: str
    compressed: bool = False
    delimiter: str | None = None

    def describe(self) -> str:
        """A few words for the header of a run.

        >>> FileFormat(pathlib.Path("tx.csv.gz"), "csv", True, ";").describe()
        "CSV separated by ';', gzip-compressed"
        """
        text = {"csv": "CSV", "parquet": "Parquet", "jsonl": "JSON lines"}[self.kind]
        if self.delimiter is not None:
            text += f" separated by {DELIMITER_NAMES[self.delimiter]}"
        return text + (", gzip-compressed" if self.compressed else "")

    @property
    def stem(self) -> str:
        """The file's name without its suffix (nor `.gz`), to name a run after it.

        >>> FileFormat(pathlib.Path("data/Tx.2024.csv.gz"), "csv", True, ",").stem
        'Tx.2024'
        """
        name = self.path.name[: -len(GZIP)] if self.compressed else self.path.name
        return pathlib.PurePath(name).stem

    def open_binary(self) -> IO[bytes]:
        """The file's bytes, decompressed."""
        return gzip.open(self.path) if self.compressed else self.path.open("rb")

    def open_text(self) -> IO[str]:
        """The file's text (after a byte-order mark if there is one), decompressed."""
        return io.TextIOWrapper(self.open_binary(), encoding=ENCODING, newline="")


def file_format(path: str | pathlib.Path) -> FileFormat:
    """The `FileFormat` of `path`, by its suffix and, for CSV, its header; `ConfigError` for a
    missing file, a suffix not read here or a header that cannot be read.

    >>> import tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tx.csv"
    >>> _ = path.write_text("id;amount;label\\na1;12,5;0\\n")
    >>> file_format(path).describe()
    "CSV separated by ';'"
    """
    path = pathlib.Path(path)
    name = path.name.lower()
    compressed = name.endswith(GZIP)
    suffix = pathlib.PurePath(name.removesuffix(GZIP)).suffix
    kind = FORMATS.get(suffix)
    if kind is None or (compressed and kind == "parquet"):
        raise ConfigError(
            f"{path}: unsupported file type {path.name!r}; expected {', '.join(FORMATS)}, "
            f"each but .parquet optionally gzip-compressed ({GZIP})"
        )
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    if kind != "csv":
        return FileFormat(path, kind, compressed)
    candidates = DELIMITERS[suffix]
    try:
        with FileFormat(path, kind, compressed).open_text() as file:
            header = file.readline()
        counts = [len(next(csv.reader([header], delimiter=d), [])) for d in candidates]
    except READ_ERRORS as error:
        raise ConfigError(f"{path}: cannot be read as {kind}: {error}") from error
    return FileFormat(path, kind, compressed, candidates[counts.index(max(counts))])


def read_chunks(path: str | pathlib.Path, chunk_size: int = 10_000) -> Iterator[pd.DataFrame]:
    """Yield the rows of a CSV, Parquet or JSONL file as DataFrames of at most `chunk_size` rows.

    Rows keep the file's order (replay files are expected in event-time order). A JSONL chunk
    has the keys of its lines as columns (a key missing from a line is a missing cell).
    """
    form = file_format(path)
    try:
        if form.kind == "csv":
            yield from _csv_chunks(form, chunk_size)
        elif form.kind == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(form.path).iter_batches(batch_size=chunk_size):
                yield batch.to_pandas()
        else:
            yield from _json_chunks(form, chunk_size)
    except READ_ERRORS as error:
        raise ConfigError(f"{form.path}: cannot be read as {form.kind}: {error}") from error


def _csv_chunks(form: FileFormat, chunk_size: int) -> Iterator[pd.DataFrame]:
    """The rows of a CSV file, `chunk_size` at a time, typed by pandas. A chunk pandas cannot
    type (pandas 3 raises OverflowError for a column whose first cell is an integer beyond the
    float range, and reads on after it) is read again as text and typed column by column."""
    import pandas as pd

    options = {
        "sep": form.delimiter,
        "chunksize": chunk_size,
        "encoding": ENCODING,
        "compression": "gzip" if form.compressed else None,
    }
    with pd.read_csv(form.path, **options) as chunks:
        for number in itertools.count():
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except OverflowError:
                with pd.read_csv(form.path, dtype=str, **options) as texts:
                    chunk = _typed_columns(next(itertools.islice(texts, number, None)))
            yield chunk


def _typed_columns(texts: pd.DataFrame) -> pd.DataFrame:
    """A CSV chunk read as text, each column typed as pandas types a CSV column read alone; one it
    cannot type keeps each cell as an int, a float or its text (`_cell_value`), for the checks of
    its rows to refuse the integer beyond the float range."""
    import pandas as pd

    columns = []
    for i in range(texts.shape[1]):
        cells = texts.iloc[:, i]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["column"])
        writer.writerows([["" if cell is None or cell != cell else cell] for cell in cells])
        try:
            column = pd.read_csv(io.StringIO(buffer.getvalue()))["column"]
        except OverflowError:
            column = pd.Series([_cell_value(cell) for cell in cells], dtype=object)
        columns.append(column.set_axis(texts.index))
    frame = pd.concat(columns, axis=1)
    frame.columns = texts.columns
    return frame


def _cell_value(cell: object) -> object:
    """A CSV cell's text as an int, else a float, else the text (a missing cell as is)."""
    if not isinstance(cell, str):
        return cell
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


def _json_chunks(form: FileFormat, chunk_size: int) -> Iterator[pd.DataFrame]:
    """The JSON objects of a JSON lines file, `chunk_size` at a time."""
    records: list[dict] = []
    for number, text in _json_lines(form):
        records.append(_json_object(text, number))
        if len(records) == chunk_size:
            yield _frame(records)
            records = []
    if records:
        yield _frame(records)


def _frame(records: list[dict]) -> pd.DataFrame:
    """Records as a DataFrame; a column pandas cannot type (a string with a lone surrogate, which
    a column of text cannot hold; an integer beyond the float range among numbers, which some
    pandas releases refuse) is kept as Python objects, for the checks of its rows to refuse."""
    import pandas as pd

    try:
        return pd.DataFrame.from_records(records)
    except (UnicodeEncodeError, OverflowError):
        keys = dict.fromkeys(key for record in records for key in record)
        return pd.DataFrame({key: _column([r.get(key) for r in records]) for key in keys})


def _column(values: list) -> pd.Series:
    """`values` as a column of their own type, or of Python objects where pandas cannot type
    them."""
    import pandas as pd

    if all(_is_unicode(v) for v in values if isinstance(v, str)):
        try:
            return pd.Series(values)
        except OverflowError:
            pass
    return pd.Series(values, dtype=object)


def _json_lines(form: FileFormat) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSON lines file (lines end at `\\n`), with their numbers, or
    `ValueError` for one that is not UTF-8 text."""
    with form.open_binary() as file:
        for number, line in enumerate(file, start=1):
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if not line.strip(JSON_WHITESPACE):
                continue
            try:
                yield number, line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(f"line {number} is not UTF-8 text ({error.reason})") from None


def _json_object(text: str, number: int) -> dict:
    """One line of a JSON lines file as a dict, or `ValueError` saying what is wrong with it."""
    value = _json_value(text, number)
    if not isinstance(value, dict):
        raise ValueError(f"line {number} is not a JSON object: {shown_value(text.strip())}")
    _check_keys(value, text, number)
    return value


def _json_value(text: str, number: int, **options) -> object:
    """`json.loads(text, **options)`, or `ValueError` naming line `number`."""
    try:
        return json.loads(text, **options)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"line {number} is not JSON ({error.msg} at column {error.colno})"
        ) from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise ValueError(f"line {number}: {error}") from None
    except RecursionError:
        raise ValueError(f"line {number} is nested too deeply") from None


def _check_keys(keys: Iterable[str], text: str, number: int) -> None:
    """`ValueError` for a key with a lone surrogate: a column name must be text."""
    if "\\u" in text:  # only an escape makes a lone surrogate
        for key in keys:
            if not _is_unicode(key):
                raise ValueError(f"line {number}: the key {shown_value(key)} has a lone surrogate")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def numeric_values(values: pd.Series) -> np.ndarray:
    """A column as floats: NaN where a cell is missing or not a number, an infinity where it is
    beyond the float range (`1e400`, or an integer of 400 digits in JSON).

    >>> import pandas as pd
    >>> numeric_values(pd.Series([1, "2.5", "x", None, [3], -(10**400), "\\ud800"])).tolist()
    [1.0, 2.5, nan, nan, nan, -inf, nan]
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan)
    try:
        numbers = pd.to_numeric(values, errors="coerce")
    except (OverflowError, UnicodeEncodeError):  # in an object column read from JSON
        numbers = pd.to_numeric(values.map(_convertible), errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def missing_cells(frame: pd.DataFrame) -> np.ndarray:
    """Which cells of `frame` are missing values (`stream_imbal.validation.is_missing`: empty,
    null, NaN or blank text), as a boolean array.

    >>> import pandas as pd
    >>> missing_cells(pd.DataFrame({"a": [1.0, None], "b": ["x", " "]})).tolist()
    [[False, False], [True, True]]
    """
    import pandas as pd

    cells = frame.isna().to_numpy(copy=True)
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if not pd.api.types.is_numeric_dtype(values):  # text: a blank cell is missing too
            cells[:, i] |= values.map(is_missing).to_numpy(dtype=bool)
    return cells


def _convertible(value: object) -> object:
    """An int beyond the float range as an infinity, a string with a lone surrogate as NaN."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str) and not _is_unicode(value):
        return math.nan
    return value


def read_labelled_events(
    path: str | pathlib.Path,
    target: str,
    ignore: Iterable[str] = (),
    chunk_size: int = 10_000,
    features: Sequence[str] = (),
) -> Iterator[tuple[dict, Hashable]]:
    """Yield `(features, label)` pairs from a file; the features are chosen by
    `choose_features` (every column but `target`, `ignore` and id- or time-like names, unless
    `features` names them) and must be numeric or missing (NaN, for the missing-value policy).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("tx_id,amount,hour,fraud\\na1,12.5,3,0\\na2,900.0,4,1\\n")
    >>> list(read_labelled_events(path, target="fraud"))
    [({'amount': 12.5, 'hour': 3.0}, 0), ({'amount': 900.0, 'hour': 4.0}, 1)]

    """
    import numpy as np

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
        # a JSONL chunk lacks the keys none of its lines has: missing cells
        chunk = chunk.reindex(columns=[target, *chosen])
        numbers = np.column_stack([numeric_values(chunk[column]) for column in chosen])
        not_numbers = np.isnan(numbers) & ~missing_cells(chunk[chosen])
        refused = not_numbers.any(axis=1).tolist()
        labels = chunk[target].tolist()
        for i, (raw, vector) in enumerate(zip(labels, numbers.tolist(), strict=True)):
            row += 1
            if refused[i]:
                column = chosen[int(not_numbers[i].argmax())]
                cell = chunk[column].iloc[i]
                raise InvalidEventError(
                    f"{path}: row {row}, column {column!r}: {shown_value(cell)} is not a number"
                    f"{decimal_comma_hint(cell)}; pass --ignore {column} to leave the column out"
                )
            x = dict(zip(chosen, vector, strict=True))
            try:
                label = record_label(raw)
                check_features(x, missing_ok=True)
            except (InvalidEventError, InvalidLabelError) as error:
                raise type(error)(f"{path}: row {row}: {error}") from None
            if label is None:
                raise InvalidLabelError(f"{path}: row {row} has no label in {target!r}")
            yield x, label


def ts_unit_of(value: float) -> str:
    """The unit of a numeric epoch time by its magnitude (`TS_UNIT_FROM`).

    >>> ts_unit_of(1_700_000_000), ts_unit_of(1.7e12), ts_unit_of(1.7e15), ts_unit_of(-1.7e18)
    ('s', 'ms', 'us', 'ns')
    """
    return list(TS_UNITS)[bisect.bisect_right(TS_UNIT_FROM, abs(value))]


def decimal_comma_hint(value: object) -> str:
    """A hint for a cell that is not a number because of its decimal comma (`12,5`).

    >>> decimal_comma_hint("-12,5"), decimal_comma_hint("x")
    (' (a decimal comma: numbers are read with a decimal point)', '')
    """
    if isinstance(value, str) and DECIMAL_COMMA.fullmatch(value.strip()):
        return " (a decimal comma: numbers are read with a decimal point)"
    return ""


def shown_columns(columns: list[str], limit: int = 10) -> str:
    """The first `limit` column names, and how many more there are.

    >>> shown_columns(["a", "b", "c"], limit=2)
    "'a', 'b' and 1 more"
    """
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def shown_value(value: object, limit: int = 80) -> str:
    """A cell for an error message: its `repr`, cut to about `limit` characters.

    >>> shown_value("x" * 1000, limit=10)
    "'xxxxxxxx... (1,002 characters)"
    >>> shown_value(-(10**400))
    'an integer of about -10**400'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of about {'-' if value < 0 else ''}10**{math.log10(abs(value)):.0f}"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}... ({len(text):,} characters)"
