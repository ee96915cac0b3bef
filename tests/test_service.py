"""The Kafka service against a real Kafka-protocol broker: predictions, late labels, dead
letters, checkpoints, crashes, outages and two instances sharing a topic."""

from __future__ import annotations

import base64
import collections
import datetime
import os
import signal
import time
import urllib.request

import orjson
import pytest
from kafka.errors import MessageSizeTooLargeError
from kafka.future import Future

from benchmarks.harness.kafka_broker import Broker, free_port
from consumers import Service, load_config
from consumers.kafka_io import KafkaSettings, Message, MessageProducer
from consumers.messages import encode_event, encode_label
from consumers.metrics import ServiceMetrics
from consumers.publisher import Publisher
from tests.service_harness import (
    REPO,
    ServiceThread,
    make_events,
    produce,
    read_topic,
    saved_states,
    start_process,
    topics,
    wait_until,
    write_config,
)
from tests.test_messages import BAD_EVENTS, BAD_LABELS, SCHEMA


def learned(service: Service) -> int:
    states = {id(s): s for s in list(service.states.values())}  # the global one stands for all
    return sum(state.learned for state in states.values())


def counter(metric, *labels) -> float:
    return (metric.labels(*labels) if labels else metric)._value.get()


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
    last = predictions[-1]
    fields = {"id", "score", "decision", "threshold", "prior", "status", "model_version", "ts"}
    assert set(last) == fields and last["status"] == "scored"
    assert 0.0 <= last["score"] <= 1.0 and 0.0 < last["prior"] < 0.2
    # Until a partition's model has learnt both classes, its predictions say so.
    warming = [p for p in predictions if p["status"] == "warming_up"]
    assert warming and all(p["score"] is None and p["decision"] is None for p in warming)
    state = saved_states(config)["global"]
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
        assert service.states[0].core.unmatched_labels == 0


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
    assert saved_states(config)["global"].core.early_labels.keys() == {"no-such-event"}


def test_crash_then_restart_loses_nothing_and_learns_each_event_once(broker, tmp_path, seeded):
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, checkpoint={"every_events": 500}
    )
    events, late = make_events(20_000, seed=3)
    # The last quarter of the stream is sent only after the crash: it comes mid-stream however
    # fast the service reads.
    produce(broker.bootstrap_servers, names, events[:15_000], late)
    log = tmp_path / "service.log"
    process = start_process(config, log)
    # kill -9 at a random point: after some predictions
    wait_until(lambda: log.exists() and log.read_text().count("checkpoint ") >= 2, what="start")
    time.sleep(seeded.uniform(0.0, 1.0))
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    partial = read_topic(broker.bootstrap_servers, names["predictions"], 0, timeout_s=1)
    assert 0 < len(partial) <= 15_000, seeded.seed_text
    produce(broker.bootstrap_servers, names, events[15_000:], late)
    process = start_process(config, log)
    wait_until(
        lambda: _learned_on_disk(config) == len(events),
        what=f"all learned ({seeded.seed_text})",
        timeout_s=90,
    )
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    # a checkpoint follows the flush of every prediction before it
    predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
    assert {p["id"] for p in predictions} == {e[0] for e in events}, seeded.seed_text
    state = saved_states(config)["global"]
    assert state.learned == len(events) == state.model.n_seen, seeded.seed_text
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
            paused = time.monotonic()
            # until the service has seen it, and for longer than the session timeout (3 s)
            wait_until(
                lambda: (
                    counter(service.metrics.broker_errors) >= 1 and time.monotonic() - paused > 4.0
                ),
                what="the outage to be reported",
            )
            own.resume()
            produce(
                own.bootstrap_servers, names, events[2000:], [e for e in late if e in events[2000:]]
            )
            wait_until(lambda: learned(service) == 4000, what="second half learned", timeout_s=90)
            errors = service.metrics.broker_errors._value.get()
        predictions = read_topic(own.bootstrap_servers, names["predictions"], len(events))
        assert {p["id"] for p in predictions} == {e[0] for e in events}
        assert errors >= 1, "the outage should be reported"
        assert saved_states(config)["global"].learned == len(events)
    finally:
        own.stop()


def test_one_instance_learns_every_partition_and_a_standby_takes_over(broker, tmp_path):
    names = topics(partitions=4, bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    events, late = make_events(3000, seed=7)
    produce(broker.bootstrap_servers, names, events, late)
    first, second = ServiceThread(config), ServiceThread(config)
    with first as a:
        wait_until(lambda: learned(a) == len(events), what="one model learns every partition")
        assert len(a.states) == 4 and len({id(s) for s in a.states.values()}) == 1
        with second as b:
            time.sleep(3)  # the standby joins the learners' group and stays idle
            assert not b.states and learned(a) == len(events) and len(a.states) == 4
            first.stop()
            wait_until(lambda: len(b.states) == 4, what="the standby to take over")
            assert b.states[0].learned == len(events)  # from the leader's last checkpoint
            more, more_late = make_events(800, seed=8, prefix="m")
            produce(broker.bootstrap_servers, names, more, more_late)
            wait_until(lambda: learned(b) == len(events) + len(more), what="new events learned")
    predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events) + 800)
    assert {p["id"] for p in predictions} == {e[0] for e in events + more}
    assert {p["model_version"].split(".")[0] for p in predictions} == {"global"}


