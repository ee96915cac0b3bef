"""`stream-imbal replay`: file reading and bad rows, label delays, the in-process run, and the
replay to a real Kafka-protocol broker."""

from __future__ import annotations

import collections
import json
import math
import pathlib
import random
import re
import runpy
import time
import uuid

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from kafka import KafkaConsumer, TopicPartition
from kafka.partitioner.default import DefaultPartitioner

from consumers.kafka_io import KafkaSettings, MessageProducer, ensure_topics, partition_of_key
from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.classifier import WARM_UP
from stream_imbal.cli import main
from stream_imbal.evaluate import prequential
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import read_labelled_events
from stream_imbal.replay import (
    BadRowError,
    BadRows,
    ColumnMap,
    DirectReplay,
    Event,
    FileReader,
    Label,
    LabelDelay,
    LabelTimeline,
    Row,
)

REPO = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "transactions.csv"


def _frame(n: int = 1500, seed: int = 0, share: float = 0.1) -> pd.DataFrame:
    """Transactions one to twenty seconds apart, each label known up to an hour later."""
    rng = random.Random(seed)
    rows, ts = [], 1_700_000_000.0
    for i in range(n):
        ts += rng.uniform(1, 20)
        fraud = rng.random() < share
        rows.append(
            {
                "id": f"tx{i}",
                "ts": round(ts, 3),
                "amount": round(rng.gauss(2.0 * fraud, 1.0), 4),
                "hour": rng.randrange(24),
                "label": int(fraud),
                "label_ts": round(ts + rng.uniform(0, 3600)),
            }
        )
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, path: pathlib.Path) -> pathlib.Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def _csv(tmp_path, text: str) -> pathlib.Path:
    path = tmp_path / "rows.csv"
    path.write_text(text)
    return path


def _invoke(*args: str):
    return CliRunner().invoke(main, ["replay", *map(str, args), "--no-progress"])


# --- reading files ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_the_three_formats_give_the_same_rows(tmp_path, suffix):
    frame = _frame(300)
    path = _write(frame, tmp_path / f"events{suffix}")
    rows = list(FileReader(path, ColumnMap(label_time="label_ts"), chunk_size=64))
    assert [r.number for r in rows] == list(range(1, 301))
    assert [r.event_id for r in rows] == frame["id"].tolist()
    assert [r.ts for r in rows] == frame["ts"].tolist()
    assert [r.label for r in rows] == frame["label"].tolist()
    assert [r.label_ts for r in rows] == frame["label_ts"].astype(float).tolist()
    assert rows[7].features == {"amount": frame["amount"][7], "hour": float(frame["hour"][7])}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_date_time_strings_and_datetime_columns(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "ts": ["2024-01-01T00:00:00Z", "2024-01-01 01:00:00+01:00", "2024-01-01 00:00:30"],
            "x": [1.0, 2.0, 3.0],
            "label": ["ok", "fraud", "ok"],
        }
    )
    if suffix == ".parquet":  # each string as its own timestamp, a naive one in UTC (pandas
        # 2 parses a mixed column with the offset of the string before)
        stamps = [pd.Timestamp(text) for text in frame["ts"]]
        frame["ts"] = pd.to_datetime(
            [t if t.tzinfo else t.tz_localize("UTC") for t in stamps], utc=True
        )
    path = _write(frame, tmp_path / f"events{suffix}")
    rows = list(FileReader(path))
    assert [r.ts for r in rows] == [1704067200.0, 1704067200.0, 1704067230.0]
    assert [r.event_id for r in rows] == [1, 2, 3] and rows[1].label == "fraud"


