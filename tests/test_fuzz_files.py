"""Hostile files through `evaluate` and `replay`: whatever a CSV, JSONL or Parquet file holds,
a run either goes through or ends with one `Error:` line and a nonzero exit code, never a
traceback; with `--on-bad-row skip`, bad rows are skipped and counted.

Property-based (hypothesis): a dozen or so valid rows (enough for a run to be scored: two
classes, a window of 10 events) with hostile cells in every column (huge integers, floats at
the limits, NaN and infinities as text, long and non-BMP strings, lone surrogates, empty cells,
nulls, nested lists and objects, duplicate JSON keys, missing keys, lines that are not JSON),
or whole files of random bytes. The commands run in-process through click's `CliRunner`, in
standalone mode as `stream-imbal` runs them (an error is the `SystemExit` after `Error: ...`),
writing into temporary directories (`--out`). Plain examples below pin each bug these
properties found.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import math
import os
import pathlib
import re
import tempfile
import traceback

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stream_imbal.cli import main
from stream_imbal.exceptions import InvalidLabelError, StreamImbalError
from stream_imbal.files import read_labelled_events
from stream_imbal.replay import BadRows, ColumnMap, FileReader
from stream_imbal.validation import MAX_ID_LENGTH


def fuzz(examples: int) -> settings:
    """Few examples (the whole file runs in seconds), no deadline (the first run imports
    river), and no example database written into the repository."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


WINDOW = "10"  # the smallest window: a dozen valid rows make a scored run
N_VALID = st.integers(min_value=12, max_value=20)
#: (id column, time column): replay is told them; evaluate leaves them out by their names.
ID_TS = st.sampled_from([("id", "ts"), ("tx_id", "created_at"), ("key", "timestamp")])
FEATURES = ("a", "b")
LABEL = "label"
LABEL_TIME = "label_ts"  # when the label became known: read only with --label-time-column
SHOWN_BAD_ROWS = 20  # replay prints the first 20 skipped rows, then only counts them

# --- hostile cell values -------------------------------------------------------------------

HUGE_INTS = [
    2**53 + 1,
    -(2**53) - 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    2**70,
    -(2**70),
    10**400,
    -(10**400),
]
LIMIT_FLOATS = [
    1e308,
    -1e308,
    1.7976931348623157e308,
    5e-324,
    -5e-324,
    -0.0,
    2.0**53,
    2.0**70,
    -(2.0**70),
    1e100,
    1.0000000000000002e100,
    0.5,
    math.nan,
    math.inf,
    -math.inf,
]
LONE_SURROGATES = ["\ud800", "\udfff", "a\udc80b", "\udbff"]
TRICKY_TEXT = [
    "",
    " ",
    "NaN",
    "nan",
    "-nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "-1e400",
    "1e308",
    "5e-324",
    "0x1A",
    "1_000",
    "1,5",
    "١٢٣",  # Arabic-Indic digits
    "２",  # a full-width digit
    "2024-01-01T00:00:00+05:00",
    "2024-01-01 00:00:00Z",
    "2024-13-45",
    "9999-12-31T23:59:59",
    "0001-01-01",
    "null",
    "None",
    "NA",
    "N/A",
    "#N/A",
    "true",
    "[1, 2]",
    '{"a": 1}',
    "a\nb",
    "a\rb",
    '"',
    "a,b",
    "\ufeff",
    "\x00",
    "\U0001f600",
    "\U0010ffff",
    "e\u0301",
]


@st.composite
def long_text(draw):
    char = draw(st.sampled_from(["x", "é", "\U0001f600", ",", '"', "\n", " "]))
    return char * draw(st.integers(min_value=1000, max_value=3000))


nested = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)

#: A hostile value of any column, as a Python value (a JSONL file writes it as JSON, a CSV file
#: as text, a Parquet file as pyarrow can hold it). Lone surrogates, which make a CSV file
#: undecodable as a whole, are drawn less often than the rest.
hostile = st.one_of(
    st.sampled_from(HUGE_INTS),
    st.integers(),
    st.sampled_from(LIMIT_FLOATS),
    st.floats(),
    st.sampled_from(TRICKY_TEXT),
    st.sampled_from(TRICKY_TEXT),
    st.text(max_size=12),
    long_text(),
    st.sampled_from([None, True, False]),
    nested,
    st.sampled_from(LONE_SURROGATES) | st.sampled_from(TRICKY_TEXT),
)

