"""The missing-value policy (`stream_imbal.missing`): the policy itself, a property over
arbitrary events, and its use by `evaluate`, `replay` and the service."""

from __future__ import annotations

import json
import math
import pickle
import random

import orjson
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from consumers import load_config
from consumers.messages import encode_event
from stream_imbal.cli import main
from stream_imbal.exceptions import ConfigError
from stream_imbal.missing import OTHER, MissingValueError, MissingValues
from stream_imbal.model_file import load_model
from tests.kafka_fakes import InProcessService, in_process_config

# --- the policy ----------------------------------------------------------------------------


def test_impute_fills_the_running_mean_and_keeps_the_indicator_once_missing():
    missing = MissingValues(features=["a", "b"])
    assert missing.prepare({"a": 1.0, "b": 2.0}) == {"a": 1.0, "b": 2.0}
    assert missing.prepare({"a": 3.0, "b": 4.0}) == {"a": 3.0, "b": 4.0}
    assert missing.prepare({"a": 5.0}) == {"a": 5.0, "b": 3.0, "b__missing": 1.0}
    for gone in (None, math.nan, "", " "):
        assert missing.prepare({"a": 0.0, "b": gone})["b__missing"] == 1.0
    assert missing.prepare({"a": 0.0, "b": 9.0}) == {"a": 0.0, "b": 9.0, "b__missing": 0.0}
    assert missing.missing_counts == {"b": 5}
    assert missing.prepare({"a": None, "b": None}) == {
        "a": 9 / 8,  # the mean of the 8 values of `a` observed
        "b": 5.0,  # and of `b`'s 3
        "b__missing": 1.0,
        "a__missing": 1.0,
    }


def test_a_feature_never_observed_is_filled_with_zero():
    assert MissingValues(features=["a", "b"]).prepare({"a": 1.0}) == {
        "a": 1.0,
        "b": 0.0,
        "b__missing": 1.0,
    }


def test_the_schema_is_learnt_from_the_first_events_then_unknown_features_are_dropped():
    missing = MissingValues(settle=2)
    missing.prepare({"a": 1.0})
    missing.prepare({"a": 1.0, "b": 2.0})
    assert missing.settled and missing.known == ["a", "b"]
    assert missing.prepare({"a": 1.0, "b": 2.0, "c": 3.0}) == {"a": 1.0, "b": 2.0}
    assert missing.unknown_counts == {"c": 1} and missing.last_unknown == ("c",)
    assert missing.missing_counts == {}  # `b` was not known yet when the first event lacked it


def test_counts_by_name_are_bounded():
    missing = MissingValues(features=["a"], max_named=3)
    missing.prepare({"a": 1.0, **{f"u{i}": 1.0 for i in range(10)}})
    assert missing.unknown_counts == {"u0": 1, "u1": 1, "u2": 1, OTHER: 7}


@pytest.mark.parametrize("policy", ["skip", "error"])
def test_skip_and_error_refuse_an_event_naming_its_feature(policy):
    missing = MissingValues(policy, features=["a", "b"])
    assert missing.prepare({"a": 1.0, "b": 2.0}) == {"a": 1.0, "b": 2.0}
    with pytest.raises(MissingValueError, match="feature 'b' is missing") as refused:
        missing.prepare({"a": 1.0, "b": None})
    assert refused.value.missing == ("b",)
    assert missing.skipped == 1 and missing.missing_counts == {"b": 1}


def test_an_unknown_policy_is_refused():
    with pytest.raises(ConfigError, match="one of"):
        MissingValues("drop")


def test_a_sudden_change_of_the_feature_set_is_one_schema_drift_event():
    missing = MissingValues(features=["a", "b", "c"], window=20)
    for n in range(100):
        missing.prepare({"a": 1.0, "b": 1.0, "c": 1.0}, index=n)
    assert missing.drift_events == []
    changes = []
    for n in range(100, 200):  # another data set: other names
        missing.prepare({"x": 1.0, "y": 2.0}, index=n)
        changes += [n] if missing.schema_changed else []
    (event,) = missing.drift_events
    assert changes == [event.index] == [109]  # half of the last 20 events off the schema
    assert event.kind == "schema"
    for n in range(200, 300):  # back to normal, then away again: reported again
        missing.prepare({"a": 1.0, "b": 1.0, "c": 1.0}, index=n)
    for n in range(300, 400):
        missing.prepare({"a": 1.0}, index=n)  # most known features missing
    assert [e.index for e in missing.drift_events] == [109, 309]
    assert missing.summary()["schema_changes"] == 2


