"""The benchmark: suites, strategies, the parallel runner, the report and `stream-imbal bench`."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from stream_imbal.bench import (
    METRICS,
    STRATEGIES,
    BenchStream,
    MOAClassifier,
    load_suite,
    moa_missing,
    resolve_strategies,
    run_bench,
    votes_to_proba,
)
from stream_imbal.cli import main
from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import get_scenario

SUITE = """
[[scenario]]
name = "tiny-sea"
n_events = 2000
seed = 3
minority = 0.05
[[scenario.concepts]]
generator = "SEA"
params = { variant = 0 }
[[scenario.concepts]]
generator = "SEA"
params = { variant = 3 }
[[scenario.drifts]]
position = 1000

[[scenario]]
name = "tiny-shift"
n_events = 1600
seed = 4
[[scenario.concepts]]
generator = "Sine"
[[scenario.minority]]
position = 0
share = 0.1
[[scenario.minority]]
position = 800
share = 0.03
"""
STRATEGY_NAMES = "default,river-bare,river-ros"
SCORES = [*METRICS, "gmean_rank"]


@pytest.fixture
def suite_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(SUITE)
    return path


def bench(*args: str):
    return CliRunner().invoke(main, ["bench", "--no-progress", *args])


@pytest.fixture
def no_capymoa(monkeypatch):
    """Make `capymoa` look absent, whether or not it is installed."""
    monkeypatch.setitem(sys.modules, "capymoa", None)


def test_bench_writes_the_tables_and_a_plot_per_stream(suite_file, tmp_path):
    out = tmp_path / "out"
    args = ["--suite", str(suite_file), "--strategies", STRATEGY_NAMES, "--jobs", "2"]
    result = bench(*args, "--out", str(out))
    assert result.exit_code == 0, result.output

    table = pd.read_csv(out / "results.csv")
    expected = {"stream", "strategy", *SCORES, "events_per_s", "peak_memory_mib"}
    assert expected <= set(table.columns)
    assert len(table) == 2 * 3
    assert set(table["stream"]) == {"tiny-sea", "tiny-shift"}
    assert table[[*METRICS, "events_per_s"]].notna().all().all()
    assert (table["peak_memory_mib"] >= 0).all()
    # Ranks are 1..3 on each stream, best G-mean first.
    for _, rows in table.groupby("stream"):
        assert sorted(rows["gmean_rank"]) == [1.0, 2.0, 3.0]
        assert rows.loc[rows["gmean"].idxmax(), "gmean_rank"] == 1.0

    report = (out / "results.md").read_text()
    assert "G-mean rank (mean)" in report and "peak memory (MiB)" in report
    assert f"stream-imbal bench --suite {suite_file} --seed 1" in report
    # The mean table lists the strategies by mean G-mean rank, best first.
    mean_rank = table.groupby("strategy")["gmean_rank"].mean().sort_values(kind="stable")
    lines = report.split("## Mean over 2 streams")[1].splitlines()
    listed = [line.split("|")[1].strip() for line in lines[4:7]]
    assert sorted(listed) == sorted(mean_rank.index)
    assert mean_rank[listed].is_monotonic_increasing

    windows = pd.read_csv(out / "windows.csv")
    assert set(windows["strategy"]) == set(STRATEGY_NAMES.split(","))
    for stream in ("tiny-sea", "tiny-shift"):
        png = out / "plots" / f"{stream}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_fixed_seed_gives_the_same_scores(suite_file, tmp_path):
    tables = []
    for run in ("a", "b"):
        out = tmp_path / run
        args = ["--suite", str(suite_file), "--strategies", STRATEGY_NAMES, "--seed", "7"]
        result = bench(*args, "--jobs", "2", "--out", str(out))
        assert result.exit_code == 0, result.output
        tables.append(pd.read_csv(out / "results.csv"))
    pd.testing.assert_frame_equal(tables[0][SCORES], tables[1][SCORES])
    assert tables[0]["gmean"].nunique() > 1  # the scores are real, not constants


def test_the_seed_reaches_the_models(suite_file):
    streams = load_suite(suite_file)
    one, two = (run_bench(streams, ["river-ros"], seed=s, jobs=1, progress=False) for s in (1, 2))
    assert not one.table["gmean"].equals(two.table["gmean"])


def test_the_moa_learners_are_skipped_with_one_message_when_capymoa_is_absent(
    suite_file, tmp_path, no_capymoa
):
    assert "pip install 'stream-imbal[moa]'" in moa_missing()
    out = tmp_path / "out"
    args = ["--suite", str(suite_file), "--strategies", "river-bare,moa-uob,moa-csmote"]
    result = bench(*args, "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    messages = [line for line in result.output.splitlines() if line.startswith("MOA:")]
    assert messages == [
        "MOA: skipping moa-uob, moa-csmote: MOA's learners need CapyMOA: "
        "pip install 'stream-imbal[moa]'"
    ]
    assert set(pd.read_csv(out / "results.csv")["strategy"]) == {"river-bare"}


def test_only_moa_strategies_without_capymoa_is_a_usage_error(suite_file, no_capymoa):
    result = bench("--suite", str(suite_file), "--strategies", "moa-uob")
    assert result.exit_code == 2
    assert "no strategy left to run" in result.output


def test_the_moa_learners_need_java(monkeypatch):
    monkeypatch.setattr("stream_imbal.bench.moa._installed", lambda module: True)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    assert "need Java" in moa_missing()
    monkeypatch.setenv("JAVA_HOME", "/no/such/jdk")
    assert "JAVA_HOME=/no/such/jdk holds no bin/java" in moa_missing()


def test_resolve_strategies():
    ours = [name for name, s in STRATEGIES.items() if s.family != "moa"]
    assert resolve_strategies(moa=False) == (ours, None)
    with pytest.raises(ConfigError, match="unknown strategy 'nope'"):
        resolve_strategies(["default", "nope"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--strategies", "default,nope"], "unknown strategy 'nope'"),
        (["--streams", "tiny-sea,nope"], "no stream named 'nope'"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_names_give_a_usage_error(suite_file, args, message):
    result = bench("--suite", str(suite_file), *args)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "scenario file not found"),
        ("[[scenario]\n", "invalid TOML"),
        ("[[scenario]]\nn_events = 100\n", "missing required key 'concepts'"),
    ],
)
def test_bad_suite_files_give_a_usage_error(tmp_path, content, message):
    path = tmp_path / "suite.toml"
    if content is not None:
        path.write_text(content)
    result = bench("--suite", str(path))
    assert result.exit_code == 2
    assert "Invalid value for --suite" in result.output and message in result.output


def test_an_unknown_suite_name_gives_a_usage_error():
    result = bench("--suite", "everything")
    assert result.exit_code == 2
    assert "unknown suite 'everything'" in result.output


def test_the_standard_and_quick_suites():
    standard, quick = load_suite("standard"), load_suite("quick")
    assert [s.name for s in standard] == [s.name for s in quick]
    assert len(standard) == 13
    by_name = dict(zip([s.name for s in standard], zip(standard, quick, strict=True), strict=True))
    full, short = by_name["mixed-500"]
    assert len(short) == len(full) // 4 and full.window_size == 1000
    assert len(by_name["abalone19"][0]) == len(by_name["abalone19"][1]) == 4174
    with pytest.raises(ConfigError, match="unknown suite"):
        load_suite("standard.csv")


def test_votes_to_proba_keeps_moa_decision():
    for votes in ([0.2, 0.7], [-3.0, -1.0], [5.0, -2.0]):
        proba = votes_to_proba(votes, 2)
        assert proba.index(max(proba)) == votes.index(max(votes))
        assert sum(proba) == pytest.approx(1.0)
    assert votes_to_proba([float("nan"), 1.0], 2) == []


def test_moa_classifier_rejects_an_unknown_label():
    model = MOAClassifier("OnlineUnderOverBagging")
    with pytest.raises(ValueError, match="not one of the labels"):
        model.learn_one({"a": 1.0}, "maybe")


@pytest.mark.skipif(moa_missing() is not None, reason=str(moa_missing()))
def test_moa_learners_run_through_the_same_evaluation():
    """MOA learners, each in its own worker process (the Java VM stays out of this one).

    OnlineRUSBoost's votes go negative (see `votes_to_proba`); the features' keys are ints.
    """
    stream = BenchStream("sea", get_scenario("sea-abrupt", seed=2, n_events=3000))
    names = ["moa-uob", "moa-rusboost"]
    results = run_bench([stream], names, jobs=2, progress=False)
    table = results.table.set_index("strategy")
    assert list(table.index) == names
    assert table[["gmean", "kappa", "pr_auc", "events_per_s"]].notna().all().all()
    assert (table["n_events"] == 3000).all()
    # Their scores rank the rare class well above its 1% base rate: MOA sees the features.
    assert (table["pr_auc"] > 0.05).all()
    assert (table["peak_memory_mib"] >= 0).all()