#: JSON tokens that Python's json module reads (non-standard ones included) or that are no JSON.
RAW_JSON_TOKENS = [
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1.5e-400",
    "-0",
    "1E+2",
    "123456789012345678901234567890",
    "1" * 5000,  # beyond Python's 4,300 digits for int()
    "[" * 5000 + "]" * 5000,  # nested beyond the recursion limit
    "01",
    "tru",
    "'x'",
    "undefined",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u0000"',
    "[]",
    "{}",
]
#: Whole lines of a JSONL file that are no JSON object, or blank.
BAD_JSON_LINES = [
    "",
    "   ",
    "\r",
    "not json",
    "[1, 2]",
    "3",
    "null",
    '"text"',
    "{",
    "}",
    "{}",
    '{"a": }',
    '{"a": 1,}',
    '{"\\ud800": 1}',
    "\ufeff{}",
    "\x00",
]

# --- files ---------------------------------------------------------------------------------

#: A table: (column names, rows), a row a list of (key, value) pairs (a JSONL row may repeat a
#: key or lack one).


def valid_rows(n: int, id_column: str, ts_column: str) -> list[list[tuple[str, object]]]:
    """`n` good rows in time order, each label known 5 s after its event; every fourth is of
    the minority class 1."""
    return [
        [
            (id_column, f"e{i}"),
            (ts_column, 1_700_000_000 + i),
            ("a", round((i % 7) / 7 + (i % 4 == 0), 3)),
            ("b", float(i % 3)),
            (LABEL, int(i % 4 == 0)),
            (LABEL_TIME, 1_700_000_005 + i),
        ]
        for i in range(n)
    ]


@st.composite
def hostile_table(draw):
    """Valid rows, one to four of them with a hostile cell, a repeated key or a missing key."""
    id_column, ts_column = draw(ID_TS)
    columns = [id_column, ts_column, *FEATURES, LABEL, LABEL_TIME]
    rows = valid_rows(draw(N_VALID), id_column, ts_column)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        row = rows[draw(st.integers(min_value=0, max_value=len(rows) - 1))]
        position = draw(st.integers(min_value=0, max_value=len(row) - 1))
        change = draw(st.sampled_from(["cell"] * 8 + ["repeat", "drop"]))
        if change == "cell":
            row[position] = (row[position][0], draw(hostile))
        elif change == "repeat":  # the key again: JSON parsers keep the last value
            row.append((row[position][0], draw(hostile)))
        else:  # no such key in this row (an empty cell in CSV)
            del row[position]
    return columns, rows


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)  # nan, inf, 1e+308, 5e-324
    return str(value)


def write_csv(
    path: pathlib.Path, columns, rows, *, bom: bool = False, ragged=None, delimiter: str = ","
) -> None:
    """Cells as text separated by `delimiter`, quoted where needed; a lone surrogate as its
    (invalid) UTF-8 bytes; `ragged` (row, longer) gives that row one field too many or too few;
    gzip-compressed if `path` ends in `.gz`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    writer.writerow(columns)
    for i, row in enumerate(rows):
        cells = dict(row)  # a repeated key: its last value
        line = [csv_cell(cells.get(c)) for c in columns]
        if ragged is not None and ragged[0] == i:
            line = [*line, "1"] if ragged[1] else line[:-1]
        writer.writerow(line)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    data = text.encode(errors="surrogatepass")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)


def write_jsonl(path: pathlib.Path, rows, *, ascii_only=True, raw=None, lines=None) -> None:
    """One JSON object per line (NaN and Infinity as Python writes them; with `ascii_only`,
    lone surrogates as `\\ud800` escapes, else as invalid UTF-8 bytes); `raw` (row, position,
    token) writes one cell as a raw token, `lines` ({index: line}) inserts raw lines."""
    lines = lines or {}
    text = []
    for i, row in enumerate(rows):
        if i in lines:
            text.append(lines[i])
        cells = []
        for position, (key, value) in enumerate(row):
            token = json.dumps(value, ensure_ascii=ascii_only)
            if raw is not None and raw[:2] == (i, position):
                token = raw[2]
            cells.append(f"{json.dumps(key)}: {token}")
        text.append("{" + ", ".join(cells) + "}")
    text.extend(line for i, line in lines.items() if i >= len(rows))
    path.write_bytes(("\n".join(text) + "\n").encode(errors="surrogatepass"))


def write_parquet(path: pathlib.Path, columns, rows) -> None:
    """The table as Parquet: each column as pyarrow infers it, or as text (repr) where its
    values cannot be one Arrow type."""
    frame = pd.DataFrame([dict(row) for row in rows], columns=columns)
    for column in columns:
        values = frame[column]
        for candidate in (values, values.map(lambda v: None if v is None else repr(v))):
            try:
                candidate.to_frame().to_parquet(io.BytesIO())
            except Exception:  # pyarrow refuses mixed or unrepresentable values
                continue
            frame[column] = candidate
            break
    frame.to_parquet(path, index=False)


@contextlib.contextmanager
def _file(suffix: str):
    with tempfile.TemporaryDirectory() as directory:
        yield pathlib.Path(directory) / f"events{suffix}"


# --- runs ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _in_a_temporary_directory(tmp_path_factory):
    """Every run writes into its `--out`; should one not, it writes here, not into the
    repository's runs/."""
    before = pathlib.Path.cwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    try:
        yield
    finally:
        os.chdir(before)


