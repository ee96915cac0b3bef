"""In-memory stand-ins for the service's Kafka clients and checkpoint store, and a service
that runs on them: the whole per-message path (decode, online core, encode, publish,
checkpoint) in one process, without a broker."""

from __future__ import annotations

from collections import defaultdict

import orjson
from kafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from consumers import Service, ServiceConfig, load_config
from consumers.kafka_io import Message
from tests.service_harness import SIGNING_KEY_ENV


class FakeProducer:
    """Records what is sent; `refuse_over` bytes are rejected, `down` raises an outage."""

    max_request_size = 1_000_000

    def __init__(self, log: list) -> None:
        self.log, self.sent = log, []
        self.refuse_over: int | None = None
        self.down: Exception | None = None
        self.flush_error: Exception | None = None

    def send(self, topic, value, key=None, on_rejected=None) -> None:
        if self.down is not None:
            raise self.down
        if self.refuse_over is not None and len(value) > self.refuse_over:
            raise MessageSizeTooLargeError("too large")
        self.sent.append((topic, value))

    def flush(self, timeout_s=None) -> None:
        self.log.append("flush")
        if self.flush_error is not None:
            raise self.flush_error

    def close(self) -> None:
        pass

    def on(self, topic: str) -> list[dict]:
        """The JSON bodies sent to `topic`, in order."""
        return [orjson.loads(value) for sent_to, value in self.sent if sent_to == topic]


class FakeStore:
    def __init__(self, log: list) -> None:
        self.log, self.snapshots = log, {}

    def save(self, key, snapshot) -> None:
        self.log.append(f"save {key}")
        self.snapshots[key] = snapshot

    def load(self, key):
        return self.snapshots.get(key)


class FakeConsumer:
    """Topics as in-memory logs of `Message`s, read from a position per partition."""

    def __init__(self, log: list) -> None:
        self.log, self.fail = log, False
        self.logs: dict[tuple[str, int], list[Message]] = defaultdict(list)
        self.positions: dict[tuple[str, int], int] = defaultdict(int)

    def append(self, topic: str, partition: int, value: bytes | None, key=b"k") -> Message:
        records = self.logs[(topic, partition)]
        message = Message(topic, partition, len(records), key, value, 1_000_000)
        records.append(message)
        return message

    def poll(self, timeout_ms: int, max_records: int) -> list[Message]:
        batch: list[Message] = []
        for where, records in self.logs.items():
            start = self.positions[where]
            taken = records[start : start + max_records - len(batch)]
            self.positions[where] = start + len(taken)
            batch += taken
        return batch

    def seek(self, partition, offset: int) -> None:
        self.positions[partition] = offset

    def commit(self, offsets) -> None:
        if self.fail:
            raise KafkaConnectionError("broker gone")
        self.log.append(f"commit {sorted(offsets.items())}")

    def lag(self, partition) -> int | None:
        return len(self.logs[partition]) - self.positions[partition]

    def close(self) -> None:
        pass

    @property
    def drained(self) -> bool:
        return all(self.positions[w] >= len(r) for w, r in self.logs.items())


class InProcessService(Service):
    """The service on `FakeProducer`, `FakeConsumer` and `FakeStore`, owning `partitions`."""

    def __init__(self, config, partitions=(0,)) -> None:
        super().__init__(config)
        self.log: list = []
        self.producer = FakeProducer(self.log)
        self.consumer = FakeConsumer(self.log)
        self.store = FakeStore(self.log)
        self._start()
        self._on_assigned([(t, p) for t in config.topic_names for p in partitions])

    def _connect(self):
        return self.producer, self.consumer, self.store

    def drain(self, max_steps: int = 1_000) -> None:
        """Step until every message has been read, then checkpoint."""
        for _ in range(max_steps):
            if self.consumer.drained:
                break
            self.step()
        assert self.consumer.drained, "the service stopped reading"
        self.checkpoint()


def in_process_config(**settings: str) -> ServiceConfig:
    """The configuration of an `InProcessService`: topics `events`, `predictions` and `dead`, no
    /metrics endpoint, checkpoints signed with the tests' key; `settings` override it, named
    as the environment names them without the prefix (`MODEL__MISSING="skip"`)."""
    environ = {
        "TOPICS__EVENTS": "events",
        "TOPICS__PREDICTIONS": "predictions",
        "TOPICS__DEAD_LETTERS": "dead",
        "METRICS__PORT": "0",
        "CHECKPOINT__KEY_ENV": SIGNING_KEY_ENV,
    } | settings
    return load_config(environ={f"STREAM_IMBAL__{key}": value for key, value in environ.items()})
