"""The service's parts on their own, with fakes for Kafka: the publisher's fault handling by
kind, and the checkpointer's order (flush, then snapshots, then commit)."""

from __future__ import annotations

import logging
import math
import pickle

import orjson
import pytest
from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from consumers import kafka_io, load_config
from consumers.checkpointer import Checkpointer, Saved
from consumers.kafka_io import LeaderConsumer, Message, MessageProducer
from consumers.logs import JsonFormatter
from consumers.messages import encode_event
from consumers.metrics import ServiceMetrics
from consumers.model_state import ModelState
from consumers.publisher import EvictionLog, Publisher
from stream_imbal.online import Event
from stream_imbal.signing import SnapshotError, sign
from tests.kafka_fakes import (
    FakeConsumer,
    FakeProducer,
    FakeStore,
    InProcessService,
    in_process_config,
)

CONFIG = load_config(
    environ={
        "STREAM_IMBAL__TOPICS__EVENTS": "events",
        "STREAM_IMBAL__TOPICS__PREDICTIONS": "predictions",
        "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "dead",
    }
)


@pytest.fixture
def parts():
    log, outages = [], []
    producer = FakeProducer(log)
    metrics = ServiceMetrics()
    publisher = Publisher(producer, CONFIG.topics, metrics, lambda *e: outages.append(e[0]))
    store, consumer = FakeStore(log), FakeConsumer(log)
    checkpointer = Checkpointer(
        CONFIG, store, b"k" * 32, publisher, consumer, metrics, lambda *e: outages.append(e[0])
    )
    return producer, publisher, checkpointer, consumer, log, outages


def test_a_record_refused_for_itself_is_not_an_outage(parts):
    producer, publisher, *_, outages = parts
    producer.refuse_over = 10_000
    publisher.dead_letter(Message("events", 0, 7, b"k", b"x" * 50_000, 0), "not JSON")
    ((topic, value),) = producer.sent  # sent again without the original bytes
    assert topic == "dead" and b'"truncated":true' in value and len(value) < 10_000
    assert not outages and not publisher.rewind_needed


def test_a_connection_error_is_an_outage_that_asks_for_a_rewind(parts):
    producer, publisher, *_, outages = parts
    producer.down = KafkaConnectionError("no broker")
    publisher.dead_letter(Message("events", 0, 7, b"k", b"{", 0), "not JSON")
    assert outages == ["produce"] and publisher.rewind_needed


def test_snapshots_come_after_the_flush_and_before_the_commit(parts):
    producer, publisher, checkpointer, consumer, log, outages = parts
    state = ModelState(CONFIG, 0)
    state.on_event(Event("a", 1.0, {"x": 1.0}, label=0))
    state.done("events", 0, 41)
    assert checkpointer.checkpoint([state]) is Saved.SNAPSHOTS
    assert log == ["flush", "save stream-imbal.events.0", "commit [(('events', 0), 42)]"]
    assert checkpointer.restore(0).learned == 1 and checkpointer.restore(1).learned == 0
    consumer.fail = True  # saved, not committed: the snapshot holds the offsets
    assert checkpointer.checkpoint([state]) is Saved.SNAPSHOTS and outages == ["commit"]


@pytest.mark.parametrize(
    "error, saved, rewind",
    [
        (KafkaTimeoutError("slow"), Saved.NOTHING, False),
        (KafkaConnectionError("lost"), Saved.LOST_OUTPUT, True),
    ],
)
def test_nothing_is_saved_when_the_outputs_are_not_delivered(parts, error, saved, rewind):
    producer, publisher, checkpointer, _, log, _ = parts
    producer.flush_error = error
    assert checkpointer.checkpoint([ModelState(CONFIG, 0)]) is saved
    assert log == ["flush"] and publisher.rewind_needed is rewind


@pytest.mark.parametrize(
    "payload, reason",
    [
        # Thing() from a module that an incompatible version of stream-imbal no longer has
        (b"cstream_imbal.gone\nThing\n)R.", "cannot be restored by .*ModuleNotFoundError"),
        (b"\x80\x04K\x07.", "holds a int, not the state of the model p0"),
        (b"\x80\x04\x95", "cannot be restored .*UnpicklingError"),
    ],
    ids=["missing class", "not a state", "cut short"],
)
def test_a_signed_snapshot_that_cannot_be_restored_is_refused_clearly(parts, payload, reason):
    _, _, checkpointer, *_ = parts
    checkpointer.store.save("stream-imbal.events.0", sign(payload, b"k" * 32))
    with pytest.raises(SnapshotError, match=f"checkpoint stream-imbal.events.0 .*{reason}"):
        checkpointer.restore(0)