def _invoke(args: list[str]):
    return CliRunner().invoke(main, [*args, "--no-progress"])


def _check_clean(result, *, skipping: bool = False) -> None:
    """Success, or one `Error:` line (the last on stderr) and a nonzero code; no traceback."""
    shown = result.output
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        shown += "".join(traceback.format_exception(*result.exc_info))
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.output, shown
    if result.exit_code == 0:
        assert "Error:" not in result.stderr, shown
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, shown
    lines = result.stderr.rstrip("\n").splitlines()
    assert lines[-1] == errors[0], shown  # the message is one line, the last
    if not skipping:
        assert lines == errors, shown  # and nothing else is on stderr
    # a long cell is not echoed whole (an accepted id, of up to 1,024 characters, may be)
    assert len(errors[0]) < MAX_ID_LENGTH + 500, shown


def _evaluate(path: pathlib.Path, out: pathlib.Path):
    args = ["evaluate", str(path), "--target", LABEL, "--window", WINDOW, "--out", str(out)]
    result = _invoke(args)
    _check_clean(result)
    return result


def _replay(path: pathlib.Path, out: pathlib.Path, id_ts, *options: str):
    skipping = "skip" in options
    args = ["replay", str(path), "--id-column", id_ts[0], "--ts-column", id_ts[1]]
    result = _invoke([*args, "--target", LABEL, "--window", WINDOW, "--out", str(out), *options])
    _check_clean(result, skipping=skipping)
    if result.exit_code == 0:
        _check_counts(result)
    return result


def _counts(output: str) -> dict[str, int]:
    """The replay summary's counts (`rows read   20`)."""
    found = re.findall(r"^([a-z][a-z ()]+?)\s{2,}([\d,]+)$", output, flags=re.MULTILINE)
    return {name: int(value.replace(",", "")) for name, value in found}


def _check_counts(result) -> None:
    """Every row read is replayed or skipped, and each skipped one is said."""
    counts = _counts(result.stdout)
    skipped = counts["skipped bad rows"]
    assert counts["rows read"] == counts["events replayed"] + skipped, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("skipped row ")]
    assert len(said) == min(skipped, SHOWN_BAD_ROWS), result.output
    assert ("skipped by reason:" in result.stdout) == (skipped > 0), result.output


def _run_all(path: pathlib.Path, id_ts, chunk_size=10_000, label_time=False) -> None:
    """`evaluate`, `replay` and `replay --on-bad-row skip` on `path`, each checked clean; with
    `label_time`, the replays read when each label became known."""
    with tempfile.TemporaryDirectory() as out:
        out = pathlib.Path(out)
        _evaluate(path, out / "evaluate")
        options = ["--chunk-size", str(chunk_size)]
        options += ["--label-time-column", LABEL_TIME] if label_time else []
        _replay(path, out / "replay", id_ts, *options)
        _replay(path, out / "skip", id_ts, *options, "--on-bad-row", "skip")


# --- properties: hostile files -------------------------------------------------------------


