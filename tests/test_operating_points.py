"""An operator's alerts: a budget held through a replay with a prior shift and holes, and the
service's count of them."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from click.testing import CliRunner

from consumers.messages import encode_event
from stream_imbal.cli import main
from stream_imbal.simulation import Concept, PriorSchedule, Scenario
from tests.kafka_fakes import InProcessService, in_process_config

N, SHIFT_AT, WINDOW, SKIP = 30_000, 15_000, 5000, 10_000


def _transactions(path, seed: int = 11) -> None:
    """30,000 events of 10 features, 0.5% minority then 2% (a 4x prior shift), 4% empty cells."""
    scenario = Scenario(
        concepts=[Concept("RandomRBF", {"n_features": 10, "n_centroids": 20})],
        minority=PriorSchedule([(0, 0.005, "step"), (SHIFT_AT, 0.02, "step")]),
        n_events=N,
        seed=seed,
    )
    rng = random.Random(seed)
    rows = []
    for i, (x, y) in enumerate(scenario):
        cells = {k: (None if rng.random() < 0.04 else v) for k, v in x.items()}
        rows.append({"id": f"tx{i}", "ts": 60.0 * i, **cells, "label": int(y)})
    pd.DataFrame(rows).to_csv(path, index=False)


@pytest.mark.slow
def test_an_alert_budget_holds_through_a_prior_shift_and_missing_values(tmp_path):
    _transactions(tmp_path / "tx.csv")
    model = tmp_path / "budget.toml"
    model.write_text('[model]\nthreshold = "alert_rate"\nalert_rate = 0.01\n')
    out = tmp_path / "run"
    args = ["replay", tmp_path / "tx.csv", "--model", model, "--out", out, "--no-progress"]
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == 0, result.output
    flagged = (pd.read_csv(out / "predictions.csv")["decision"] == True).to_numpy()  # noqa: E712
    shares = [flagged[s : s + WINDOW].mean() for s in range(SKIP, N, WINDOW)]
    assert all(0.006 <= share <= 0.015 for share in shares), shares


def test_the_service_counts_its_alerts_and_reports_its_alert_rate():
    service = InProcessService(in_process_config())
    rng = random.Random(5)
    for i in range(600):
        fraud = i % 10 == 0
        features = {"amount": rng.gauss(2.0 if fraud else 0.0, 1.0)}
        service.consumer.append("events", 0, encode_event(f"e{i}", float(i), features, fraud))
    service.drain()
    predictions = service.producer.on("predictions")
    flagged = sum(p["decision"] is True for p in predictions)
    registry = service.metrics.registry
    assert 0 < flagged == registry.get_sample_value("stream_imbal_alerts_total")
    service._update_gauges()
    state = service.states[0]
    gauge = registry.get_sample_value("stream_imbal_windowed_alert_rate", {"model": "global"})
    assert gauge == state.core.alert_rate() > 0
    false_alarms = registry.get_sample_value(
        "stream_imbal_windowed_false_positive_rate", {"model": "global"}
    )
    assert false_alarms == state.core.false_positive_rate() < gauge
