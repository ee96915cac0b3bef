"""The Kafka service against a real Kafka-protocol broker: predictions, late labels, dead
letters, checkpoints, crashes, outages and two instances sharing a topic."""

from __future__ import annotations

import collections
import os
import random
import signal
import time
import urllib.request

import pytest

from consumers import Service, load_config
from consumers.kafka_io import KafkaSettings, MessageProducer
from tests.kafka_broker import Broker
from tests.service_harness import (
    REPO,
    ServiceThread,
    make_events,
    produce,
    read_topic,
    saved_states,
    start_process,
    topics,
    write_config,
)
from tests.test_messages import BAD_EVENTS, BAD_LABELS, SCHEMA


def wait_until(condition, timeout_s: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def learned(service: Service) -> int:
    return sum(state.learned for state in list(service.states.values()))


def test_every_event_is_predicted_once_and_every_label_learned(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    events, late = make_events(3000)
    produce(broker.bootstrap_servers, names, events, late)
    with ServiceThread(config) as service:
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        wait_until(lambda: learned(service) == len(events), what="every label learned")
    counts = collections.Counter(p["id"] for p in predictions)
    assert set(counts) == {e[0] for e in events} and max(counts.values()) == 1
    first = predictions[-1]
    assert set(first) == {"id", "score", "decision", "threshold", "prior", "model_version", "ts"}
    assert 0.0 <= first["score"] <= 1.0 and 0.0 < first["prior"] < 0.2
    state = saved_states(config)[0]
    assert state.learned == len(events) and len(state.pending) == 0
    assert state.model.n_seen == len(events)


def test_labels_far_ahead_of_their_events_wait_for_them(broker, tmp_path):
    # The whole backlog is on the topics before the service starts: the labels topic would
    # race ahead of the events and overflow a small early-label store without flow control.
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(
        tmp_path / "s.toml",
        broker.bootstrap_servers,
        names,
        labels={"early_max": 300},
        kafka={"max_poll_records": 200},
    )
    events, late = make_events(6000, seed=4)
    produce(broker.bootstrap_servers, names, events, late, label_delay=5)
    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == len(events), what="every label learned")
        assert service.states[0].unmatched_labels == 0


def test_bad_messages_go_to_the_dead_letter_topic_and_the_rest_is_predicted(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    limits = {"max_message_bytes": SCHEMA.max_message_bytes, "max_features": SCHEMA.max_features}
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names, schema=limits)
    events, _ = make_events(len(BAD_EVENTS) + 20, labelled_every=1)
    producer = MessageProducer(KafkaSettings(broker.bootstrap_servers))
    from consumers.messages import encode_event, encode_label

    good = iter(events)
    for _, value in BAD_EVENTS:  # each bad message between two good ones
        event_id, ts, x, y = next(good)
        producer.send(names["events"], encode_event(event_id, ts, x, y), key=event_id.encode())
        producer.send(names["events"], value, key=b"bad")
    for event_id, ts, x, y in good:
        producer.send(names["events"], encode_event(event_id, ts, x, y), key=event_id.encode())
    for _, value in BAD_LABELS:
        producer.send(names["labels"], value, key=b"bad")
    producer.send(names["labels"], encode_label("no-such-event", True, 0.0), key=b"x")
    producer.flush()
    with ServiceThread(config) as service:
        dead = read_topic(
            broker.bootstrap_servers, names["dead_letters"], len(BAD_EVENTS) + len(BAD_LABELS)
        )
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        wait_until(lambda: learned(service) == len(events), what="good events learned")
    assert len(dead) == len(BAD_EVENTS) + len(BAD_LABELS)
    assert {p["id"] for p in predictions} == {e[0] for e in events}
    by_offset = {(d["topic"], d["offset"]): d for d in dead}
    assert len(by_offset) == len(dead)
    for letter in dead:
        assert letter["reason"] and letter["topic"] in (names["events"], names["labels"])
        assert letter["partition"] == 0
    import base64

    originals = {base64.b64decode(d["value_base64"]) for d in dead if d["value_base64"] is not None}
    assert {v for _, v in BAD_EVENTS if v is not None} <= originals
    # a label for an unknown event is counted, not a dead letter
    assert saved_states(config)[0].early_labels.keys() == {"no-such-event"}


def test_crash_then_restart_loses_nothing_and_learns_each_event_once(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, checkpoint={"every_events": 500}
    )
    events, late = make_events(20_000, seed=3)
    produce(broker.bootstrap_servers, names, events, late)
    log = tmp_path / "service.log"
    process = start_process(config, log)
    # kill -9 at a random point mid-stream: after some predictions, before the end
    wait_until(lambda: log.exists() and log.read_text().count("checkpoint ") >= 2, what="start")
    time.sleep(random.Random().uniform(0.0, 1.5))
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    partial = read_topic(broker.bootstrap_servers, names["predictions"], 0, timeout_s=1)
    assert 0 < len(partial) < len(events), "the crash should happen mid-stream"
    process = start_process(config, log)
    wait_until(lambda: _learned_on_disk(config) == len(events), what="all learned", timeout_s=90)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    # a checkpoint follows the flush of every prediction before it
    predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
    assert {p["id"] for p in predictions} == {e[0] for e in events}
    state = saved_states(config)[0]
    assert state.learned == len(events) == state.model.n_seen
    assert "restored checkpoint" in log.read_text()


def _learned_on_disk(config) -> int:
    try:
        return sum(s.learned for s in saved_states(config).values())
    except (OSError, EOFError):
        return -1


def test_broker_outage_is_reported_and_survived(tmp_path):
    own = Broker()  # paused: keep the other tests' broker out of it
    own.start()
    try:
        names = topics(bootstrap=own.bootstrap_servers)
        config = write_config(
            tmp_path / "s.toml",
            own.bootstrap_servers,
            names,
            kafka={"request_timeout_ms": 2000},
        )
        events, late = make_events(4000, seed=5)
        produce(
            own.bootstrap_servers, names, events[:2000], [e for e in late if e in events[:2000]]
        )
        with ServiceThread(config) as service:
            wait_until(lambda: learned(service) == 2000, what="first half learned")
            own.pause()
            time.sleep(8)  # longer than the request and session timeouts
            own.resume()
            produce(
                own.bootstrap_servers, names, events[2000:], [e for e in late if e in events[2000:]]
            )
            wait_until(lambda: learned(service) == 4000, what="second half learned", timeout_s=90)
            errors = service.metrics.broker_errors._value.get()
        predictions = read_topic(own.bootstrap_servers, names["predictions"], len(events))
        assert {p["id"] for p in predictions} == {e[0] for e in events}
        assert errors >= 1, "the outage should be reported"
        assert saved_states(config)[0].learned == len(events)
    finally:
        own.stop()


def test_two_instances_share_partitions_and_hand_over_learned_state(broker, tmp_path):
    names = topics(partitions=4, bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    events, late = make_events(4000, seed=7)
    produce(broker.bootstrap_servers, names, events, late)
    first, second = ServiceThread(config), ServiceThread(config)
    with first as a, second as b:
        wait_until(
            lambda: learned(a) + learned(b) == len(events) and len(a.states) == len(b.states) == 2,
            what="both instances busy",
        )
        owned_by_b = set(b.states)
        learned_by_b = {p: s.learned for p, s in b.states.items()}
        second.stop()
        wait_until(lambda: len(a.states) == 4, what="the survivor to take all partitions")
        for partition in owned_by_b:
            assert a.states[partition].learned == learned_by_b[partition] > 0
        more, more_late = make_events(800, seed=8)
        more = [(f"m{i}", ts, x, y) for i, (_, ts, x, y) in enumerate(more)]
        more_late = [m for m in more if int(m[0][1:]) % 2]
        produce(broker.bootstrap_servers, names, more, more_late)
        wait_until(lambda: learned(a) == len(events) + len(more), what="new events learned")
    predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events) + 800)
    assert {p["id"] for p in predictions} == {e[0] for e in events + more}


