"""One scoring loop: a model that abstains on some events is scored the same by `prequential`,
`stream-imbal evaluate`, `stream-imbal replay` and the service, all of which run the events
through `stream_imbal.online.ScoreThenLearn`.

The model comes to each of them from one model file. It says nothing about every third event
(its feature `k` is 0): an abstention once it has learnt two classes is scored as raising no
alarm (`stream_imbal.online.no_alarm`), the same everywhere. A loop that skipped those events, as
river's evaluation does, or scored them as an alert, would change the decisions and the G-mean.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pandas as pd
import pytest
from click.testing import CliRunner
from river import base, linear_model

from consumers.messages import encode_event
from stream_imbal.cli import main
from stream_imbal.evaluate import prequential
from stream_imbal.join import JoinSettings
from stream_imbal.model_file import TrainedModel, load_model, save_model
from tests.kafka_fakes import InProcessService, in_process_config
from tests.service_harness import SIGNING_KEY_ENV

N, WINDOW = 900, 1000  # one window: the service's windowed G-mean is over the whole run


class Abstaining(base.Classifier):
    """A logistic regression that abstains on the events whose feature `k` is 0: it gives no
    probabilities (`no_probabilities`), or probabilities but no decision."""

    def __init__(self, no_probabilities: bool = True) -> None:
        self.no_probabilities = no_probabilities
        self._learner = linear_model.LogisticRegression()

    def learn_one(self, x: dict, y: bool) -> None:
        self._learner.learn_one(x, y)

    def predict_proba_one(self, x: dict) -> dict:
        if self.no_probabilities and x["k"] == 0:
            return {}
        return self._learner.predict_proba_one(x)

    def predict_one(self, x: dict) -> bool | None:
        if x["k"] == 0:
            return None
        return super().predict_one(x)


def _rows(seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(N):
        fraud = rng.random() < 0.1
        x = {"amount": rng.gauss(2.5 if fraud else 0.0, 1.0), "k": float(i % 3)}
        rows.append({"id": f"e{i}", "ts": 60.0 * i, **x, "label": fraud})
    return rows


@pytest.fixture
def model_file(tmp_path, monkeypatch, request):
    """The abstaining model in a model file, signed with the key the service reads too."""
    monkeypatch.setenv("STREAM_IMBAL_CHECKPOINT_KEY", "one-loop-key-0123456789")
    monkeypatch.setenv(SIGNING_KEY_ENV, "one-loop-key-0123456789")
    path = tmp_path / "abstaining.bin"
    save_model(path, TrainedModel(Abstaining(request.param), {}, 0, "abstaining"))
    return path


def _cli(*args) -> dict:
    """Run `stream-imbal args`; its summary.json."""
    result = CliRunner().invoke(main, [*map(str, args), "--no-progress"])
    assert result.exit_code == 0, result.output
    out = args[args.index("--out") + 1]
    return json.loads((out / "summary.json").read_text())


def _decisions(predictions: pd.DataFrame) -> list:
    """Each prediction's decision, None where there is none (warming up or abstaining)."""
    return [None if status != "scored" else d == "True" for status, d in predictions.values]


@pytest.mark.parametrize(
    "model_file", [True, False], indirect=True, ids=["no-probabilities", "no-decision"]
)
def test_every_entry_point_scores_an_abstaining_model_the_same(tmp_path, model_file):
    rows = _rows()
    path = tmp_path / "events.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    features = [({"amount": r["amount"], "k": r["k"]}, r["label"]) for r in rows]

    told = []
    library = prequential(
        load_model(model_file).model,
        features,
        window_size=WINDOW,
        on_prediction=lambda n, y, decision, proba: told.append(decision),
    )
    evaluated = _cli(
        "evaluate", path, "--target", "label", "--init-model", model_file,
        "--window", WINDOW, "--predictions", "--out", tmp_path / "evaluate",
    )  # fmt: skip
    replayed = _cli(
        "replay", path, "--init-model", model_file, "--window", WINDOW,
        "--out", tmp_path / "replay",
    )  # fmt: skip
    service = InProcessService(
        in_process_config(MODEL__INIT=str(model_file), METRICS__WINDOW=str(WINDOW))
    )
    for r in rows:
        x = {"amount": r["amount"], "k": r["k"]}
        service.consumer.append("events", 0, encode_event(r["id"], r["ts"], x, r["label"]))
    service.drain()

    columns = ["status", "decision"]
    read = {"keep_default_na": False, "dtype": str}
    by_entry = {
        "prequential": told,
        "evaluate": _decisions(pd.read_csv(tmp_path / "evaluate/predictions.csv", **read)[columns]),
        "replay": _decisions(pd.read_csv(tmp_path / "replay/predictions.csv", **read)[columns]),
        "service": [
            p["decision"] if p["status"] == "scored" else None
            for p in service.producer.on("predictions")
        ],
    }
    abstained = [i for i in range(N) if i % 3 == 0]
    scored = [i for i in range(N) if by_entry["prequential"][i] is not None]
    assert scored and all(i % 3 for i in scored)  # every third event abstained on
    for name, decisions in by_entry.items():
        assert decisions == by_entry["prequential"], name
    assert all(by_entry["service"][i] is None for i in abstained)

    gmean = library.summary["gmean"]
    assert 0 < gmean < 1
    assert evaluated["gmean"] == replayed["gmean"] == gmean
    # the service and replay's cores measure it over their last window of learnt events: here
    # the whole run
    live = service.states[0].core
    assert live.learned == replayed["learnt"] == N
    assert math.isclose(live.gmean(), replayed["gmean_last_window"], rel_tol=1e-12)
    assert math.isclose(live.gmean(), gmean, rel_tol=1e-12)


def test_evaluate_and_replay_write_the_same_predictions_of_an_alert_budget(tmp_path):
    """Each prediction as the model made it, before the event counts toward the budget (its
    threshold moves with every event scored)."""
    rng = random.Random(8)
    rows = []
    for i in range(3000):
        fraud = rng.random() < 0.1
        rows.append({"id": i + 1, "ts": 60.0 * i, "amount": rng.gauss(fraud, 1.0), "label": fraud})
    path = tmp_path / "events.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    model = tmp_path / "budget.toml"
    model.write_text('[model]\nthreshold = "alert_rate"\nalert_rate = 0.1\n')
    common = ["--model", model, "--seed", 1]
    _cli("evaluate", path, "--target", "label", *common, "--predictions", "--out", tmp_path / "e")
    _cli("replay", path, *common, "--out", tmp_path / "r")
    evaluated = pd.read_csv(tmp_path / "e/predictions.csv")
    replayed = pd.read_csv(tmp_path / "r/predictions.csv")
    columns = ["id", "score", "decision", "threshold", "prior", "status", "learned", "label"]
    thresholds = replayed["threshold"].dropna()
    assert thresholds.nunique() > 100  # the budget moves it event by event
    pd.testing.assert_frame_equal(evaluated[columns], replayed[columns], check_exact=True)


def test_replay_and_the_service_join_events_and_labels_with_one_set_of_defaults():
    from consumers.config import LabelsSection
    from stream_imbal.cli.replay import replay
    from stream_imbal.replay.delay import parse_duration

    join = JoinSettings()
    section = LabelsSection()
    assert isinstance(section, JoinSettings)  # the service's [labels] are the same settings
    bounds = {f.name: getattr(section, f.name) for f in dataclasses.fields(JoinSettings)}
    assert bounds == dataclasses.asdict(join)
    options = {param.name: param.default for param in replay.params}
    assert options["pending_max"] == join.pending_max
    assert parse_duration(options["pending_ttl"]) == join.pending_ttl_seconds
