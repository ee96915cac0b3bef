"""The command line and the file reader."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from stream_imbal.cli import main
from stream_imbal.exceptions import ConfigError, InvalidEventError, InvalidLabelError
from stream_imbal.files import read_labelled_events


def test_simulate_prints_a_summary_and_writes_the_windows(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["simulate", "demo", "--events", "4000", "--out", str(out), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "G-mean" in result.output and "minority recall" in result.output
    windows = pd.read_csv(out / "windows.csv")
    assert len(windows) == 4 and windows["gmean"].notna().all()
    assert (out / "summary.json").is_file()


def test_simulate_reads_a_toml_scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "n_events = 3000\nminority = 0.05\n"
        '[[concepts]]\ngenerator = "SEA"\nparams = {variant = 1}\n'
    )
    result = CliRunner().invoke(
        main, ["simulate", str(path), "--out", str(tmp_path / "o"), "--no-progress"]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", "no-such-scenario"], "unknown scenario"),
        (["simulate", "demo", "--window", "0"], "--window"),
        (["simulate", "demo", "--events", "ten"], "--events"),
        (["evaluate", "missing.csv", "--target", "y"], "does not exist"),
    ],
)
def test_bad_arguments_give_a_usage_error(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_evaluate_a_csv_file(tmp_path):
    path = tmp_path / "events.csv"
    rows = [
        {"id": i, "a": (i % 50 == 0) * 3.0 + (i % 7) / 7, "y": int(i % 50 == 0)}
        for i in range(3000)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(path),
            "--target",
            "y",
            "--ignore",
            "id",
            "--out",
            str(tmp_path / "o"),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "windows.csv").is_file()


def test_evaluate_reports_a_missing_target_column(tmp_path):
    path = tmp_path / "events.csv"
    pd.DataFrame({"a": [1.0, 2.0]}).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["evaluate", str(path), "--target", "label"])
    assert result.exit_code == 2 and "no label column 'label'" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_files_of_each_format_are_read_in_order(tmp_path, suffix):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4, 5, 6], "y": ["ok", "fraud", "ok"]})
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
    events = list(read_labelled_events(path, "y", chunk_size=2))
    assert events == [
        ({"a": 1.0, "b": 4.0}, "ok"),
        ({"a": 2.0, "b": 5.0}, "fraud"),
        ({"a": 3.0, "b": 6.0}, "ok"),
    ]


def test_bad_files_are_refused_clearly(tmp_path):
    with pytest.raises(ConfigError, match="unsupported file type"):
        list(read_labelled_events(tmp_path / "x.xlsx", "y"))
    text = tmp_path / "text.csv"
    pd.DataFrame({"a": ["x", "y"], "y": [0, 1]}).to_csv(text, index=False)
    with pytest.raises(InvalidEventError, match="row 1, column 'a': 'x' is not a number"):
        list(read_labelled_events(text, "y"))
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text("a,y\n1.0,0\n2.0,\n")
    with pytest.raises(InvalidLabelError, match="row 2 has no label"):
        list(read_labelled_events(unlabelled, "y"))


def test_the_command_list_is_each_command_s_own_summary():
    import importlib

    from stream_imbal.cli import COMMANDS

    for name, (path, summary) in COMMANDS.items():
        module, attribute = path.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert command.name == name
        assert summary == command.get_short_help_str(limit=200), name


def _modules_loaded(code: str) -> str:
    """What a fresh interpreter prints after running `code` (the modules it loaded)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


_HELP = (
    "import sys; from click.testing import CliRunner; from stream_imbal.cli import main; "
    "result = CliRunner().invoke(main, {args}); assert result.exit_code == 0; "
)


def test_help_imports_no_command_and_no_river():
    code = _HELP.format(args=["--help"]) + (
        "assert 'simulate' in result.output and 'bench' in result.output; "
        "heavy = ('river', 'pandas', 'stream_imbal.cli.'); "
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    assert _modules_loaded(code) == "[]"


def test_serve_help_imports_no_scipy():
    """`serve --help` loads the service's configuration, not river's metrics (which import
    scipy: about 1 s of its 1.4 s before)."""
    code = _HELP.format(args=["serve", "--help"]) + (
        "assert '--config' in result.output; "
        "print(sorted(m for m in ('scipy', 'river.metrics', 'pandas') if m in sys.modules))"
    )
    assert _modules_loaded(code) == "[]"


def test_simulate_help_imports_no_generator():
    """`simulate --help` lists the built-in scenarios without river's generators (which import
    scikit-learn: 1.6 of its 1.9 s before) nor the evaluation loop (river's metrics)."""
    code = _HELP.format(args=["simulate", "--help"]) + (
        "assert 'sea-abrupt' in result.output; "
        "print(sorted(m for m in ('sklearn', 'river.datasets', 'river.metrics', "
        "'stream_imbal.evaluate') if m in sys.modules))"
    )
    assert _modules_loaded(code) == "[]"


def test_the_online_core_loads_no_pandas():
    """The core a service runs per event needs neither pandas nor the progress bar."""
    code = (
        "import sys, stream_imbal.online; "
        "print(sorted(m for m in ('pandas', 'tqdm', 'stream_imbal.evaluate') if m in sys.modules))"
    )
    assert _modules_loaded(code) == "[]"


def test_simulate_help_lists_the_built_in_scenarios():
    from stream_imbal.simulation import SCENARIOS

    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    flat = "".join(result.output.split())  # help text wraps lines, even inside names
    assert all(name in flat for name in SCENARIOS)
    assert "--modelPRESET|FILE.TOML" in flat
    assert all(f"{name}:" in flat for name in ("default", "linear", "logistic-regression"))


def test_progress_outside_a_terminal_is_a_few_lines_with_a_total_and_a_rate(tmp_path):
    result = CliRunner().invoke(
        main, ["simulate", "demo", "--events", "3000", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "events/s" in line]
    assert 1 <= len(lines) <= 3  # start and end (and a line every 30 s), not a redraw per event
    assert lines[-1].startswith("100%") and "3000/3000" in lines[-1]
