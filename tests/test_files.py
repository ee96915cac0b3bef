"""A newcomer's files and outputs (issue 35): each friction an analyst met has a test here.

Delimiters other than a comma, compressed files and epoch times in milliseconds are read (and
said) or refused with a hint, never read wrong; the outputs say what ran on which file, with
each prediction's label and each drift's event; every input error exits 2, before river is
imported. The byte-order mark is covered for both commands in `tests/test_fuzz_files.py`.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import pathlib
import random
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from stream_imbal.cli import main
from stream_imbal.evaluate import prequential
from stream_imbal.files import count_rows, file_format, read_labelled_events
from stream_imbal.replay import (
    BadRows,
    ColumnMap,
    DirectReplay,
    FileReader,
    LabelDelay,
    LabelTimeline,
    Row,
)

REPO = pathlib.Path(__file__).resolve().parent.parent
START = 1_700_000_000  # epoch seconds


def _frame(n: int = 1200, seed: int = 0, step: float = 60.0) -> pd.DataFrame:
    """Transactions `step` seconds apart, 5% of them fraud (its amount higher)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        fraud = int(rng.random() < 0.05)
        amount = round(rng.gauss(3.0 * fraud, 1.0), 4)
        rows.append({"id": f"tx{i}", "ts": START + step * i, "amount": amount, "label": fraud})
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, path: pathlib.Path, sep: str = ",") -> pathlib.Path:
    """`frame` as the file `path` names: CSV (`sep`), or JSON lines; gzip-compressed for `.gz`."""
    name = path.name.removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson")):
        text = frame.to_json(orient="records", lines=True)
    else:
        text = frame.to_csv(index=False, sep=sep)
    data = text.encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def _run(*args: object):
    return CliRunner().invoke(main, [*map(str, args), "--no-progress"])


# --- formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, sep, said",
    [
        ("events.csv", ",", "CSV separated by ','"),
        ("events.csv", ";", "CSV separated by ';'"),
        ("events.csv", "\t", "CSV separated by tab"),
        ("events.tsv", "\t", "CSV separated by tab"),
        ("events.csv.gz", ";", "CSV separated by ';', gzip-compressed"),
        ("events.tsv.gz", "\t", "CSV separated by tab, gzip-compressed"),
        ("events.jsonl.gz", None, "JSON lines, gzip-compressed"),
        ("events.ndjson", None, "JSON lines"),
    ],
)
def test_each_format_is_read_alike_and_said(tmp_path, name, sep, said):
    frame = _frame(300)
    path = _write(frame, tmp_path / name, sep or ",")
    plain = _write(frame, tmp_path / "plain.csv")
    assert file_format(path).describe() == said
    assert list(read_labelled_events(path, "label")) == list(read_labelled_events(plain, "label"))
    assert count_rows(path) == 300
    for command in (["evaluate", path, "--target", "label"], ["replay", path]):
        result = _run(*command, "--window", "100", "--out", tmp_path / command[0])
        assert result.exit_code == 0, result.output
        assert f"{path}: {said}\n" in result.output
        assert "features (1): amount;" in result.output


def test_a_header_of_one_column_hints_at_the_separator(tmp_path):
    path = tmp_path / "pipes.csv"
    path.write_text("id|ts|amount|label\ntx0|1700000000|1.5|0\n")
    for args in (["evaluate", path, "--target", "label"], ["replay", path]):
        result = _run(*args)
        assert result.exit_code == 2, result.output
        assert "its columns: 'id|ts|amount|label'; the file has a single column: are its " in (
            result.output
        )
        assert "separated by something else than ',', ';' or a tab?" in result.output


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("events.parquet.gz", b"", "unsupported file type 'events.parquet.gz'"),
        ("events.xlsx", b"", "unsupported file type 'events.xlsx'; expected .csv, .tsv, "),
        ("events.csv.gz", b"id,ts\n", "cannot be read as csv: Not a gzipped file"),
        (
            "events.jsonl.gz",
            gzip.compress(b'{"a": 1, "label": 0}\n' * 99, mtime=0)[:-9],
            "cannot be read as jsonl",
        ),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_one_error_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = _run("evaluate", path, "--target", "label")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        result.output.splitlines()[-1]
    ]


def test_a_decimal_comma_is_refused_with_a_hint(tmp_path):
    # a ';'-separated file often writes 12,5 for 12.5: not read as 125, nor as a number
    frame = _frame(300)
    frame["amount"] = frame["amount"].map(lambda v: f"{v:.2f}".replace(".", ","))
    path = _write(frame, tmp_path / "events.csv", ";")
    hint = "(a decimal comma: numbers are read with a decimal point)"
    for args in (["evaluate", path, "--target", "label"], ["replay", path]):
        result = _run(*args)
        assert result.exit_code == 2 and hint in result.output, result.output
        assert f"Error: {path}: " in result.output