def test_the_policy_survives_a_checkpoint_and_a_model_file_resumes_it():
    missing = MissingValues(features=["a", "b"])
    for value in (1.0, 3.0):
        missing.prepare({"a": value, "b": None})
    restored = pickle.loads(pickle.dumps(missing))
    assert restored.prepare({"a": None, "b": 1.0}) == missing.prepare({"a": None, "b": 1.0})
    resumed = MissingValues.resumed(missing, "skip")
    assert resumed.policy == "skip" and resumed.missing_counts == {} and resumed.skipped == 0
    assert resumed.prepare({"a": 5.0, "b": 1.0}) == {
        "a": 5.0,
        "b": 1.0,
        "b__missing": 0.0,
        "a__missing": 0.0,
    }


names = st.sampled_from(["a", "b", "c", "d", "x", ""]) | st.text(max_size=3)
values = (
    st.none()
    | st.just(math.nan)
    | st.sampled_from(["", " "])
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e100, max_value=1e100)
    | st.integers(-(10**6), 10**6)
)


@settings(max_examples=200, deadline=None, database=None)
@given(
    schema=st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, max_size=4),
    events=st.lists(st.dictionaries(names, values, max_size=6), min_size=1, max_size=30),
    settle=st.integers(1, 5),
)
def test_any_event_becomes_finite_floats_of_the_known_features(schema, events, settle):
    missing = MissingValues(features=schema, settle=settle, window=5)
    for x in events:
        out = missing.prepare(x)
        assert all(isinstance(v, int | float) and math.isfinite(v) for v in out.values())
        assert set(missing.known) <= set(out)
        assert not set(out) - set(missing.known) - {f"{n}__missing" for n in missing.known}
    assert sum(missing.missing_counts.values()) >= 0


# --- files: evaluate and replay ---------------------------------------------------------------