@fuzz(80)
@given(
    table=hostile_table(),
    bom=st.booleans(),
    ragged=st.one_of(st.none(), st.none(), st.none(), st.tuples(st.integers(0, 19), st.booleans())),
    chunk_size=st.sampled_from([3, 10_000]),
    label_time=st.booleans(),
    delimiter=st.sampled_from([",", ",", ";", "\t"]),
    suffix=st.sampled_from([".csv", ".csv", ".csv.gz", ".tsv"]),
)
def test_a_csv_file_with_hostile_cells_runs_or_fails_in_one_line(
    table, bom, ragged, chunk_size, label_time, delimiter, suffix
):
    columns, rows = table
    with _file(suffix) as path:
        write_csv(path, columns, rows, bom=bom, ragged=ragged, delimiter=delimiter)
        _run_all(path, columns[:2], chunk_size, label_time)


@fuzz(80)
@given(
    table=hostile_table(),
    ascii_only=st.booleans(),
    raw=st.one_of(
        st.none(),
        st.none(),
        st.tuples(st.integers(0, 19), st.integers(0, 5), st.sampled_from(RAW_JSON_TOKENS)),
    ),
    line=st.one_of(
        st.none(),
        st.none(),
        st.none(),
        st.tuples(st.integers(0, 20), st.sampled_from(BAD_JSON_LINES)),
    ),
    chunk_size=st.sampled_from([3, 10_000]),
    label_time=st.booleans(),
)
def test_a_jsonl_file_with_hostile_cells_runs_or_fails_in_one_line(
    table, ascii_only, raw, line, chunk_size, label_time
):
    columns, rows = table
    with _file(".jsonl") as path:
        lines = dict([line]) if line else None
        write_jsonl(path, rows, ascii_only=ascii_only, raw=raw, lines=lines)
        _run_all(path, columns[:2], chunk_size, label_time)


@fuzz(25)
@given(table=hostile_table(), label_time=st.booleans())
def test_a_parquet_file_with_hostile_cells_runs_or_fails_in_one_line(table, label_time):
    columns, rows = table
    with _file(".parquet") as path:
        try:
            write_parquet(path, columns, rows)
        except Exception:  # values pandas cannot write at all
            assume(False)
        _run_all(path, columns[:2], label_time=label_time)


@fuzz(50)
@given(
    suffix=st.sampled_from([".csv", ".jsonl", ".parquet", ".csv.gz", ".jsonl.gz"]),
    header=st.sampled_from(
        ["", "id,ts,a,b,label\n", '{"id": "e0", "ts": 1, "a": 1, "b": 2, "label": 0}\n']
    ),
    body=st.binary(max_size=400),
)
def test_a_file_of_random_bytes_runs_or_fails_in_one_line(suffix, header, body):
    with _file(suffix) as path:
        path.write_bytes(header.encode() + body)
        _run_all(path, ("id", "ts"))


@fuzz(50)
@given(
    table=hostile_table(),
    chunk_size=st.integers(min_value=1, max_value=4),
    label_time=st.sampled_from([None, LABEL_TIME]),
)
def test_the_readers_raise_only_their_own_errors_whatever_the_chunks(table, chunk_size, label_time):
    # Chunk boundaries anywhere (the commands read 10,000 rows at a time): a JSONL chunk may
    # lack a key that other chunks have.
    columns, rows = table
    with _file(".jsonl") as path:
        write_jsonl(path, rows)
        with contextlib.suppress(StreamImbalError):
            for _ in read_labelled_events(path, LABEL, chunk_size=chunk_size, features=FEATURES):
                pass
        bad_rows = BadRows("skip")
        mapping = ColumnMap(columns[0], columns[1], LABEL, label_time, features=FEATURES)
        reader = FileReader(path, mapping, on_bad_row=bad_rows, chunk_size=chunk_size)
        with contextlib.suppress(StreamImbalError):
            replayed = list(reader)
            assert len(replayed) + bad_rows.skipped == reader.rows_read == len(rows)


# --- properties: bad rows are skipped and counted ------------------------------------------

#: Cells that make a row bad, whatever the other rows (in JSONL, as Python values); a missing
#: feature (empty, null, NaN) is not one: the missing-value policy fills it in.
SURELY_BAD_JSON = {
    "id": [None, "", "   ", 1.5, [], [1, 2], {"a": 1}, True, "x" * 1100, "\ud800"],
    "ts": [None, "yesterday", "2024-13-45", [], {"a": 1}, True, math.nan, math.inf, "x" * 1100],
    "feature": ["oops", math.inf, -math.inf, 1e200, [], [1], {"x": 1}, "1e400"],
    "label": [0.5, -1.5, [], [1], {"a": 1}, math.inf],
}
#: The same as CSV text; a label column of integers and "0.5" is read as floats.
SURELY_BAD_CSV = {
    "id": ["", "   "],
    "ts": ["", "yesterday", "2024-13-45", "nan", "inf", "x" * 1100],
    "feature": ["oops", "inf", "-inf", "1e200", "1e400", "x" * 1100],
    "label": ["0.5", "-1.5", "inf"],
}