def test_a_checkpoint_of_another_version_is_refused_by_its_version(parts):
    _, _, checkpointer, *_ = parts
    state = ModelState(CONFIG, 0)
    state.version = "0.0.1"
    checkpointer.store.save("stream-imbal.events.0", sign(pickle.dumps(state), b"k" * 32))
    with pytest.raises(SnapshotError, match="written by stream-imbal 0.0.1, not "):
        checkpointer.restore(0)


def test_a_json_log_line_holds_fields_keyed_by_topic_and_partition():
    record = logging.LogRecord("service", logging.INFO, __file__, 1, "checkpoint", (), None)
    record.fields = {"offsets": {("events", 0): 12, ("labels", 3): 4}, "learned": 7}
    line = orjson.loads(JsonFormatter().format(record))
    assert line["offsets"] == {"events:0": 12, "labels:3": 4} and line["learned"] == 7


def test_message_counts_are_read_as_prometheus_counters_and_a_histogram():
    metrics = ServiceMetrics()
    counts = metrics.messages
    counts.events += 3
    counts.predictions += 2
    counts.warming_up += True
    counts.alerts += True
    for seconds in (5e-6, 1e-5, 2e-5, 0.5, 7.0):  # 1e-5 is in the bucket le="1e-05"
        counts.observe_latency(seconds)
    value = metrics.registry.get_sample_value
    assert value("stream_imbal_events_total") == 3
    assert value("stream_imbal_predictions_total") == 2
    assert value("stream_imbal_predictions_warming_up_total") == 1
    assert value("stream_imbal_alerts_total") == 1
    assert value("stream_imbal_learned_events_total") == 0
    bucket = "stream_imbal_processing_seconds_bucket"
    assert value(bucket, {"le": "1e-05"}) == 2
    assert value(bucket, {"le": "3e-05"}) == 3
    assert value(bucket, {"le": "1.0"}) == 4
    assert value(bucket, {"le": "+Inf"}) == 5
    assert value("stream_imbal_processing_seconds_count") == 5
    assert value("stream_imbal_processing_seconds_sum") == pytest.approx(7.50003500)


def test_predictions_made_while_the_model_warms_up_are_counted():
    """A fresh model decides nothing until it has learnt `warm_up` labels of each class: the
    metric counts the predictions it made meanwhile, and no later ones."""
    service = InProcessService(in_process_config(MODEL__PRESET="linear", MODEL__WARM_UP="3"))
    for i in range(60):
        service.consumer.append("events", 0, encode_event(i, float(i), {"a": float(i)}, i % 4 == 0))
    service.drain()
    statuses = [p["status"] for p in service.producer.on("predictions")]
    warming = statuses.count("warming_up")
    assert 0 < warming < len(statuses) == 60 and statuses[warming:] == ["scored"] * (60 - warming)
    value = service.metrics.registry.get_sample_value
    assert value("stream_imbal_predictions_warming_up_total") == warming


