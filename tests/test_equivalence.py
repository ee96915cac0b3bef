"""A replay of a topic's events gives what the service gave on them: the same predictions, the
same events learnt, the same windowed scores (both run `stream_imbal.online.ScoreThenLearn`)."""

from __future__ import annotations

import math

import pandas as pd
from click.testing import CliRunner

from consumers import load_config
from stream_imbal.cli import main
from tests.service_harness import (
    ServiceThread,
    make_events,
    produce,
    read_topic,
    topics,
    wait_until,
    write_config,
)


def test_replay_of_the_topic_s_events_is_what_the_service_did(broker, tmp_path):
    names = topics(labels=False, bootstrap=broker.bootstrap_servers)
    path = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, metrics={"port": 0, "window": 300}
    )
    config = load_config(path)
    events, _ = make_events(2500, seed=11, labelled_every=1, minority=0.04)
    produce(broker.bootstrap_servers, names, events, late=[])
    with ServiceThread(path) as service:
        published = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        wait_until(lambda: service.states[0].learned == len(events), what="every event learnt")
        live = service.states[0].core
        live_gmean, live_recall = live.gmean(), live.minority_recall()

    file = tmp_path / "events.csv"
    rows = [{"id": i, "ts": ts, **x, "label": y} for i, ts, x, y in events]
    pd.DataFrame(rows).to_csv(file, index=False)
    out = tmp_path / "replay"
    args = ["replay", str(file), "--out", str(out), "--no-progress", "--window", "300"]
    args += ["--model", config.model.preset, "--seed", str(config.model.seed)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output

    replayed = pd.read_csv(out / "predictions.csv", keep_default_na=False)
    assert [p["id"] for p in published] == replayed["id"].tolist()
    statuses = replayed["status"].tolist()
    assert [p["status"] for p in published] == statuses
    assert "warming_up" in statuses and "scored" in statuses
    for live_p, row in zip(published, replayed.itertuples(), strict=True):
        assert live_p["model_version"] == f"global.{row.learned}"
        if live_p["status"] == "scored":
            assert math.isclose(live_p["score"], float(row.score), rel_tol=1e-12, abs_tol=1e-15)
            assert str(live_p["decision"]) == str(row.decision)
            assert math.isclose(live_p["threshold"], float(row.threshold), rel_tol=1e-12)
        else:
            assert live_p["score"] is None and row.score == "" and row.decision == ""
    summary = pd.read_json(out / "summary.json", typ="series")
    assert summary["learnt"] == len(events)
    assert math.isclose(summary["gmean_last_window"], live_gmean, rel_tol=1e-12)
    assert math.isclose(summary["minority_recall_last_window"], live_recall, rel_tol=1e-12)