def test_two_instances_share_partitions_and_hand_over_learned_state(broker, tmp_path):
    names = topics(partitions=4, bootstrap=broker.bootstrap_servers)
    config = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, model={"scope": "partition"}
    )
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
        more, more_late = make_events(800, seed=8, prefix="m")
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
    port = free_port()
    config = write_config(
        tmp_path / "s.toml", broker.bootstrap_servers, names, metrics={"port": port}
    )
    events, late = make_events(600, seed=11)
    produce(broker.bootstrap_servers, names, events, late)
    expected = (
        "stream_imbal_events_total 600.0",
        "stream_imbal_predictions_total 600.0",
        "stream_imbal_predictions_warming_up_total",
        "stream_imbal_learned_events_total 600.0",
        "stream_imbal_labels_joined_total",
        'stream_imbal_pending_events{model="global"} 0.0',
        'stream_imbal_minority_prior{model="global"}',
        'stream_imbal_threshold{model="global"}',
        "stream_imbal_windowed_gmean",
        "stream_imbal_windowed_minority_recall",
        "stream_imbal_alerts_total",
        'stream_imbal_windowed_alert_rate{model="global"}',
        'stream_imbal_windowed_false_positive_rate{model="global"}',
        "stream_imbal_processing_seconds_bucket",
        "stream_imbal_consumer_lag",
        "stream_imbal_checkpoints_total",
        "stream_imbal_rewinds_total 0.0",
        "stream_imbal_broker_up 1.0",
    )

    def scrape() -> str:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()

    with ServiceThread(config) as service:
        wait_until(lambda: learned(service) == 600, what="events learned")
        # the gauges are refreshed at each checkpoint: wait for one after the last event
        wait_until(lambda: all(name in scrape() for name in expected), what="the gauges")
        text = scrape()
    for name in expected:
        assert name in text, name


def test_a_missing_signing_key_stops_the_service_at_start(tmp_path, monkeypatch):
    names = topics()
    config = write_config(tmp_path / "s.toml", "127.0.0.1:1", names)
    monkeypatch.delenv(load_config(config).checkpoint.key_env)
    from stream_imbal.signing import SnapshotError

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
    from stream_imbal.signing import SnapshotError

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