# --- epoch units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, per_second", [("s", 1), ("ms", 10**3), ("us", 10**6), ("ns", 10**9)]
)
def test_epoch_times_in_each_unit_are_read_as_seconds(tmp_path, unit, per_second):
    frame = _frame(50)
    frame["ts"] = (frame["ts"] * per_second).astype("int64")
    path = _write(frame, tmp_path / "events.csv")
    reader = FileReader(path)
    assert [row.ts for row in reader] == [START + 60.0 * i for i in range(50)]
    assert reader.ts_unit == unit and not reader.ts_unit_given


def test_epoch_milliseconds_are_said_and_a_day_is_a_day(tmp_path):
    # was: milliseconds read as seconds without a word; --label-delay 1d then acted like 86 s
    frame = _frame(3000)  # one event a minute: a day is 1,440 events
    frame["ts"] = (frame["ts"] * 1000).astype("int64")
    path = _write(frame, tmp_path / "events.csv")
    result = _run("replay", path, "--label-delay", "1d", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "ts: epoch milliseconds, from their magnitude (--ts-unit to set)\n" in result.output
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert predictions["ts"].tolist() == (frame["ts"] / 1000).tolist()
    # a label comes a day after its event: none is learnt before the 1,441st event
    assert predictions["learned"].tolist() == [max(0, i - 1440) for i in range(3000)]


def test_a_time_of_another_magnitude_is_a_bad_row_not_a_wrong_time(tmp_path):
    frame = _frame(40)
    frame["ts"] = (frame["ts"] * 1000).astype("int64")
    frame.loc[9, "ts"] = START + 540  # in seconds, among milliseconds
    path = _write(frame, tmp_path / "events.csv")
    failed = _run("replay", path, "--out", tmp_path / "o")
    assert failed.exit_code == 2
    assert (
        "row 10: timestamp 1700000540 is in epoch seconds by its magnitude, but the file's are in "
        "epoch milliseconds (--ts-unit to set)" in failed.output
    )
    bad_rows = BadRows("skip")
    rows = list(FileReader(path, on_bad_row=bad_rows))
    assert len(rows) == 39 and bad_rows.by_kind == {"timestamp": 1}


def test_ts_unit_names_the_unit_of_times_and_label_times(tmp_path):
    # Milliseconds from the start of a recording: small numbers, which would be seconds.
    frame = _frame(40)
    frame["ts"] = [60_000 * i for i in range(40)]
    frame["label_ts"] = frame["ts"] + 30_000
    path = _write(frame, tmp_path / "events.csv")
    reader = FileReader(path, ColumnMap(label_time="label_ts"), ts_unit="ms")
    rows = list(reader)
    assert [(row.ts, row.label_ts) for row in rows[:2]] == [(0.0, 30.0), (60.0, 90.0)]
    result = _run(
        "replay", path, "--ts-unit", "ms", "--label-time-column", "label_ts", "--window", "10"
    )
    assert "ts: epoch milliseconds (--ts-unit)\n" in result.output
    assert _run("replay", path, "--ts-unit", "minutes").exit_code == 2


def test_date_time_strings_are_said_as_such(tmp_path):
    frame = _frame(300)
    frame["ts"] = pd.to_datetime(frame["ts"], unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    result = _run("replay", _write(frame, tmp_path / "events.csv"), "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "ts: date-time strings (UTC without a time zone)\n" in result.output


# --- outputs -----------------------------------------------------------------------------------


def test_replay_predictions_carry_the_label_known_later(tmp_path):
    frame = _frame(600)
    frame.loc[5, "label"] = None  # an unlabelled event
    path = _write(frame, tmp_path / "events.csv")
    result = _run("replay", path, "--label-delay", "2h", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert predictions["id"].tolist() == frame["id"].tolist()
    assert predictions["label"].tolist()[:5] == frame["label"].tolist()[:5]
    assert predictions["label"].isna().tolist() == frame["label"].isna().tolist()


def test_evaluate_writes_the_predictions_it_scored(tmp_path):
    frame = _frame(1200)
    path = _write(frame, tmp_path / "events.csv")
    out = tmp_path / "o"
    result = _run(
        "evaluate", path, "--target", "label", "--window", "100", "--predictions", "--out", out
    )
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert predictions["id"].tolist() == list(range(1, 1201))  # the data rows
    assert predictions["label"].tolist() == frame["label"].tolist()
    # the decisions are those the windows scored (12 windows: every event once two classes
    # are learnt; the model's abstentions while it warms up as no alarm, the majority 0)
    labels = frame["label"].tolist()
    two_classes = [len(set(labels[:i])) == 2 for i in range(len(labels))]
    scored = predictions[two_classes].fillna({"decision": 0})
    windows = pd.read_csv(tmp_path / "o" / "windows.csv")
    hits = scored["decision"] == scored["label"]
    assert windows["tp"].sum() == (hits & (scored["label"] == 1)).sum()
    assert windows["tn"].sum() == (hits & (scored["label"] == 0)).sum()
    assert windows["fp"].sum() + windows["fn"].sum() == (~hits).sum()
    assert not (tmp_path / "p").exists()
    plain = _run("evaluate", path, "--target", "label", "--out", tmp_path / "p")
    assert plain.exit_code == 0 and not (tmp_path / "p" / "predictions.csv").exists()


def test_the_summary_and_the_report_name_the_model_and_the_input(tmp_path):
    path = _write(_frame(600), tmp_path / "events.csv")
    for command in (["evaluate", path, "--target", "label"], ["replay", path]):
        out = tmp_path / command[0]
        result = _run(*command, "--model", "linear", "--seed", "3", "--out", out, "--report")
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["model"] == "preset linear; seed 3" and summary["input"] == str(path)
        page = (out / "report" / "report.html").read_text()
        assert f"Input: {path}. Model: preset linear; seed 3." in page


def test_the_replay_summary_names_each_count_once(tmp_path):
    path = _write(_frame(600), tmp_path / "events.csv")
    result = _run("replay", path, "--label-delay", "10", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    names = [line.split("  ")[0] for line in result.output.splitlines() if "  " in line]
    assert "events replayed" in names and "events evaluated" in names
    assert len(names) == len(set(names)), names
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert "events" not in summary and summary["events_predicted"] == 600


class _Drifting:
    """A model that reports a drift while learning its 5th and 9th event."""

    def __init__(self):
        self.n_seen = 0
        self.drift_events: list = []
        self.n_drift_events = 0

    def predict_proba_one(self, x):
        return {0: 0.5, 1: 0.5}

    def predict_one(self, x):
        return 0

    def learn_one(self, x, y):
        from stream_imbal.drift import CONCEPT, DriftEvent

        if self.n_seen in (4, 8):
            self.drift_events.append(DriftEvent(self.n_seen, CONCEPT, "test"))
            self.n_drift_events += 1
        self.n_seen += 1


def test_drift_events_say_the_event_whose_learning_raised_them():
    rows = [Row(i + 1, f"e{i}", 100.0 + 10 * i, {"x": float(i)}, i % 2) for i in range(12)]
    # labels come two events later: the 5th event learnt is row 5, learnt at row 7's arrival
    replay = DirectReplay(_Drifting(), window_size=10)
    result = replay.run(LabelTimeline(LabelDelay(events=2))(rows))
    located = result.drift_events[["index", "row", "ts", "id"]].to_dict("records")
    assert located == [
        {"index": 4, "row": 5, "ts": 140.0, "id": "e4"},
        {"index": 8, "row": 9, "ts": 180.0, "id": "e8"},
    ]
    evaluated = prequential(_Drifting(), [(row.features, row.label) for row in rows], 10)
    assert evaluated.drift_events["row"].tolist() == [5, 9]  # no id nor time read: NaN
    assert evaluated.drift_events[["ts", "id"]].isna().all().all()


# --- errors ---------------------------------------------------------------------------------------


def _heavy_modules_at_exit(args: list[str], cwd: pathlib.Path) -> tuple[int, str, list[str]]:
    """Run `stream-imbal args` in a new process: its exit code, its stderr, and which of river and
    pandas it had imported when it ended."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('imported:', [m for m in ('river', 'pandas') "
        "if m in sys.modules], file=sys.stderr))\n"
        "from stream_imbal.cli import main\n"
        "main()\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, *args, "--no-progress"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        timeout=120,
    )
    *lines, imported = process.stderr.strip().splitlines()
    return process.returncode, "\n".join(lines), ast.literal_eval(imported.split(": ")[1])


@pytest.mark.parametrize(
    "args, message, heavy",
    [
        # the options, the file's name, header and columns: before pandas
        (["evaluate", "events.csv", "--target", "y"], "no label column 'y'", []),
        (["replay", "events.csv", "--id-column", "tx"], "no id column 'tx'", []),
        (["replay", "events.csv", "--label-delay", "1week"], "not a label delay: '1week'", []),
        (["evaluate", "events.csv", "--target", "label", "--model", "fast"], "'fast'", []),
        (["evaluate", "events.xlsx", "--target", "label"], "unsupported file type", []),
        # the first rows: before river, hence before the model is built
        (["evaluate", "bad.csv", "--target", "label"], "row 600, column 'amount'", ["pandas"]),
        (["replay", "bad.csv"], "row 600: feature 'amount' is not a number", ["pandas"]),
    ],
)
def test_an_input_error_exits_2_before_river_is_imported(tmp_path, args, message, heavy):
    # was: exit code 1 for a bad row in replay, 2 elsewhere; any error took about 5 s
    frame = _frame(1200)
    _write(frame, tmp_path / "events.csv")
    (tmp_path / "events.xlsx").write_text("")
    frame["amount"] = frame["amount"].astype(object)
    frame.loc[599, "amount"] = "oops"
    _write(frame, tmp_path / "bad.csv")
    code, stderr, imported = _heavy_modules_at_exit(args, tmp_path)
    assert code == 2, stderr
    assert stderr.splitlines()[-1].startswith("Error: ") and message in stderr, stderr
    assert "Traceback" not in stderr
    assert imported == heavy
