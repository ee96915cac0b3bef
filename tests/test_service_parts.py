"""The service's parts on their own, with fakes for Kafka: the publisher's fault handling by
kind, and the checkpointer's order (flush, then snapshots, then commit)."""

from __future__ import annotations

import logging
import pickle

import orjson
import pytest
from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from consumers import load_config
from consumers.checkpointer import Checkpointer, Saved
from consumers.kafka_io import Message
from consumers.logs import JsonFormatter
from consumers.metrics import ServiceMetrics
from consumers.model_state import ModelState
from consumers.publisher import Publisher
from stream_imbal.online import Event
from stream_imbal.signing import SnapshotError, sign
from tests.kafka_fakes import FakeConsumer, FakeProducer, FakeStore

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
    counts.alerts += True
    for seconds in (5e-6, 1e-5, 2e-5, 0.5, 7.0):  # 1e-5 is in the bucket le="1e-05"
        counts.observe_latency(seconds)
    value = metrics.registry.get_sample_value
    assert value("stream_imbal_events_total") == 3
    assert value("stream_imbal_predictions_total") == 2
    assert value("stream_imbal_alerts_total") == 1
    assert value("stream_imbal_learned_events_total") == 0
    bucket = "stream_imbal_processing_seconds_bucket"
    assert value(bucket, {"le": "1e-05"}) == 2
    assert value(bucket, {"le": "3e-05"}) == 3
    assert value(bucket, {"le": "1.0"}) == 4
    assert value(bucket, {"le": "+Inf"}) == 5
    assert value("stream_imbal_processing_seconds_count") == 5
    assert value("stream_imbal_processing_seconds_sum") == pytest.approx(7.50003500)