class _Clock:
    """`time` for the service's module, its monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_000.0 + self.now


@pytest.mark.parametrize("share", [0.25, 1.0])
def test_a_slow_checkpoint_puts_off_the_next_by_its_share_of_the_time(monkeypatch, share):
    clock = _Clock()
    monkeypatch.setattr("consumers.service.time", clock)
    config = in_process_config(
        CHECKPOINT__EVERY_EVENTS="10",
        CHECKPOINT__EVERY_SECONDS="1000",
        CHECKPOINT__MAX_TIME_SHARE=str(share),
        KAFKA__MAX_POLL_RECORDS="10",
    )
    service = InProcessService(config)
    save = service.store.save

    def slow_save(key, snapshot):  # each checkpoint takes a second
        clock.now += 1.0
        save(key, snapshot)

    service.store.save = slow_save
    for i in range(100):
        service.consumer.append("events", 0, encode_event(i, float(i), {"a": float(i)}, i % 2))

    def saves_in(steps: int) -> int:
        before = len(service.store.log)
        for _ in range(steps):
            service.step()
        return sum(entry.startswith("save") for entry in service.store.log[before:])

    assert saves_in(3) == 1  # 10 events in: one, then the next waits 1 s / share
    clock.now += 1 / share - 0.5
    assert saves_in(3) == 0  # every_events is long past, the wait is not over
    clock.now += 0.5
    assert saves_in(1) == 1
    assert service.consumer.positions[("events", 0)] == 70  # nothing held back meanwhile


def _eviction_lines(caplog) -> list[dict]:
    return [
        record.fields
        for record in caplog.records
        if record.getMessage() == "pending events evicted before their label came"
    ]


def test_evictions_are_logged_as_counts_at_most_every_interval(caplog):
    evictions = EvictionLog(every_seconds=10.0)
    with caplog.at_level(logging.WARNING, logger="stream_imbal.service"):
        evictions.add("global", "full", ["a"], now=100.0)  # the first: at once
        for i in range(8):
            evictions.add("global", "full", [f"b{i}"], now=101.0 + i)
        evictions.add("global", "expired", ["c", "d"], now=109.0)
        evictions.add("global", "full", ["e"], now=110.0)  # 10 s on: the counts since
        evictions.log(now=111.0)  # nothing left
    assert _eviction_lines(caplog) == [
        {"model": "global", "reason": "full", "evicted": 1, "ids": ["a"]},
        {"model": "global", "reason": "full", "evicted": 9, "ids": ["b0", "b1", "b2", "b3", "b4"]},
        {"model": "global", "reason": "expired", "evicted": 2, "ids": ["c", "d"]},
    ]


def test_a_full_pending_store_logs_its_evictions_by_the_checkpoint(caplog):
    service = InProcessService(in_process_config(TOPICS__LABELS="labels", LABELS__PENDING_MAX="3"))
    for i in range(20):
        service.consumer.append("events", 0, encode_event(i, float(i), {"a": float(i)}))
    with caplog.at_level(logging.WARNING, logger="stream_imbal.service"):
        service.drain()
    lines = _eviction_lines(caplog)
    assert [line["evicted"] for line in lines] == [1, 16]  # the first, then the rest by the drain
    assert lines[1]["ids"] == [1, 2, 3, 4, 5]
    value = service.metrics.registry.get_sample_value
    assert value("stream_imbal_pending_evictions_total", {"reason": "full"}) == 17
    assert value("stream_imbal_pending_evictions_total", {"reason": "expired"}) == 0


class _Counted:
    """A consumer that returns nothing and counts its polls."""

    def __init__(self) -> None:
        self.polls = 0

    def poll(self, timeout_ms: int = 0, max_records: int | None = None) -> dict:
        self.polls += 1
        return {}


def test_the_leader_polls_its_membership_at_most_every_interval(monkeypatch):
    """Its heartbeats have their own thread: polling the membership at every step of the loop
    cost about 1 ms each; a revocation is still seen within `MEMBERSHIP_POLL_S`."""
    leader = LeaderConsumer.__new__(LeaderConsumer)  # its state, without a broker
    leader._membership, leader._consumer = _Counted(), _Counted()
    leader._buffers, leader._heard, leader._time_topic = {}, {}, "events"
    leader.leading, leader._membership_polled = True, -math.inf
    now = [0.0]
    monkeypatch.setattr("consumers.kafka_io.time.monotonic", lambda: now[0])
    polled = []
    for now[0] in (0.0, 0.03, 0.06, 0.099, 0.1, 0.15, 0.2, 0.35, 0.36):
        before = leader._membership.polls
        leader.poll(0, 10)
        polled.append(leader._membership.polls - before)
    assert polled == [1, 0, 0, 0, 1, 0, 1, 1, 0]
    leader.leading = False  # standing by, it waits on the membership itself
    leader.poll(0, 10)
    assert leader._membership.polls == 5


def test_a_producer_reads_a_topic_s_partitions_again_after_a_while(monkeypatch):
    class Client:  # kafka-python's producer, as far as the choice of a partition reads it
        partitions = {0, 1}

        def partitions_for(self, topic):
            return set(self.partitions)

    producer = object.__new__(MessageProducer)
    producer._producer, producer._partitions = Client(), {}
    now = [0.0]
    monkeypatch.setattr(kafka_io.time, "monotonic", lambda: now[0])
    keys = [str(i).encode() for i in range(100)]
    assert {producer._partition_of("t", key) for key in keys} == {0, 1}
    Client.partitions = {0, 1, 2, 3}  # partitions added to the topic
    now[0] = kafka_io.PARTITIONS_MAX_AGE_S - 1
    assert {producer._partition_of("t", key) for key in keys} == {0, 1}
    now[0] = kafka_io.PARTITIONS_MAX_AGE_S + 1
    assert {producer._partition_of("t", key) for key in keys} == {0, 1, 2, 3}
    Client.partitions = set()  # a topic without metadata yet: kafka-python's partitioner picks
    assert producer._partition_of("new-topic", b"1") is None