@st.composite
def table_with_bad_rows(draw, suffix: str):
    """Valid rows and 1 to 4 bad rows among them, each a copy of the valid row before it (so in
    time order) with one surely bad cell: (columns, rows, {row number: role of its bad cell})."""
    bad_cells = SURELY_BAD_JSON if suffix == ".jsonl" else SURELY_BAD_CSV
    id_column, ts_column = draw(ID_TS)
    columns = [id_column, ts_column, *FEATURES, LABEL, LABEL_TIME]
    valid = valid_rows(draw(N_VALID), id_column, ts_column)
    after = draw(st.lists(st.integers(0, len(valid) - 1), min_size=1, max_size=4))  # valid rows
    rows, bad = [], {}
    for i, row in enumerate(valid):
        rows.append(row)
        for _ in range(after.count(i)):
            role = draw(st.sampled_from(list(bad_cells)))
            position = {"id": 0, "ts": 1, "label": 4}.get(role)
            if role == "feature":
                position = draw(st.sampled_from([2, 3]))
            copy = list(row)
            copy[position] = (copy[position][0], draw(st.sampled_from(bad_cells[role])))
            rows.append(copy)
            bad[len(rows)] = role
    return columns, rows, bad


@fuzz(50)
@given(suffix=st.sampled_from([".csv", ".jsonl"]), data=st.data())
def test_bad_rows_are_skipped_and_counted_or_named_by_number(suffix, data):
    columns, rows, bad = data.draw(table_with_bad_rows(suffix))
    with _file(suffix) as path, tempfile.TemporaryDirectory() as out:
        if suffix == ".csv":
            write_csv(path, columns, rows)
        else:
            write_jsonl(path, rows)
        out = pathlib.Path(out)
        skipped = _replay(path, out / "skip", columns[:2], "--on-bad-row", "skip")
        assert skipped.exit_code == 0, skipped.output
        counts = _counts(skipped.stdout)
        assert counts["skipped bad rows"] == len(bad), skipped.output
        assert counts["events replayed"] == len(rows) - len(bad), skipped.output
        said = re.findall(r"^skipped row (\d+): ", skipped.stderr, flags=re.MULTILINE)
        assert [int(n) for n in said] == sorted(bad), skipped.output
        failed = _replay(path, out / "fail", columns[:2])
        assert failed.exit_code != 0 and f": row {min(bad)}: " in failed.stderr, failed.output
        # evaluate reads no id nor time: the first row bad in a feature or the label stops it
        evaluated = _evaluate(path, out / "evaluate")
        stops = sorted(n for n, role in bad.items() if role in ("feature", "label"))
        if stops:
            assert evaluated.exit_code == 2, evaluated.output
            assert re.search(rf": row {stops[0]}\b", evaluated.stderr), evaluated.output
        else:
            assert evaluated.exit_code == 0, evaluated.output


# --- examples: the bugs found ----------------------------------------------------------------


def _rows_text(n: int = 16, **cells) -> list[dict]:
    """`n` valid rows as dicts; `cells` replaces cells of row 6."""
    rows = [dict(row) for row in valid_rows(n, "id", "ts")]
    rows[5].update(cells)
    return rows


def _jsonl(path: pathlib.Path, rows: list[dict], after_row_8: str | None = None) -> pathlib.Path:
    lines = [json.dumps(row) for row in rows]
    if after_row_8 is not None:
        lines.insert(8, after_row_8)
    path.write_text("\n".join(lines) + "\n")
    return path


def _runs(path: pathlib.Path, tmp_path: pathlib.Path) -> tuple:
    """evaluate, replay and replay --on-bad-row skip of `path`, each checked clean."""
    return (
        _evaluate(path, tmp_path / "evaluate"),
        _replay(path, tmp_path / "replay", ("id", "ts")),
        _replay(path, tmp_path / "skip", ("id", "ts"), "--on-bad-row", "skip"),
    )