def test_column_mapping(tmp_path):
    path = _csv(
        tmp_path,
        "tx,when,amount,merchant,hour,is_fraud\na,10,1.5,shop,3,false\nb,11,2.5,cafe,4,true\n",
    )
    columns = ColumnMap(id="tx", ts="when", label="is_fraud", ignore=("merchant",))
    rows = list(FileReader(path, columns))
    assert [(r.event_id, r.features, r.label) for r in rows] == [
        ("a", {"amount": 1.5, "hour": 3.0}, False),
        ("b", {"amount": 2.5, "hour": 4.0}, True),
    ]
    only = list(
        FileReader(path, ColumnMap(id="tx", ts="when", label="is_fraud", features=("hour",)))
    )
    assert only[0].features == {"hour": 3.0}
    with pytest.raises(ConfigError, match="'merchant' is not numeric"):
        list(FileReader(path, ColumnMap(id="tx", ts="when", label="is_fraud")))
    with pytest.raises(ConfigError, match=r"no id column 'id' \(name it with --id-column\)"):
        list(FileReader(path))


BAD_ROWS_CSV = (
    "id,ts,x,label,label_ts\n"
    "a,1,0.5,0,5\n"  # 1 good
    "b,2,oops,0,5\n"  # 2 non-numeric feature
    "c,3,,0,5\n"  # 3 missing feature: not a bad row, for the missing-value policy
    ",4,0.5,0,5\n"  # 4 missing id
    "e,yesterday,0.5,0,5\n"  # 5 bad timestamp
    "f,6,0.5,1.5,9\n"  # 6 label neither bool, int nor string
    "g,7,0.5,1,6\n"  # 7 label known before the event
    "h,8,0.5,1,soon\n"  # 8 bad label time
    "i,0,0.5,0,9\n"  # 9 out of order: before row 1
    "j,9,inf,0,9\n"  # 10 infinite feature
    "k,10,0.5,1,12\n"  # 11 good
)
BAD_KINDS = {
    2: "feature",
    4: "id",
    5: "timestamp",
    6: "label",
    7: "label time",
    8: "label time",
    9: "out of order",
    10: "feature",
}


def test_bad_rows_are_skipped_and_counted_with_their_row_number(tmp_path):
    path = _csv(tmp_path, BAD_ROWS_CSV)
    reported = []
    bad_rows = BadRows("skip", report=reported.append)
    rows = list(FileReader(path, ColumnMap(label_time="label_ts"), on_bad_row=bad_rows))
    assert [r.number for r in rows] == [1, 3, 11]
    assert math.isnan(rows[1].features["x"])
    assert {e.number: e.kind for e in reported} == BAD_KINDS
    assert bad_rows.skipped == len(BAD_KINDS) and bad_rows.by_kind["feature"] == 2
    assert str(reported[0]) == "row 2: feature 'x' is not a number: 'oops'"


def test_the_first_bad_row_fails_by_default(tmp_path):
    path = _csv(tmp_path, BAD_ROWS_CSV)
    with pytest.raises(BadRowError, match="^row 2: feature 'x'"):
        list(FileReader(path))


def test_bad_rows_on_the_command_line(tmp_path):
    path = _csv(tmp_path, BAD_ROWS_CSV)
    failed = _invoke(path, "--label-time-column", "label_ts", "--out", tmp_path / "o")
    assert failed.exit_code == 2  # an input error, as in every command
    assert "row 2: feature 'x' is not a number" in failed.output
    skipped = _invoke(
        path, "--label-time-column", "label_ts", "--on-bad-row", "skip", "--out", tmp_path / "o"
    )
    assert skipped.exit_code == 0, skipped.output
    assert "skipped row 9: out of event-time order" in skipped.output
    assert re.search(r"^skipped bad rows +8$", skipped.output, flags=re.M)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["skipped_bad_rows"] == 8 and summary["rows_read"] == 11
    assert summary["missing_values"] == {"x": 1}
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert predictions["id"].tolist() == ["a", "c", "k"]


def test_a_missing_label_or_label_time_means_unlabelled(tmp_path):
    path = _csv(tmp_path, "id,ts,x,label,label_ts\na,1,0.5,,5\nb,2,0.5,1,\nc,3,0.5,0,4\n")
    model = OnlineImbalancedClassifier(seed=1)
    timeline = LabelTimeline(LabelDelay(column="label_ts"))
    replay = DirectReplay(model)
    replay.run(timeline(FileReader(path, ColumnMap(label_time="label_ts"))))
    assert (timeline.events, timeline.labelled, timeline.unlabelled) == (3, 1, 2)
    assert replay.learnt == model.n_seen == 1 and len(replay.pending) == 0