def test_checkpoints_in_a_kafka_topic_are_chunked_and_restored(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(
        tmp_path / "s.toml",
        broker.bootstrap_servers,
        names,
        checkpoint={
            "store": "kafka",
            "topic": f"ckpt-{names['events']}",
            "max_chunk_bytes": 20_000,
        },
    )
    events, late = make_events(1500, seed=9)
    produce(broker.bootstrap_servers, names, events[:1000], [e for e in late if e in events[:1000]])
    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == 1000, what="first part learned")
    produce(broker.bootstrap_servers, names, events[1000:], [e for e in late if e in events[1000:]])
    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == 1500, what="restored and continued")
        assert service.states[0].model.n_seen == 1500


def test_metrics_endpoint_serves_the_service_metrics(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    port = _free_port()
    config = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, metrics={"port": port}
    )
    events, late = make_events(600, seed=11)
    produce(broker.bootstrap_servers, names, events, late)
    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == 600, what="events learned")
        time.sleep(1.2)  # the gauges are refreshed at each checkpoint
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    for name in (
        "stream_imbal_events_total 600.0",
        "stream_imbal_predictions_total 600.0",
        "stream_imbal_learned_events_total 600.0",
        "stream_imbal_labels_joined_total",
        'stream_imbal_pending_events{partition="0"} 0.0',
        'stream_imbal_minority_prior{partition="0"}',
        'stream_imbal_threshold{partition="0"}',
        "stream_imbal_windowed_gmean",
        "stream_imbal_windowed_minority_recall",
        "stream_imbal_processing_seconds_bucket",
        "stream_imbal_consumer_lag",
        "stream_imbal_checkpoints_total",
    ):
        assert name in text, name


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_missing_signing_key_stops_the_service_at_start(tmp_path, monkeypatch):
    names = topics()
    config = write_config(tmp_path / "s.toml", "127.0.0.1:1", names)
    monkeypatch.delenv(load_config(config).checkpoint.key_env)
    from consumers.signing import SnapshotError

    with pytest.raises(SnapshotError, match="signing key"):
        Service(load_config(config))


def test_a_tampered_checkpoint_is_refused(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    events, late = make_events(300, seed=2)
    produce(broker.bootstrap_servers, names, events, late)
    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == 300, what="events learned")
    (path,) = (tmp_path / "checkpoints").glob("*.ckpt")
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 0xFF
    path.write_bytes(bytes(blob))
    service = Service(load_config(config))
    from consumers.signing import SnapshotError

    with pytest.raises(SnapshotError, match="signature mismatch"):
        service.run()
    assert os.path.exists(path)


def test_a_replay_with_late_labels_is_served_end_to_end(broker, tmp_path):
    from click.testing import CliRunner

    from stream_imbal.cli import main

    names = topics(partitions=2, bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    args = ["replay", str(REPO / "examples/transactions.csv"), "--to-kafka", names["events"]]
    args += ["--labels-topic", names["labels"], "--label-time-column", "label_ts"]
    args += ["--bootstrap-servers", broker.bootstrap_servers, "--no-progress"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = 5000
    with ServiceThread(config) as service:
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], rows)
        wait_until(lambda: learned(service) == rows, what="every late label learned")
        assert sum(len(s.pending) for s in service.states.values()) == 0
    assert len({p["id"] for p in predictions}) == rows
