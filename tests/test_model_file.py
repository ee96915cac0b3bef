"""Warm start: a model trained on history (`--save-model`) starts `evaluate`, `replay` and the
service (`[model] init`) with what it has learnt; a model file is signed by the checkpoints'
rule and refused, in one line, when it is not ours."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from consumers.messages import encode_event
from stream_imbal.cli import main
from tests.kafka_fakes import InProcessService, in_process_config
from tests.service_harness import REPO, SIGNING_KEY_ENV

EXAMPLE = REPO / "examples" / "transactions.csv"


@pytest.fixture
def history(tmp_path, monkeypatch):
    monkeypatch.setenv("STREAM_IMBAL_CHECKPOINT_KEY", "model-file-key-0123456789")
    monkeypatch.chdir(tmp_path)
    rows = pd.read_csv(EXAMPLE)
    rows.iloc[:3000].to_csv("past.csv", index=False)
    rows.iloc[3000:4000].to_csv("next.csv", index=False)
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(main, [*args, "--no-progress"])
    return result


def test_a_saved_model_scores_the_next_file_from_its_first_event(history):
    saved = run("evaluate", "past.csv", "--target", "label", "--save-model", "m.bin")
    assert saved.exit_code == 0, saved.output
    assert "model saved to m.bin (3,000 events learnt)" in saved.output
    args = ["replay", "next.csv", "--label-time-column", "label_ts", "--out", "r"]
    warm = run(*args, "--init-model", "m.bin", "--save-model", "m2.bin")
    assert warm.exit_code == 0, warm.output
    assert "from m.bin (3,000 events learnt)" in warm.output
    first = pd.read_csv("r/predictions.csv").iloc[0]
    assert first["status"] == "scored" and first["learned"] == 3000
    assert run(*args[:-1], "r-cold").exit_code == 0
    assert pd.read_csv("r-cold/predictions.csv").iloc[0]["status"] == "warming_up"
    again = run("evaluate", "next.csv", "--target", "label", "--init-model", "m2.bin")
    assert again.exit_code == 0 and "events learnt)" in again.output


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not a model", "not a model file of ours: snapshot is not signed"),
        (None, "signature mismatch"),
    ],
    ids=["unsigned", "tampered"],
)
def test_a_model_file_that_is_not_ours_is_refused_in_one_line(history, content, reason):
    assert run("evaluate", "past.csv", "--target", "label", "--save-model", "m.bin").exit_code == 0
    path = history / "m.bin"
    path.write_bytes(content if content is not None else path.read_bytes()[:-1] + b"X")
    result = run("evaluate", "next.csv", "--target", "label", "--init-model", "m.bin")
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("Error")]
    assert reason in line and "Traceback" not in result.output


def test_the_service_starts_from_a_model_file(history, monkeypatch):
    monkeypatch.setenv(SIGNING_KEY_ENV, "model-file-key-0123456789")  # one key for both
    assert run("evaluate", "past.csv", "--target", "label", "--save-model", "m.bin").exit_code == 0
    service = InProcessService(in_process_config(MODEL__INIT=str(history / "m.bin")))
    service.consumer.append("events", 0, encode_event("tx", 1e9, {"x0": 2.5, "x1": 1.9, "x2": 0.9}))
    service.drain()
    (prediction,) = service.producer.on("predictions")
    assert prediction["status"] == "scored" and prediction["model_version"] == "global.3000"


def test_the_version_checkpoints_and_model_files_carry_is_the_installed_one():
    # Bumped whenever a model's or the core's state changes: files of another version are
    # refused, never loaded into objects that lack what they need.
    import importlib.metadata

    import stream_imbal

    assert importlib.metadata.version("stream-imbal") == stream_imbal.__version__
