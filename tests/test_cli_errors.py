"""Every user error on the command line: one `Error:` line naming the culprit, exit code 2, no
traceback; and runs that do not overwrite each other."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from stream_imbal.cli import main

REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A working directory with one file per kind of bad input, and a good one."""
    monkeypatch.chdir(tmp_path)
    texts = {
        "header.csv": "a,b,label\n",
        "one.csv": "a,b,label\n1,2,0\n",
        "oneclass.csv": "a,b,label\n" + "".join(f"{i},{i % 7},0\n" for i in range(200)),
        "badcell.csv": "a,b,label\n1,2,0\n1.8444,x,1\n",
        "huge.csv": "a,b,label\n1,2,0\n3,1e308,1\n",
        "missing.jsonl": '{"a": 1, "b": 2, "label": 0}\n{"a": 1, "label": 1}\n',
        "noid.csv": "a,b,label\n1,2,0\n3,4,1\n",
        "a_file": "not a directory\n",
        "table.xlsx": "not read here\n",
        "array.jsonl": "[1, 2]\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    rows = [
        {
            "id": f"e{i}",
            "ts": 1_700_000_000 + i,
            "a": (i % 40 == 0) * 2.0 + (i % 9) / 9,
            "label": int(i % 40 == 0),
        }
        for i in range(1500)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "good.csv", index=False)
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(main, [*args, "--no-progress"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", "header.csv", "--target", "label"], "header.csv: no labelled event"),
        (["evaluate", "one.csv", "--target", "label"], "one.csv: only class 0 in 1 events"),
        (["evaluate", "oneclass.csv", "--target", "label"], "oneclass.csv: only class 0 in 200"),
        (
            ["evaluate", "badcell.csv", "--target", "label"],
            "badcell.csv: row 2, column 'b': 'x' is not a number; pass --ignore b",
        ),
        (["evaluate", "huge.csv", "--target", "label"], "huge.csv: row 2: feature 'b' is 1e+308"),
        (
            ["evaluate", "missing.jsonl", "--target", "label", "--missing", "error"],
            "missing.jsonl: event 2: feature 'b' is missing (missing values: 'error'",
        ),
        (
            ["evaluate", "good.csv", "--target", "y"],
            "good.csv: no label column 'y' (name it with --target)",
        ),
        (["evaluate", "table.xlsx", "--target", "y"], "Error: table.xlsx: unsupported file type"),
        (["evaluate", "array.jsonl", "--target", "y"], "the first line is not a JSON object"),
        (["replay", "noid.csv"], "noid.csv: no id column 'id' (name it with --id-column)"),
        (["replay", "good.csv", "--start-row", "5000"], "good.csv: no labelled event in 0 events"),
        (
            ["evaluate", "good.csv", "--target", "label", "--ignore", "id", "--out", "a_file/run"],
            "--out a_file/run: cannot write there",
        ),
        (
            ["simulate", "--events", "1000", "--report", "a_file/report"],
            "--report a_file/report: cannot write there",
        ),
    ],
)
def test_a_user_error_is_one_line_with_exit_code_2(files, args, message):
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert message in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1


def test_output_paths_are_checked_before_the_run(files):
    result = _run("simulate", "--events", "1000", "--out", "a_file")
    assert result.exit_code == 2
    assert "events/s" not in result.output  # refused before the run, not after it


def test_the_real_process_prints_no_traceback(files):
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from stream_imbal.cli import main; main()",
            "evaluate",
            "badcell.csv",
            "--target",
            "label",
        ],
        capture_output=True,
        text=True,
        cwd=files,
        env=os.environ | {"PYTHONPATH": str(REPO)},
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert process.stderr.strip().splitlines()[-1].startswith("Error: badcell.csv: row 2")


def test_runs_do_not_overwrite_each_other(files):
    first = _run("evaluate", "good.csv", "--target", "label", "--ignore", "id")
    second = _run("evaluate", "good.csv", "--target", "label", "--ignore", "id", "--report")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    runs = sorted(p for p in (files / "runs").iterdir() if p.name.startswith("good-"))
    assert len(runs) == 2
    latest = files / "runs" / "latest"
    assert latest.resolve() == runs[1].resolve()
    assert (latest / "windows.csv").is_file() and (latest / "report" / "report.html").is_file()
    assert f"written to {runs[1].relative_to(files)}" in second.output


def test_a_failed_run_leaves_no_directory_behind(files):
    assert _run("evaluate", "badcell.csv", "--target", "label").exit_code == 2
    assert not list((files / "runs").glob("badcell-*"))


def test_evaluate_and_replay_choose_the_same_features_and_say_which(files):
    evaluated = _run("evaluate", "good.csv", "--target", "label")
    replayed = _run("replay", "good.csv", "--label-column", "label")
    assert evaluated.exit_code == replayed.exit_code == 0, evaluated.output + replayed.output
    # id and ts are not features by default, whichever command reads the file
    assert "good.csv: label 'label'; features (1): a; not features: id (id-like name), " in (
        evaluated.output
    )
    assert "good.csv: label 'label'; features (1): a; not features: id (id), ts (timestamp)" in (
        replayed.output
    )
    named = _run("evaluate", "good.csv", "--target", "label", "--feature", "a,ts")
    assert "features (2): ts, a; not features: id (not named with --feature)" in named.output


def test_duplicate_column_names_are_refused(files):
    (files / "twice.csv").write_text("a,a,label\n1,2,0\n3,4,1\n")
    result = _run("evaluate", "twice.csv", "--target", "label")
    assert result.exit_code == 2
    assert "twice.csv: duplicate column name 'a'" in result.output


def test_serve_without_a_reachable_broker_says_so_in_one_line(tmp_path):
    from benchmarks.harness.kafka_broker import free_port

    environment = {
        "STREAM_IMBAL__KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        "STREAM_IMBAL__KAFKA__BOOTSTRAP_TIMEOUT_MS": "1500",
        "STREAM_IMBAL__TOPICS__EVENTS": "e",
        "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
        "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
        "STREAM_IMBAL__CHECKPOINT__DIRECTORY": str(tmp_path),
        "STREAM_IMBAL__METRICS__PORT": "0",
        "STREAM_IMBAL_CHECKPOINT_KEY": "0123456789abcdef0123",
    }
    process = subprocess.run(
        [sys.executable, "-c", "from stream_imbal.cli import main; main()", "serve"],
        capture_output=True,
        text=True,
        env=os.environ | environment,
        timeout=120,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    # kafka-python's own line per failed retry stays out (`[logging] client_level`)
    (line,) = process.stderr.strip().splitlines()
    assert line.startswith("Error: cannot reach Kafka at 127.0.0.1:"), line


def test_a_replay_whose_labels_were_mostly_evicted_still_gets_its_report(files):
    # 5,000 events whose labels come minutes to days later, 12 waiting at most: few are learnt,
    # fewer than half a window; the run still has one window and its report.
    example = REPO / "examples" / "transactions.csv"
    args = ["replay", str(example), "--label-time-column", "label_ts", "--pending-max", "12"]
    result = _run(*args, "--report")
    assert result.exit_code == 0, result.output
    assert "evicted (store full)" in result.output
    assert (files / "runs" / "latest" / "report" / "report.html").is_file()