@pytest.mark.parametrize("line", ["[1, 2]", "3", "null", '"x"'])
def test_a_jsonl_line_that_is_no_object_is_named_by_its_line(tmp_path, line):
    # was: TypeError from pandas (`cannot convert dictionary update sequence element #0`)
    path = _jsonl(tmp_path / "events.jsonl", _rows_text(), after_row_8=line)
    for result in _runs(path, tmp_path):
        assert result.exit_code == 2
        assert f"line 9 is not a JSON object: {line!r}" in result.stderr, result.output


def test_a_jsonl_line_that_is_not_json_is_named_by_its_line(tmp_path):
    path = _jsonl(tmp_path / "events.jsonl", _rows_text(), after_row_8='{"a": 1,}')
    evaluated, _, _ = _runs(path, tmp_path)
    assert "line 9 is not JSON (Expecting property name enclosed in double quotes" in (
        evaluated.stderr
    )


@pytest.mark.parametrize("cell", [[], [1, 2], {"x": 1}])
def test_a_list_or_an_object_in_a_cell_is_a_bad_row(tmp_path, cell):
    # was: ValueError (the truth value of an array) from `pd.isna(cell)` in the reader
    path = _jsonl(tmp_path / "events.jsonl", _rows_text(ts=cell, a=cell))
    _, failed, skipped = _runs(path, tmp_path)
    assert f"Error: {path}: row 6: bad timestamp: {cell!r}" in failed.stderr
    assert _counts(skipped.stdout)["skipped bad rows"] == 1
    path = _jsonl(tmp_path / "feature.jsonl", _rows_text(a=cell))
    _, failed, _ = _runs(path, tmp_path)
    assert f"row 6: feature 'a' is not a number: {cell!r}" in failed.stderr


def test_an_integer_beyond_the_float_range_is_a_bad_row_not_an_unreadable_file(tmp_path):
    # was: `Value is too big!` for the whole file (pandas), then OverflowError once read
    path = _jsonl(tmp_path / "events.jsonl", _rows_text(a=-(10**400)))
    evaluated, failed, skipped = _runs(path, tmp_path)
    assert f"Error: {path}: row 6: feature 'a' is infinite" in evaluated.stderr
    assert "row 6: feature 'a' is infinite: an integer of about -10**400" in failed.stderr
    assert _counts(skipped.stdout)["skipped bad rows"] == 1


def test_evaluate_names_the_first_bad_row_of_the_file(tmp_path):
    # was: the cells of each column checked in turn, so a bad cell of `a` in row 6 was reported
    # before a bad label in row 3
    rows = _rows_text(a="oops")
    rows[2][LABEL] = 0.5
    evaluated, _, _ = _runs(_jsonl(tmp_path / "events.jsonl", rows), tmp_path)
    assert "events.jsonl: row 3: label must be a bool, an integer or a string, got 0.5" in (
        evaluated.stderr
    )


def test_a_jsonl_chunk_without_a_column_has_missing_cells(tmp_path):
    # was: KeyError in evaluate's reader when no line of a chunk had the label (or a feature)
    rows = _rows_text()
    for row in rows[2:4]:
        del row["b"]
    path = _jsonl(tmp_path / "events.jsonl", rows)
    events = list(read_labelled_events(path, LABEL, chunk_size=2, features=FEATURES))
    assert [math.isnan(x["b"]) for x, _ in events][1:5] == [False, True, True, False]
    for row in rows[2:4]:
        del row[LABEL]
    _jsonl(path, rows)
    with pytest.raises(InvalidLabelError, match="row 3 has no label in 'label'"):
        list(read_labelled_events(path, LABEL, chunk_size=2, features=FEATURES))
    reader = FileReader(path, ColumnMap(features=FEATURES), chunk_size=2)
    assert [row.label for row in reader][1:5] == [0, None, None, 1]  # unlabelled, replayed