def test_start_row_skips_rows_across_chunks(tmp_path):
    path = _write(_frame(1000), tmp_path / "events.csv")
    reader = FileReader(path, start_row=450, chunk_size=100)
    rows = list(reader)
    assert [r.number for r in rows] == list(range(451, 1001))
    assert rows[0].event_id == "tx450" and reader.rows_read == 550
    assert list(FileReader(path, start_row=1000)) == []


def test_start_row_on_the_command_line(tmp_path):
    path = _write(_frame(1000), tmp_path / "events.parquet")
    result = _invoke(path, "--start-row", "700", "--chunk-size", "64", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert predictions["id"].tolist() == [f"tx{i}" for i in range(700, 1000)]


def test_out_of_order_rows(tmp_path):
    # The last row is 40 s late: three rows later than it should be.
    text = "id,ts,x,label\n" + "".join(
        f"{i},{ts},1.0,0\n" for i, ts in enumerate([10, 20, 30, 40, 50, 60, 15])
    )
    path = _csv(tmp_path, text)
    bad_rows = BadRows("skip")
    strict = list(FileReader(path, on_bad_row=bad_rows))
    assert len(strict) == 6 and bad_rows.errors[0].number == 7
    assert "ts 15.0 is before 60.0" in str(bad_rows.errors[0])
    held = list(FileReader(path, reorder_window=5))
    assert [r.ts for r in held] == [10, 15, 20, 30, 40, 50, 60]
    assert [r.number for r in held] == [1, 7, 2, 3, 4, 5, 6]
    with pytest.raises(BadRowError, match="row 7: out of event-time order"):
        list(FileReader(path, reorder_window=4))


# --- label delays -----------------------------------------------------------------------------


def _rows(frame: pd.DataFrame) -> list[Row]:
    return [
        Row(i + 1, r.id, r.ts, {"amount": r.amount}, r.label, float(r.label_ts))
        for i, r in enumerate(frame.itertuples())
    ]


@pytest.mark.parametrize(
    "delay", [LabelDelay.parse("15m"), LabelDelay(column="label_ts"), LabelDelay(seconds=0.0)]
)
def test_each_label_comes_once_between_the_events_of_its_time(delay):
    rows = _rows(_frame(800, seed=3))
    timeline = list(LabelTimeline(delay)(rows))
    events = [item for item in timeline if isinstance(item, Event)]
    labels = [item for item in timeline if isinstance(item, Label)]
    assert [e.row for e in events] == [r.number for r in rows]
    assert sorted(lab.row for lab in labels) == [r.number for r in rows]
    assert all(e.label is None and e.label_follows for e in events)
    known = {
        r.number: r.ts + delay.seconds if delay.seconds is not None else r.label_ts for r in rows
    }
    assert [lab.ts for lab in labels] == sorted(known[lab.row] for lab in labels)
    position = {(type(item), item.row): p for p, item in enumerate(timeline)}
    for p, item in enumerate(timeline):
        if isinstance(item, Label):
            assert item.ts == known[item.row]
            assert position[(Event, item.row)] < p
            before = [i for i in timeline[:p] if isinstance(i, Event)][-1]
            after = next((i for i in timeline[p:] if isinstance(i, Event)), None)
            assert before.ts <= item.ts and (after is None or item.ts <= after.ts)


def test_a_delay_in_events():
    rows = _rows(_frame(200))
    timeline = list(LabelTimeline(LabelDelay.parse("7"))(rows))
    order = [(type(item), item.row) for item in timeline]
    for row in rows:
        arrival, known = order.index((Event, row.number)), order.index((Label, row.number))
        later_events = [kind for kind, _ in order[arrival + 1 : known] if kind is Event]
        assert len(later_events) == min(7, len(rows) - row.number)
    label = next(i for i in timeline if isinstance(i, Label))
    assert label.ts == rows[7].ts  # known when the 7th event after it arrives


def test_no_delay_means_each_event_carries_its_label():
    rows = _rows(_frame(50))
    timeline = list(LabelTimeline(LabelDelay())(rows))
    assert all(isinstance(e, Event) and not e.label_follows for e in timeline)
    assert [e.label for e in timeline] == [r.label for r in rows]


def test_an_id_reused_while_its_label_is_awaited_is_a_bad_row():
    rows = [Row(1, "a", 0.0, {"x": 1.0}, 0), Row(2, "a", 1.0, {"x": 1.0}, 1)]
    rows.append(Row(3, "a", 9.0, {"x": 1.0}, 1))  # after the first label came: fine
    bad_rows = BadRows("skip")
    timeline = list(LabelTimeline(LabelDelay(seconds=5.0), bad_rows)(rows))
    assert [i.row for i in timeline if isinstance(i, Event)] == [1, 3]
    assert bad_rows.errors[0].number == 2 and bad_rows.errors[0].kind == "duplicate id"


@pytest.mark.parametrize("text", ["5x", "-3", "1.5", "m", ""])
def test_bad_delays(text):
    with pytest.raises(ConfigError, match="not a label delay"):
        LabelDelay.parse(text)


# --- direct mode --------------------------------------------------------------------------------


def _warm(labels: list, warm_up: int) -> bool:
    """Whether each of two classes has `warm_up` of `labels`."""
    counts = collections.Counter(labels)
    return sum(n >= warm_up for n in counts.values()) >= 2


def test_without_delay_the_replay_is_the_prequential_evaluation(tmp_path):
    frame = _frame(2500, seed=5)
    path = _write(frame.drop(columns="label_ts"), tmp_path / "events.csv")
    result = _invoke(path, "--window", "500", "--seed", "3", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "G-mean" in result.output and "drift events" in result.output
    windows = pd.read_csv(tmp_path / "o" / "windows.csv")
    expected = prequential(
        OnlineImbalancedClassifier(seed=3),
        read_labelled_events(path, target="label", ignore=["id", "ts"]),
        window_size=500,
    )
    pd.testing.assert_frame_equal(windows, expected.windows, check_dtype=False)
    predictions = pd.read_csv(tmp_path / "o" / "predictions.csv")
    assert list(predictions.columns) == [
        *("id", "ts", "score", "decision", "threshold", "prior", "status", "learned", "label")
    ]
    assert predictions["label"].tolist() == frame["label"].tolist()
    assert predictions["id"].tolist() == frame["id"].tolist()  # each event predicted once
    # Until each class has WARM_UP labels learnt a prediction says so, with no score nor
    # decision.
    warming = predictions["status"] == "warming_up"
    labels = frame["label"].tolist()
    assert warming.tolist() == [not _warm(labels[:i], WARM_UP) for i in range(len(frame))]
    assert predictions.loc[warming, ["score", "decision", "prior"]].isna().all().all()
    assert predictions.loc[~warming, ["score", "decision", "prior"]].notna().all().all()
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["learnt"] == summary["n_events"] == 2500


def test_a_delay_in_events_learns_each_label_once_and_late(tmp_path):
    frame = _frame(1500, seed=6)
    path = _write(frame, tmp_path / "events.jsonl")
    out = tmp_path / "o"
    result = _invoke(path, "--label-delay", "300", "--window", "500", "--out", out)
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv")
    assert predictions["id"].tolist() == frame["id"].tolist()
    # Nothing is learnt before the first label, known once 300 more events have arrived, and
    # nothing is predicted before WARM_UP labels of each class have been learnt.
    scored = predictions["status"] == "scored"
    labels = frame["label"].tolist()
    learnt = [labels[: max(i - 300, 0)] for i in range(len(frame))]
    assert scored.tolist() == [_warm(known, WARM_UP) for known in learnt]
    assert (predictions["decision"].notna() == scored).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["learnt"] == summary["n_events"] == 1500 and summary["labels_unmatched"] == 0
    windows = pd.read_csv(out / "windows.csv")
    # The windows score the predictions made at arrival once two classes were learnt (an
    # abstention then as no alarm): not the first ones.
    first = windows.iloc[0]
    two_classes = [_warm(known, 1) for known in learnt[:500]]
    assert first["tp"] + first["fp"] + first["fn"] + first["tn"] == sum(two_classes) < 500
    assert windows["end"].tolist() == [500, 1000, 1500]


def test_late_labels_score_the_prediction_made_at_arrival():
    rows = _rows(_frame(1200, seed=7))
    model = OnlineImbalancedClassifier(seed=2, warm_up=1)
    replay = DirectReplay(model, window_size=400)
    made = {}
    result = replay.run(
        LabelTimeline(LabelDelay(column="label_ts"))(rows),
        lambda p, label: made.setdefault(p.id, p.decision),
    )
    assert len(made) == 1200 and model.n_seen == replay.learnt == 1200
    tally = collections.Counter(
        (bool(r.label), made[r.event_id]) for r in rows if made[r.event_id] is not None
    )
    windows = result.windows
    assert (
        windows["tp"].sum() == tally[(True, True)] and windows["fn"].sum() == tally[(True, False)]
    )
    assert (
        windows["fp"].sum() == tally[(False, True)] and windows["tn"].sum() == tally[(False, False)]
    )


def test_evicted_events_are_counted_and_their_labels_unmatched(tmp_path):
    path = _write(_frame(600, seed=8), tmp_path / "events.csv")
    out = tmp_path / "o"
    result = _invoke(path, "--label-delay", "100", "--pending-max", "60", "--out", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    # Event k is evicted when event k + 60 arrives, before its label (after event k + 100):
    # only the last 60 events are still waiting when their labels come, at the end.
    assert summary["evicted_full"] == summary["labels_unmatched"] == 540
    assert summary["learnt"] == 60 and summary["evicted_expired"] == 0
    expired = _invoke(path, "--label-delay", "2h", "--pending-ttl", "1h", "--out", out)
    assert expired.exit_code == 0, expired.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["evicted_expired"] == summary["labels_unmatched"] > 0
    assert summary["evicted_full"] == 0 and summary["learnt"] + summary["labels_unmatched"] == 600


def test_the_example_dataset_replays(tmp_path):
    out = tmp_path / "o"
    report = tmp_path / "report"
    result = _invoke(EXAMPLE, "--label-time-column", "label_ts", "--out", out, "--report", report)
    assert result.exit_code == 0, result.output
    assert (report / "report.html").is_file() and (report / "scores.png").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_read"] == summary["events_predicted"] == summary["learnt"] == 5000
    assert summary["skipped_bad_rows"] == 0 and summary["gmean"] > 0.5
    assert len(pd.read_csv(out / "windows.csv")) == 5


def test_the_example_dataset_is_what_its_script_makes(tmp_path):
    script = runpy.run_path(str(REPO / "examples" / "make_transactions.py"))
    script["main"](tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == EXAMPLE.read_bytes()
    frame = pd.read_csv(EXAMPLE)
    assert frame["ts"].is_monotonic_increasing and (frame["label_ts"] > frame["ts"]).all()
    delays = frame["label_ts"] - frame["ts"]
    assert delays.min() >= 59 and delays.max() > 86_400  # minutes to days


@pytest.mark.parametrize(
    "args, message",
    [
        (["--label-delay", "5x"], "not a label delay"),
        (["--label-delay", "5", "--label-time-column", "label_ts"], "not both"),
        (["--labels-topic", "labels"], "--labels-topic applies to --to-kafka only"),
        (["--speed", "10"], "--speed applies to --to-kafka only"),
        (["--speed", "0", "--to-kafka", "t"], "--speed"),
        (["--to-kafka", "t", "--label-delay", "5"], "--labels-topic is needed"),
        (["--to-kafka", "t", "--labels-topic", "l"], "needs --label-delay"),
        (["--to-kafka", "t", "--window", "100"], "--window applies to direct mode"),
        (["--on-bad-row", "ignore"], "--on-bad-row"),
        (["--start-row", "-1"], "--start-row"),
        (["--pending-ttl", "soon"], "not a duration"),
        (["--id-column", "tx"], "no id column 'tx'"),
        (["--feature", "amount,nope"], "no feature column 'nope'"),
    ],
)
def test_bad_arguments_give_a_usage_error(tmp_path, args, message):
    path = _write(_frame(20), tmp_path / "events.csv")
    out = [] if "--to-kafka" in args else ["--out", tmp_path / "o"]  # --out is direct-only
    result = _invoke(path, *args, *out)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_missing_file_is_a_usage_error():
    result = _invoke("no-such-file.csv")
    assert result.exit_code == 2 and "does not exist" in result.output


# --- to Kafka -----------------------------------------------------------------------------------


def _topics(broker, partitions: int = 2, labels_partitions: int | None = None) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    names = (f"replay-events-{suffix}", f"replay-labels-{suffix}")
    counts = {names[0]: partitions, names[1]: labels_partitions or partitions}
    ensure_topics(KafkaSettings(broker.bootstrap_servers), counts)
    return names


def _read(broker, topic: str, expected: int) -> list:
    """Every record of `topic`: `expected` of them, then any extra that comes within 300 ms."""
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    records, deadline = [], time.monotonic() + 20
    while len(records) < expected and time.monotonic() < deadline:
        records += [r for batch in consumer.poll(timeout_ms=200).values() for r in batch]
    records += [r for batch in consumer.poll(timeout_ms=300).values() for r in batch]
    consumer.close()
    return records


def _kafka(broker, *args):
    runner = CliRunner(env={"STREAM_IMBAL_BOOTSTRAP_SERVERS": broker.bootstrap_servers})
    return runner.invoke(main, ["replay", *map(str, args), "--no-progress"])


def test_to_kafka_with_labels_after_their_time(broker, tmp_path):
    frame = _frame(400, seed=9)
    path = _write(frame, tmp_path / "events.csv")
    events_topic, labels_topic = _topics(broker)
    result = _kafka(
        broker,
        path,
        "--to-kafka",
        events_topic,
        "--labels-topic",
        labels_topic,
        "--label-time-column",
        "label_ts",
    )
    assert result.exit_code == 0, result.output
    events, labels = _read(broker, events_topic, 400), _read(broker, labels_topic, 400)
    bodies = [json.loads(r.value) for r in events]
    assert sorted(b["id"] for b in bodies) == sorted(frame["id"])  # every event once
    assert all(r.key == json.loads(r.value)["id"].encode() for r in events + labels)
    assert all("label" not in b for b in bodies)
    first = next(b for b in bodies if b["id"] == "tx0")
    assert first["ts"] == frame["ts"][0] and first["features"] == {
        "amount": frame["amount"][0],
        "hour": frame["hour"][0],
    }
    # Each label: once, in its event's partition number, at its own time, in the timeline order.
    partition_of = {json.loads(r.value)["id"]: r.partition for r in events}
    known = dict(zip(frame["id"], frame["label_ts"], strict=True))
    truth = dict(zip(frame["id"], frame["label"], strict=True))
    assert sorted(json.loads(r.value)["id"] for r in labels) == sorted(frame["id"])
    rows = _rows(frame)
    expected = [
        i for i in LabelTimeline(LabelDelay(column="label_ts"))(rows) if isinstance(i, Label)
    ]
    for partition in (0, 1):
        got = [json.loads(r.value) for r in labels if r.partition == partition]
        assert got, "both partitions used"
        want = [lab for lab in expected if partition_of[lab.event_id] == partition]
        assert [g["id"] for g in got] == [lab.event_id for lab in want]
        for g in got:
            assert partition_of[g["id"]] == partition
            assert g["ts"] == known[g["id"]] and g["label"] == truth[g["id"]]
    assert "events sent to" in result.output and "400" in result.output


def test_to_kafka_without_delay_events_carry_their_label(broker, tmp_path):
    frame = _frame(100, seed=10).drop(columns="label_ts")
    events_topic, _ = _topics(broker, partitions=1)
    result = _kafka(broker, _write(frame, tmp_path / "e.parquet"), "--to-kafka", events_topic)
    assert result.exit_code == 0, result.output
    bodies = [json.loads(r.value) for r in _read(broker, events_topic, 100)]
    assert [(b["id"], b["label"]) for b in bodies] == list(
        zip(frame["id"], frame["label"], strict=True)
    )


def test_to_kafka_at_a_speed(broker, tmp_path):
    # Events 1 s apart in event time, labels 3 s later; at 20x: 50 ms apart, labels 150 ms later.
    frame = pd.DataFrame(
        {"id": range(10), "ts": [100.0 + i for i in range(10)], "x": 1.0, "label": 0}
    )
    events_topic, labels_topic = _topics(broker, partitions=1)
    started = time.monotonic()
    result = _kafka(
        broker,
        _write(frame, tmp_path / "e.csv"),
        "--to-kafka",
        events_topic,
        "--labels-topic",
        labels_topic,
        "--label-delay",
        "3s",
        "--speed",
        "20",
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert elapsed >= (9 + 3) / 20
    sent = {json.loads(r.value)["id"]: r.timestamp for r in _read(broker, events_topic, 10)}
    labels = _read(broker, labels_topic, 10)
    assert [json.loads(r.value)["id"] for r in labels] == list(range(10))
    for record in labels:
        body = json.loads(record.value)
        assert body["ts"] == 100.0 + body["id"] + 3
        # Never before its time on the schedule that starts at the first event (ms, less clock
        # granularity), and never before its event. (A sender that fell behind, e.g. on a
        # loaded machine, catches up: the gap to its own event may then be shorter.)
        assert record.timestamp - sent[0] >= (3 + body["id"]) * 50 - 20
        assert record.timestamp >= sent[body["id"]]
    assert sent[9] - sent[0] >= 450 - 20


def test_to_kafka_refuses_topics_that_are_not_co_partitioned(broker, tmp_path):
    events_topic, labels_topic = _topics(broker, partitions=2, labels_partitions=1)
    result = _kafka(
        broker,
        _write(_frame(10), tmp_path / "e.csv"),
        "--to-kafka",
        events_topic,
        "--labels-topic",
        labels_topic,
        "--label-delay",
        "5",
    )
    assert result.exit_code == 2 and "same number of partitions" in result.output


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.integers(1, 64))
def test_a_key_s_partition_is_the_default_partitioner_s(key, n_partitions):
    class Cluster:  # kafka-python's view of a topic's partitions, every one with a leader
        def topics(self):
            return {"t"}

        def partitions_for_topic(self, topic):
            return set(range(n_partitions))

        available_partitions_for_topic = partitions_for_topic

    expected = DefaultPartitioner().partition("t", key, key, None, None, Cluster())
    assert partition_of_key(key, list(range(n_partitions))) == expected


def test_keyed_records_go_where_kafka_python_would_send_them(broker):
    topic, _ = _topics(broker, partitions=5)
    producer = MessageProducer(KafkaSettings(broker.bootstrap_servers))
    keys = [str(i).encode() for i in range(200)]
    for key in keys:
        producer.send(topic, b"{}", key=key)
    producer.flush()
    producer.close()
    records = _read(broker, topic, len(keys))
    assert sorted(r.key for r in records) == sorted(keys)
    for record in records:
        assert record.partition == partition_of_key(record.key, [0, 1, 2, 3, 4])
    assert len({r.partition for r in records}) == 5


def test_the_library_does_not_import_kafka():
    import subprocess
    import sys

    code = (
        "import sys, stream_imbal.replay, stream_imbal.cli; "
        "assert not any(m == 'kafka' or m.startswith(('kafka.', 'consumers')) for m in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