def test_large_invalid_messages_get_a_dead_letter_and_the_stream_goes_on(broker, tmp_path):
    # Invalid messages of 0.5 to 5 MB between labelled events. The service's producer takes
    # records up to 1 MB (max_chunk_bytes + 100 kB), so from about 0.75 MB on the dead letter
    # (base64) would not fit whole: it is cut to fit and flagged, and nothing is rewound. The
    # broker (Tansu: no per-topic limit below 20 MB) takes the inputs from a producer allowed
    # 6 MB; kafka-python's consumer reads a record larger than max_partition_fetch_bytes (1 MiB)
    # whole (fetch v3+, KIP-74), so no fetch limit needs raising.
    names = topics(bootstrap=broker.bootstrap_servers)
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names)
    events, _ = make_events(100, seed=12, labelled_every=1)
    big_ts = orjson.dumps({"id": "big", "ts": "9" * 900_000, "features": {"a": 1.0}})
    bad = [b"x" * 500_000, big_ts, b"{" * 1_500_000, b"x" * 5_000_000]
    producer = MessageProducer(KafkaSettings(broker.bootstrap_servers), max_request_size=6_000_000)
    offset, bad_offsets = 0, {}
    for i, (event_id, ts, x, y) in enumerate(events):
        if i and i % 20 == 0:
            value = bad[i // 20 - 1]
            producer.send(names["events"], value, key=b"bad")
            bad_offsets[offset] = value
            offset += 1
        producer.send(names["events"], encode_event(event_id, ts, x, y), key=event_id.encode())
        offset += 1
    producer.flush()
    producer.close()
    with ServiceThread(config) as service:
        dead = read_topic(broker.bootstrap_servers, names["dead_letters"], len(bad))
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        wait_until(lambda: learned(service) == len(events), what="every event learned")
        metrics = service.metrics
        rewinds, errors = counter(metrics.rewinds), counter(metrics.broker_errors)
        up, given_up = (
            metrics.broker_up._value.get(),
            counter(metrics.undeliverable, names["dead_letters"]),
        )
    assert collections.Counter(p["id"] for p in predictions) == {e[0]: 1 for e in events}
    assert (rewinds, errors, up, given_up) == (0, 0, 1, 0)
    assert saved_states(config)["global"].learned == len(events)
    assert sorted(d["offset"] for d in dead) == sorted(bad_offsets)
    for letter in dead:
        original = bad_offsets[letter["offset"]]
        kept = base64.b64decode(letter["value_base64"])
        assert letter["value_bytes"] == len(original) and original.startswith(kept)
        assert letter["truncated"] == (len(kept) < len(original))
        assert letter["truncated"] == (len(original) > 750_000), len(original)
        assert len(orjson.dumps(letter)) < 1_000_000 and len(letter["reason"]) < 3_000
        assert (letter["topic"], letter["partition"]) == (names["events"], 0)
    reasons = {len(bad_offsets[d["offset"]]): d["reason"] for d in dead}
    assert reasons[len(big_ts)].startswith("field 'ts': not an ISO-8601 time")
    assert reasons[5_000_000].startswith("message too large: 5000000 bytes")


def test_a_dead_letter_the_broker_refuses_is_sent_without_its_bytes_or_counted(broker, tmp_path):
    # A broker whose limit is below the producer's refuses a dead letter cut to the producer's
    # limit (Tansu has no such limit: the refusal is simulated at the client). That is not an
    # outage: the letter goes again without the original bytes, and if that is refused too it
    # is counted and logged; no rewind either way.
    names = topics(bootstrap=broker.bootstrap_servers)
    config = load_config(write_config(tmp_path / "s.toml", broker.bootstrap_servers, names))
    producer = MessageProducer(KafkaSettings(broker.bootstrap_servers))
    outages = []
    metrics = ServiceMetrics()
    publisher = Publisher(producer, config.topics, metrics, lambda *error: outages.append(error))
    refuse_over = [10_000]
    send = producer._producer.send

    def refusing_send(topic, value, **options):
        if len(value) > refuse_over[0]:
            return Future().failure(MessageSizeTooLargeError("over the topic's limit"))
        return send(topic, value, **options)

    producer._producer.send = refusing_send
    message = Message(names["events"], 0, 41, b"k", b"x" * 900_000, 0)
    publisher.dead_letter(message, "not valid JSON")
    producer.flush()
    (letter,) = read_topic(broker.bootstrap_servers, names["dead_letters"], 1)
    assert letter["offset"] == 41 and letter["value_base64"] == "" and letter["truncated"]
    refuse_over[0] = 0  # now even the bare letter is refused
    publisher.dead_letter(message, "not valid JSON")
    producer.flush()
    assert counter(metrics.undeliverable, names["dead_letters"]) == 1
    assert not outages and not publisher.rewind_needed
    producer.close()


def test_a_far_future_timestamp_goes_to_the_dead_letters_and_pending_events_survive(
    broker, tmp_path
):
    # "9999-12-31" would move the partition's event-time clock and expire every event waiting
    # for its label; refused (ahead of the stream's clock and of the wall clock), it does not.
    names = topics(bootstrap=broker.bootstrap_servers)
    limits = {
        "pending_ttl_seconds": 3600.0,
        "max_ahead_of_stream_seconds": 86_400.0,
        "max_ahead_of_wall_clock_seconds": 3600.0,
    }
    config = write_config(tmp_path / "s.toml", broker.bootstrap_servers, names, labels=limits)
    events, late = make_events(200, seed=13)
    ten_days_on = datetime.datetime.fromtimestamp(events[99][1] + 10 * 86_400, datetime.UTC)
    future = [
        orjson.dumps({"id": "y9999", "ts": "9999-12-31T00:00:00", "features": {"a": 1.0}}),
        orjson.dumps({"id": "d10", "ts": ten_days_on.isoformat(), "features": {"a": 1.0}}),
    ]
    future_label = orjson.dumps({"id": "e0", "label": True, "ts": "9999-12-31T00:00:00"})
    producer = MessageProducer(KafkaSettings(broker.bootstrap_servers))
    for i, (event_id, ts, x, y) in enumerate(events):
        unlabelled = (event_id, ts, x, y) in late
        value = encode_event(event_id, ts, x, None if unlabelled else y)
        producer.send(names["events"], value, key=event_id.encode())
        if i == 100:  # half the late events are pending by now
            for value in future:
                producer.send(names["events"], value, key=b"future")
            producer.send(names["labels"], future_label, key=b"e0")
    for event_id, ts, _, y in late:  # every late label once all the events are out
        producer.send(names["labels"], encode_label(event_id, y, ts), key=event_id.encode())
    producer.flush()
    producer.close()
    with ServiceThread(config) as service:
        dead = read_topic(broker.bootstrap_servers, names["dead_letters"], 3)
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        wait_until(lambda: learned(service) == len(events), what="every late label learned")
        state = service.states[0]
        assert len(state.pending) == 0 and state.core.clock == events[-1][1]
        metrics = service.metrics
        assert metrics.messages.evicted == {"full": 0, "expired": 0}
        assert counter(metrics.timestamps_ahead, names["events"]) == 2
        assert counter(metrics.timestamps_ahead, names["labels"]) == 1
    assert {p["id"] for p in predictions} == {e[0] for e in events}
    reasons = {(d["topic"], base64.b64decode(d["value_base64"])): d["reason"] for d in dead}
    assert len(reasons) == 3
    assert "ahead of the stream's clock" in reasons[names["events"], future[0]]
    assert "ahead of the stream's clock" in reasons[names["events"], future[1]]
    assert "ahead of the wall clock" in reasons[names["labels"], future_label]
