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


def test_the_benchmark_s_own_strategies_are_entries_of_the_spec():
    undersampled = build_strategy("resample-under", seed=1)
    assert type(undersampled.balancing).__name__ == "Resample"
    assert undersampled.balancing.mode == "under"
    assert set(PRESETS) <= set(STRATEGIES) | {"logistic-regression"}


def test_bench_runs_a_model_specification_beside_the_strategies(tmp_path):
    path = tmp_path / "under.toml"
    path.write_text('[model]\npreset = "linear"\nbalancing = "undersample"\n')
    out = tmp_path / "b"
    args = ["bench", "--suite", "quick", "--streams", "sea-abrupt", "--no-progress", "--no-moa"]
    args += ["--strategies", "river-bare", "--model", str(path), "--jobs", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "spec: preset linear, balancing undersample" in result.output
    assert f"--model {path}" in (out / "results.md").read_text()
    bad = CliRunner().invoke(main, ["bench", "--model", "forest"])
    assert bad.exit_code == 2 and "unknown model preset 'forest'" in bad.output


def test_each_named_part_is_made_and_no_other():
    # The names are checked without importing river; the makers import it.
    from stream_imbal.presets import CHOICES, _makers
    from stream_imbal.threshold import OBJECTIVES

    makers = _makers()
    assert CHOICES["learner"] == tuple(makers["learner"])
    assert CHOICES["balancing"] == tuple(makers["balancing"])
    assert CHOICES["threshold"] == OBJECTIVES