def test_a_lone_surrogate_in_a_jsonl_cell_is_a_bad_row(tmp_path):
    # was: the cell read as "" or the file unreadable (pandas), or UnicodeEncodeError
    path = tmp_path / "events.jsonl"
    _jsonl(path, _rows_text(id="\ud800"))
    _, failed, skipped = _runs(path, tmp_path)
    assert "row 6: id is not valid Unicode: '\\ud800'" in failed.stderr
    assert _counts(skipped.stdout)["skipped bad rows"] == 1
    _jsonl(path, _rows_text(ts="x\udfff", a="\udfff"))
    _, failed, _ = _runs(path, tmp_path)
    assert "row 6: bad timestamp: 'x\\udfff'" in failed.stderr
    path.write_text(path.read_text().replace('"b"', '"b\\ud800"', 1))
    evaluated, _, _ = _runs(path, tmp_path)
    assert "line 1: the key 'b\\ud800' has a lone surrogate" in evaluated.stderr


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path, suffix):
    # was: a CSV's first column named '\ufeffid' (no id column), a JSONL file unreadable
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        pd.DataFrame(_rows_text()).to_csv(path, index=False, encoding="utf-8-sig")
    else:
        _jsonl(path, _rows_text())
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    for result in _runs(path, tmp_path):
        assert result.exit_code == 0, result.output
    assert f"{path}: label 'label'; features (2): a, b; not features: id (id)" in result.output


def test_jsonl_ids_are_read_as_written(tmp_path):
    # was: pandas turned the JSON strings "007" into the integer 7
    rows = _rows_text()
    for i, row in enumerate(rows):
        row["id"] = f"{i:03d}" if i % 2 else i
    path = _jsonl(tmp_path / "events.jsonl", rows)
    _replay(path, tmp_path / "out", ("id", "ts"))
    written = (tmp_path / "out" / "predictions.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in written[1:5]] == ["0", "001", "2", "003"]


def test_a_long_cell_is_cut_in_an_error_message(tmp_path):
    rows = _rows_text(ts="y" * 5000)
    path = _jsonl(tmp_path / "events.jsonl", rows)
    _, failed, _ = _runs(path, tmp_path)
    assert f"row 6: bad timestamp: '{'y' * 78}... (5,002 characters)" in failed.stderr
    path = _jsonl(tmp_path / "feature.jsonl", _rows_text(b="z" * 5000))
    evaluated, _, _ = _runs(path, tmp_path)
    assert "row 6, column 'b': 'zzz" in evaluated.stderr and "(5,002 characters)" in (
        evaluated.stderr
    )


def test_a_column_of_numbers_as_text_is_numbers_for_evaluate_too(tmp_path):
    # was: evaluate refused a Parquet string column of numbers ("'0.0' is not a number")
    frame = pd.DataFrame(_rows_text())
    frame["a"] = frame["a"].map(str)
    frame.to_parquet(tmp_path / "events.parquet")
    for result in _runs(tmp_path / "events.parquet", tmp_path):
        assert result.exit_code == 0, result.output


def test_a_csv_header_beyond_the_csv_field_limit_is_one_error_line(tmp_path):
    # was: _csv.Error (field larger than field limit) from reading the header
    path = tmp_path / "events.csv"
    path.write_text("id,ts,a,b,label," + "x" * 200_000 + "\n" + "e0,1,1,1,0,0\n")
    for result in _runs(path, tmp_path):
        assert result.exit_code == 2
        assert "cannot be read as csv: field larger than field limit" in result.stderr


@pytest.mark.parametrize("row", [1, 4])
def test_an_integer_beyond_the_float_range_first_in_a_csv_chunk_is_a_bad_row(tmp_path, row):
    # was: OverflowError from pandas 3, which cannot type such a column (found by the fuzzing)
    path = tmp_path / "events.csv"
    rows = _rows_text()
    rows[row - 1]["ts"] = 10**400
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    options = ("--chunk-size", "3")
    failed = _replay(path, tmp_path / "replay", ("id", "ts"), *options)
    assert f"row {row}: bad timestamp: " in failed.stderr
    skipped = _replay(path, tmp_path / "skip", ("id", "ts"), *options, "--on-bad-row", "skip")
    assert _counts(skipped.stdout)["skipped bad rows"] == 1
    assert _counts(skipped.stdout)["events replayed"] == len(rows) - 1


def test_an_integer_time_beyond_the_float_range_is_a_bad_row(tmp_path):
    # was: OverflowError (int too large to convert to float) when reading the epoch unit
    path = tmp_path / "events.csv"
    rows = _rows_text(ts=10**400)
    with path.open("w", newline="") as file:  # not pandas: some releases refuse the integer
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _, failed, skipped = _runs(path, tmp_path)
    assert "row 6: bad timestamp: " in failed.stderr
    assert _counts(skipped.stdout)["skipped bad rows"] == 1
