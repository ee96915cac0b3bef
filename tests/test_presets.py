"""The model specification: one way to name a model for the CLI, the benchmark and the service."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consumers.config import load_config
from stream_imbal.bench import STRATEGIES, build_strategy
from stream_imbal.classifier import OnlineImbalancedClassifier
from stream_imbal.cli import main
from stream_imbal.exceptions import ConfigError
from stream_imbal.presets import PRESETS, ModelSpec
from stream_imbal.simulation import get_scenario


def test_the_default_spec_is_the_default_classifier():
    events = list(get_scenario("demo", n_events=3000).iter_truth())
    spec, plain = ModelSpec().build(seed=4), OnlineImbalancedClassifier(seed=4)
    for x, y, _ in events:
        assert spec.predict_proba_one(x) == plain.predict_proba_one(x)
        spec.learn_one(x, y)
        plain.learn_one(x, y)


@pytest.mark.parametrize(
    "table, message",
    [
        ({"balancing": "smoteish"}, "[model] balancing: 'smoteish' is not one of"),
        ({"preset": "forest"}, "[model] preset: 'forest' is not one of default"),
        ({"learnr": "tree"}, "[model] unknown key 'learnr'; the keys are preset, learner"),
        ({"drift": True}, "[model] drift: expected a name, got True"),
        ({"alert_rate": 0.01}, '[model] alert_rate applies to threshold = "alert_rate" only'),
        ({"threshold": "precision", "min_precision": 1.2}, "[model] min_precision must be in"),
        ({"threshold": "cost", "cost_fn": -3}, "[model] cost_fn must be a positive number"),
        ({"threshold": "fbeta", "beta": "2"}, "[model] beta: expected a number, got '2'"),
        ({"warm_up": 2.5}, "[model] warm_up: expected a whole number, got 2.5"),
        ({"warm_up": -1}, "[model] warm_up must be at least 1"),
    ],
)
def test_a_bad_spec_names_the_key(table, message):
    with pytest.raises(ConfigError) as error:
        ModelSpec.parse(table)
    assert str(error.value).startswith(message)


def test_every_command_reads_the_same_toml_model_file(tmp_path):
    path = tmp_path / "model.toml"
    path.write_text('[model]\npreset = "linear"\nbalancing = "undersample"\ndrift = "prior"\n')
    args = ["simulate", "--events", "1500", "--no-progress", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, [*args, "--model", str(path)])
    assert result.exit_code == 0, result.output
    assert "model: preset linear, balancing undersample, drift prior; seed 0" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\nthreshold = "accuracy"\n')
    result = CliRunner().invoke(main, ["simulate", "--model", str(bad)])
    assert result.exit_code == 2 and "[model] threshold: 'accuracy' is not one of" in result.output


def test_a_toml_model_file_sets_the_objective_its_numbers_and_the_warm_up(tmp_path):
    path = tmp_path / "budget.toml"
    path.write_text('[model]\nthreshold = "alert_rate"\nalert_rate = 0.005\nwarm_up = 3\n')
    spec = ModelSpec.parse(str(path))
    assert spec.describe() == "preset default, threshold alert_rate, alert_rate 0.005, warm_up 3"
    model = spec.build(seed=1)
    policy = model.threshold_policy
    assert (policy.objective, policy.alert_rate, model.warm_up) == ("alert_rate", 0.005, 3)
    assert policy.window_size == 20_000  # 100 negatives above the threshold
    cost = ModelSpec.parse({"threshold": "cost", "cost_fn": 40}).build().threshold_policy
    assert (cost.cost_fn, cost.cost_fp) == (40.0, 1.0)


def test_the_service_reads_the_spec_from_its_model_section():
    base = {
        "STREAM_IMBAL__TOPICS__EVENTS": "e",
        "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
        "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
    }
    config = load_config(environ=base | {"STREAM_IMBAL__MODEL__LEARNER": "tree"})
    assert config.model.spec == ModelSpec(learner="tree")
    with pytest.raises(ConfigError, match=r"\[model\] learner: 'random-forest' is not one of pool"):
        load_config(environ=base | {"STREAM_IMBAL__MODEL__LEARNER": "random-forest"})
    budget = {"STREAM_IMBAL__MODEL__THRESHOLD": "recall", "STREAM_IMBAL__MODEL__MIN_RECALL": "0.9"}
    config = load_config(environ=base | budget)
    assert config.model.spec == ModelSpec(threshold="recall", min_recall=0.9)
    with pytest.raises(ConfigError, match=r'\[model\] min_recall applies to threshold = "recall"'):
        load_config(environ=base | {"STREAM_IMBAL__MODEL__MIN_RECALL": "0.9"})


def test_the_benchmark_s_own_strategies_are_entries_of_the_spec():
    undersampled = build_strategy("resample-under", seed=1)
    assert type(undersampled.balancing).__name__ == "Resample"
    assert undersampled.balancing.mode == "under"
    assert set(PRESETS) <= set(STRATEGIES) | {"logistic-regression"}


def test_bench_runs_a_model_specification_beside_the_strategies(tmp_path):
    path = tmp_path / "under.toml"
    path.write_text('[model]\npreset = "linear"\nbalancing = "undersample"\n')
    suite = tmp_path / "suite.toml"
    suite.write_text(
        '[[scenario]]\nname = "sea"\nn_events = 1500\nminority = 0.05\n'
        '[[scenario.concepts]]\ngenerator = "SEA"\n'
    )
    out = tmp_path / "b"
    args = ["bench", "--suite", str(suite), "--no-progress", "--strategies", "river-bare"]
    args += ["--model", str(path), "--jobs", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "spec: preset linear, balancing undersample" in result.output
    assert f"--model {path}" in (out / "results.md").read_text()
    bad = CliRunner().invoke(main, ["bench", "--suite", str(suite), "--model", "forest"])
    assert bad.exit_code == 2 and "unknown model preset 'forest'" in bad.output


def test_each_named_part_is_made_and_no_other():
    # The names are checked without importing river; the makers import it.
    from stream_imbal.presets import CHOICES, _makers
    from stream_imbal.threshold import OBJECTIVES

    makers = _makers()
    assert CHOICES["learner"] == tuple(makers["learner"])
    assert CHOICES["balancing"] == tuple(makers["balancing"])
    assert CHOICES["threshold"] == OBJECTIVES