def _file_with_holes(path, n=600, share=0.04, seed=3):
    """A stream of 5 features with `share` of the cells empty and a 4x prior shift."""
    rng = random.Random(seed)
    lines = ["id,ts,f0,f1,f2,f3,f4,label"]
    for i in range(n):
        y = rng.random() < (0.05 if i < n // 2 else 0.2)
        cells = [
            "" if rng.random() < share else f"{rng.gauss(1.5 * y if j < 3 else 0, 1):.4f}"
            for j in range(5)
        ]
        lines.append(f"e{i},{60 * i},{','.join(cells)},{int(y)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*args):
    return CliRunner().invoke(main, [*map(str, args), "--no-progress"])


@pytest.mark.parametrize(
    "command",
    [["evaluate", "--target", "label"], ["replay"], ["replay", "--label-delay", "50"]],
)
def test_empty_cells_are_filled_in_and_counted_by_default(tmp_path, command):
    path = _file_with_holes(tmp_path / "holes.csv")
    result = _run(command[0], path, *command[1:], "--window", 100, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(summary["missing_values"]) == {f"f{j}" for j in range(5)}
    assert 0.02 < sum(summary["missing_values"].values()) / (600 * 5) < 0.06
    assert summary["skipped_missing"] == 0 and summary["n_events"] == 600
    assert "missing values: " in result.output and "in 5 features" in result.output


@pytest.mark.parametrize("command", [["evaluate", "--target", "label"], ["replay"]])
def test_error_stops_at_the_first_missing_value_and_skip_skips_it(tmp_path, command):
    path = _file_with_holes(tmp_path / "holes.csv")
    failed = _run(command[0], path, *command[1:], "--missing", "error", "--out", tmp_path / "e")
    assert failed.exit_code == 2
    assert "holes.csv: " in failed.output and "is missing (missing values: 'error'" in (
        failed.output
    )
    skipped = _run(command[0], path, *command[1:], "--missing", "skip", "--out", tmp_path / "s")
    assert skipped.exit_code == 0, skipped.output
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["n_events"] + summary["skipped_missing"] == 600
    assert 0 < summary["skipped_missing"] < 600 * 0.4


def test_the_benchmark_fills_in_a_user_file_for_every_strategy_alike(tmp_path):
    path = _file_with_holes(tmp_path / "holes.csv")
    args = ["--data", path, "--target", "label", "--strategies", "linear,river-ros"]
    result = _run("bench", *args, "--jobs", 1, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "b" / "results.csv")
    assert set(table["strategy"]) == {"linear", "river-ros"}
    refused = _run("bench", *args, "--missing", "error", "--out", tmp_path / "e")
    assert refused.exit_code == 2 and "holes.csv: event " in refused.output


def test_a_non_numeric_cell_is_still_a_bad_row(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("id,ts,x,label\na,1,0.5,0\nb,2,oops,1\nc,3,,1\n")
    result = _run("replay", path, "--on-bad-row", "skip", "--out", tmp_path / "o")
    assert "skipped row 2: feature 'x' is not a number" in result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["skipped_bad_rows"] == 1 and summary["missing_values"] == {"x": 1}


# --- the service ---------------------------------------------------------------------------


def _service(missing: str = "impute") -> InProcessService:
    return InProcessService(in_process_config(MODEL__MISSING=missing))


def _events(n: int, start: int = 0, names=("a", "b", "c")) -> list[bytes]:
    rng = random.Random(start)
    return [
        encode_event(
            f"e{i}", float(i), {name: rng.gauss(0, 1) for name in names}, label=int(i % 5 == 0)
        )
        for i in range(start, start + n)
    ]


def _sample(service, name: str, labels: dict | None = None) -> float:
    return service.metrics.registry.get_sample_value(name, labels or {}) or 0.0


def test_the_service_scores_an_event_missing_features_and_counts_them():
    service = _service()
    for value in _events(150):
        service.consumer.append("events", 0, value)
    service.consumer.append("events", 0, b'{"id": "m", "ts": 200, "features": {"a": null}}')
    service.consumer.append("events", 0, b'{"id": "u", "ts": 201, "features": {"a": 1, "z": 2}}')
    service.drain()
    predictions = service.producer.on("predictions")
    assert [p["status"] for p in predictions[-2:]] == ["scored", "scored"]
    assert service.producer.on("dead") == []
    assert _sample(service, "stream_imbal_missing_values_total", {"feature": "b"}) == 2
    assert _sample(service, "stream_imbal_missing_values_total", {"feature": "c"}) == 2
    assert _sample(service, "stream_imbal_unknown_features_total") == 1


def test_another_data_set_is_reported_as_a_schema_drift_event():
    service = _service()
    for value in _events(300) + _events(300, start=300, names=("v", "w")):
        service.consumer.append("events", 0, value)
    service.drain()
    assert _sample(service, "stream_imbal_drift_events_total", {"kind": "schema"}) == 1
    assert _sample(service, "stream_imbal_unknown_features_total") == 600
    assert len(service.producer.on("predictions")) == 600  # scored, and counted


def test_the_service_dead_letters_an_event_refused_by_the_policy():
    service = _service("skip")
    for value in _events(150):
        service.consumer.append("events", 0, value)
    service.consumer.append("events", 0, b'{"id": "m", "ts": 200, "features": {"a": 1, "c": 1}}')
    service.drain()
    (letter,) = service.producer.on("dead")
    assert "feature 'b' is missing" in letter["reason"]
    assert _sample(service, "stream_imbal_missing_values_total", {"feature": "b"}) == 1
    assert orjson.loads(service.producer.sent[-1][1]) == letter


def test_an_unknown_service_policy_is_refused():
    with pytest.raises(ConfigError, match=r"\[model\] missing: 'fill' is not one of"):
        load_config(
            environ={
                "STREAM_IMBAL__TOPICS__EVENTS": "events",
                "STREAM_IMBAL__TOPICS__PREDICTIONS": "predictions",
                "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "dead",
                "STREAM_IMBAL__MODEL__MISSING": "fill",
            }
        )


def test_a_replay_with_empty_cells_predicts_what_the_service_does_with_nulls(tmp_path):
    # one policy in one core: the file's empty cells and the messages' nulls give one model
    path = _file_with_holes(tmp_path / "holes.csv", n=800, share=0.1)
    result = _run("replay", path, "--window", 100, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    replayed = pd.read_csv(tmp_path / "o" / "predictions.csv")
    service = _service()
    for row in pd.read_csv(path).itertuples(index=False):
        features = {f"f{j}": getattr(row, f"f{j}") for j in range(5)}
        message = encode_event(row.id, float(row.ts), features, label=int(row.label))
        assert b"null" in message or not any(map(math.isnan, features.values()))
        service.consumer.append("events", 0, message)
    service.drain()
    published = service.producer.on("predictions")
    assert [p["status"] for p in published] == replayed["status"].tolist()
    live = [p["score"] for p in published if p["score"] is not None]
    assert live == pytest.approx(replayed["score"].dropna().tolist(), rel=1e-12)
    assert len(live) > 400


def test_a_model_file_keeps_the_feature_means_and_a_run_from_it_counts_afresh(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("STREAM_IMBAL_CHECKPOINT_KEY", "missing-values-key-0123456789")
    path = _file_with_holes(tmp_path / "holes.csv")
    saved = _run("evaluate", path, "--target", "label", "--save-model", tmp_path / "m.bin")
    assert saved.exit_code == 0, saved.output
    trained = load_model(tmp_path / "m.bin")
    assert trained.missing.known == [f"f{j}" for j in range(5)]
    assert sum(trained.missing.missing_counts.values()) > 0
    again = _run("replay", path, "--init-model", tmp_path / "m.bin", "--out", tmp_path / "o")
    assert again.exit_code == 0, again.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["missing_values"] == trained.missing.missing_counts  # the same file, again
