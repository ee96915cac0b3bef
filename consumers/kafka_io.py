"""Our small Kafka interface: the rest of the service never touches kafka-python directly.

`KafkaSettings` holds the connection settings shared by every client (bootstrap servers and
the security options passed through to kafka-python); `EventConsumer` and `MessageProducer`
wrap kafka-python's consumer and producer with the few calls the service makes.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import heapq
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.errors import (
    CorruptRecordError,
    InvalidRecordError,
    InvalidTimestampError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAlreadyExistsError,
)
from kafka.partitioner.default import murmur2
from kafka.structs import OffsetAndMetadata

from stream_imbal.exceptions import ConfigError

__all__ = [
    "EventConsumer",
    "KafkaError",
    "KafkaSettings",
    "KafkaTimeoutError",
    "LeaderConsumer",
    "MODEL_TOPIC_ROLE",
    "Message",
    "MessageProducer",
    "Partition",
    "ensure_topics",
    "is_rejection",
]

log = logging.getLogger(__name__)

Partition = tuple[str, int]  # (topic, partition)

# Why `[topics] model` must have exactly one partition (`ensure_topics(..., exact=...)`).
MODEL_TOPIC_ROLE = "[topics] model: it elects the one learner and carries its model snapshots"
#: How long a topic's partitions are taken as read (partitions added later are then used).
PARTITIONS_MAX_AGE_S = 30.0

# Errors that refuse a record because of the record itself (its size, its content): sending it
# again would fail again, so they say nothing about the broker. kafka-python raises
# MessageSizeTooLargeError itself for a record over `max_request_size`; the others are broker
# answers (Java's RecordTooLargeException is MESSAGE_TOO_LARGE, i.e. MessageSizeTooLargeError).
REJECTIONS = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidRecordError,
    CorruptRecordError,
    InvalidTimestampError,
)


def is_rejection(error: BaseException) -> bool:
    """Whether `error` refuses a record for what it is (not an outage: do not retry it)."""
    return isinstance(error, REJECTIONS)


@dataclasses.dataclass(frozen=True)
class KafkaSettings:
    """Where the brokers are and how to talk to them.

    `security` is passed verbatim to kafka-python (e.g. `security_protocol`, `sasl_mechanism`,
    `sasl_plain_username`, `sasl_plain_password`, `ssl_cafile`).
    """

    bootstrap_servers: str
    client_id: str = "stream-imbal"
    security: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    request_timeout_ms: int = 30_000
    bootstrap_timeout_ms: int = 30_000  # how long a new client tries to reach the brokers

    def client_options(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "client_id": self.client_id,
            "request_timeout_ms": self.request_timeout_ms,
            "bootstrap_timeout_ms": self.bootstrap_timeout_ms,
            **self.security,
        }


@dataclasses.dataclass(slots=True)  # not frozen: a frozen one costs 2 us more to make
class Message:
    """A record read from Kafka."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    headers: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)


class _Reader:
    """What the service does with the consumer of its inputs, whatever assigns the partitions."""

    _consumer: KafkaConsumer

    def poll(self, timeout_ms: int, max_records: int) -> list[Message]:
        batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        return [
            Message(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp)
            for records in batches.values()
            for r in records
        ]

    def seek(self, partition: Partition, offset: int) -> None:
        self._consumer.seek(TopicPartition(*partition), offset)

    def commit(self, offsets: Mapping[Partition, int]) -> None:
        """Commit the next offsets to read; raises `KafkaError` if the commit fails."""
        self._consumer.commit(
            {TopicPartition(*p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()}
        )

    def lag(self, partition: Partition) -> int | None:
        """Messages behind the partition's high watermark, as last seen in a fetch."""
        tp = TopicPartition(*partition)
        high = self._consumer.highwater(tp)
        if high is None:
            return None
        try:
            return max(high - self._consumer.position(tp, timeout_ms=0), 0)
        except KafkaError:
            return None

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class EventConsumer(_Reader):
    """A consumer-group member reading `topics`, committing offsets by hand.

    Partitions are assigned by range, so partition p of co-partitioned topics goes to the
    same member.

    `on_assigned` and `on_revoked` receive lists of `(topic, partition)`. kafka-python calls
    them from its network thread, so they must not block on this consumer.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        topics: Iterable[str],
        group_id: str,
        on_assigned: Callable[[list[Partition]], None],
        on_revoked: Callable[[list[Partition]], None],
        **options: Any,
    ) -> None:
        self._consumer = KafkaConsumer(
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            partition_assignment_strategy=(RangePartitionAssignor,),
            **settings.client_options(),
            **options,
        )
        self._consumer.subscribe(list(topics), listener=_Listener(on_assigned, on_revoked))


class LeaderConsumer(_Reader):
    """Every partition of `topics`, read by one instance at a time: the leader.

    The instances are members of the group `group_id` over `leader_topic`, a topic of one
    partition (created if missing) whose messages are never read: the member that holds that
    partition leads, and reads every partition of `topics` by manual assignment; the others
    stand by, and one of them takes over when the leader leaves or dies (after its session
    timeout); the partition stays with its holder when others join (cooperative sticky
    assignment: only partitions that move are revoked).
    `on_assigned` and `on_revoked` receive the inputs' `(topic, partition)` lists, as
    `EventConsumer`'s. The leader commits its offsets in the group `<group_id>-offsets`, which
    has no members: they show its lag to Kafka's tools, while its checkpoint holds the truth.

    One model learns from all partitions, so they are read as one stream, in time: fetched
    messages wait in a buffer per partition, and the message with the earliest record timestamp
    goes first (each partition in its own order) as long as every partition of `time_topic` has
    one buffered, or is caught up, or has given nothing for `IDLE_S` (a quiet partition does not
    hold the others back). Small fetches (`FETCH_BYTES` per partition) keep the buffers small.
    """

    FETCH_BYTES = 64 * 1024
    IDLE_S = 2.0
    #: While leading, the membership is polled at most this often (its heartbeats have their
    #: own thread): each poll costs about 1 ms, and the loop polls its inputs every few.
    MEMBERSHIP_POLL_S = 0.1

    def __init__(
        self,
        settings: KafkaSettings,
        topics: Iterable[str],
        group_id: str,
        leader_topic: str,
        on_assigned: Callable[[list[Partition]], None],
        on_revoked: Callable[[list[Partition]], None],
        fetch_max_wait_ms: int = 100,
        **group_options: Any,
    ) -> None:
        ensure_topics(settings, {leader_topic: 1}, exact=MODEL_TOPIC_ROLE)
        self._topics = list(topics)
        self._time_topic = self._topics[0]
        self._buffers: dict[Partition, collections.deque[Message]] = {}
        self._heard: dict[Partition, float] = {}  # when a partition last gave a message
        self._leader_partition = (leader_topic, 0)
        self._on_assigned, self._on_revoked = on_assigned, on_revoked
        self.leading = False
        self._membership_polled = -math.inf
        self._consumer = KafkaConsumer(
            group_id=f"{group_id}-offsets",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=fetch_max_wait_ms,
            max_partition_fetch_bytes=self.FETCH_BYTES,
            **settings.client_options(),
        )
        self._membership = KafkaConsumer(
            group_id=group_id,
            enable_auto_commit=False,
            partition_assignment_strategy=(CooperativeStickyAssignor,),
            **settings.client_options(),
            **group_options,
        )
        listener = _Listener(self._elected, self._deposed)
        self._membership.subscribe([leader_topic], listener=listener)

    def _elected(self, assigned: list[Partition]) -> None:
        self._membership.pause(*(TopicPartition(*p) for p in assigned))  # nothing to read
        if self._leader_partition not in assigned or self.leading:
            return
        inputs = [
            (topic, partition)
            for topic in self._topics
            for partition in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]
        self.leading = True
        self._consumer.assign([TopicPartition(*p) for p in inputs])
        self._buffers = {p: collections.deque() for p in inputs}
        self._heard = dict.fromkeys(inputs, time.monotonic())
        log.info("leading: reading every partition", extra={"fields": {"inputs": len(inputs)}})
        self._on_assigned(inputs)

    def _deposed(self, revoked: list[Partition]) -> None:
        if self._leader_partition not in revoked or not self.leading:
            return
        inputs = sorted((tp.topic, tp.partition) for tp in self._consumer.assignment())
        self._on_revoked(inputs)
        self._consumer.assign([])
        self._buffers, self._heard = {}, {}
        self.leading = False

    def poll(self, timeout_ms: int, max_records: int) -> list[Message]:
        """The next messages while leading, in time order; otherwise keep the membership alive
        and wait."""
        now = time.monotonic()
        if not self.leading or now - self._membership_polled >= self.MEMBERSHIP_POLL_S:
            self._membership.poll(timeout_ms=0 if self.leading else timeout_ms)
            self._membership_polled = now
        if not self.leading:
            return []
        released = self._release(super().poll(0, max_records), max_records)
        if not released:  # nothing could go: wait for what the partitions bring
            released = self._release(super().poll(timeout_ms, max_records), max_records)
        return released

    def _release(self, fetched: list[Message], max_records: int) -> list[Message]:
        """Buffer `fetched`, then take out what may go, in time order."""
        now = time.monotonic()
        for message in fetched:
            where = (message.topic, message.partition)
            self._buffers[where].append(message)
            self._heard[where] = now
        released: list[Message] = []
        if any(self._awaited(p, now) for p in self._buffers):
            return released
        heads = [(b[0].timestamp_ms, p) for p, b in self._buffers.items() if b]
        heapq.heapify(heads)
        while heads and len(released) < max_records:
            partition = heapq.heappop(heads)[1]
            buffer = self._buffers[partition]
            released.append(buffer.popleft())
            if buffer:
                heapq.heappush(heads, (buffer[0].timestamp_ms, partition))
            elif self._awaited(partition, now):
                break  # it may bring earlier messages than the other heads
        return released

    def _awaited(self, partition: Partition, now: float) -> bool:
        """Whether the release waits for `partition`: it has nothing buffered, and has not
        been fetched yet, or is behind its high watermark and has spoken within `IDLE_S`."""
        if self._buffers[partition] or partition[0] != self._time_topic:
            return False
        lag = self.lag(partition)
        return lag is None or (lag > 0 and now - self._heard[partition] < self.IDLE_S)

    def seek(self, partition: Partition, offset: int) -> None:
        self._buffers.get(partition, collections.deque()).clear()  # read again from `offset`
        super().seek(partition, offset)

    def close(self) -> None:
        try:
            self._deposed([self._leader_partition])
        finally:
            self._membership.close(autocommit=False)
            super().close()


class _Listener(ConsumerRebalanceListener):
    def __init__(self, on_assigned, on_revoked) -> None:
        self._on_assigned = on_assigned
        self._on_revoked = on_revoked

    def on_partitions_assigned(self, assigned) -> None:
        self._on_assigned(sorted((tp.topic, tp.partition) for tp in assigned))

    def on_partitions_revoked(self, revoked) -> None:
        self._on_revoked(sorted((tp.topic, tp.partition) for tp in revoked))


class MessageProducer:
    """Sends messages; `flush` returns only once every message sent so far is acknowledged.

    A record the broker refuses for its own sake (`is_rejection`) is handed, at the next
    `flush`, to the `on_rejected` callback given with it, on the flushing thread (which may send
    a replacement); without a callback, it fails the flush like any other error.
    """

    def __init__(self, settings: KafkaSettings, **options: Any) -> None:
        defaults = {"acks": "all", "linger_ms": 5, "batch_size": 256 * 1024, "retries": 2**31 - 1}
        options = {**defaults, **options}
        self._producer = KafkaProducer(**settings.client_options(), **options)
        self.max_request_size: int = self._producer.config["max_request_size"]
        self._failure: BaseException | None = None
        self._rejected: list[tuple[Callable[[KafkaError], None], KafkaError]] = []
        # topic -> (its partitions in order, when they were read)
        self._partitions: dict[str, tuple[list[int], float]] = {}

    def send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
        on_rejected: Callable[[KafkaError], None] | None = None,
    ) -> None:
        """Queue a record; raises `KafkaError` at once if it cannot even be queued (e.g. over
        `max_request_size`: see `is_rejection`). A keyed record goes to the partition of its key
        (`partition_of_key`)."""
        if partition is None and key is not None:
            partition = self._partition_of(topic, key)
        future = self._producer.send(topic, value, key=key, partition=partition, headers=headers)
        future.add_errback(self._record_failure, on_rejected)

    def _partition_of(self, topic: str, key: bytes) -> int | None:
        """The partition kafka-python's partitioner would choose for `key`, from the topic's
        partitions read at most `PARTITIONS_MAX_AGE_S` ago: it sorts and copies them for each
        record (about a third of a record's cost). None (the partitioner chooses) until the
        topic's partitions are known."""
        now = time.monotonic()
        known = self._partitions.get(topic)
        if known is None or now - known[1] > PARTITIONS_MAX_AGE_S:
            partitions = self._producer.partitions_for(topic)  # waits for the metadata once
            if not partitions:
                return None
            known = self._partitions[topic] = (sorted(partitions), now)
        return partition_of_key(key, known[0])

    def _record_failure(self, on_rejected, error: BaseException) -> None:
        # kafka-python's sender thread: only take note, the flushing thread acts on it
        if on_rejected is not None and is_rejection(error):
            self._rejected.append((on_rejected, error))
        else:
            self._failure = error

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait for every send; raises `KafkaError` if one failed or the wait timed out."""
        self._producer.flush(timeout=timeout_s)
        while self._rejected:  # a callback may send a replacement: wait for it too
            rejected, self._rejected = self._rejected, []
            for on_rejected, error in rejected:
                on_rejected(error)
            self._producer.flush(timeout=timeout_s)
        if self._failure is not None:
            error, self._failure = self._failure, None
            raise error if isinstance(error, KafkaError) else KafkaError(str(error))

    def partitions_for(self, topic: str) -> set[int]:
        return self._producer.partitions_for(topic) or set()

    def close(self) -> None:
        self._producer.close()


def partition_of_key(key: bytes, partitions: list[int]) -> int:
    """The partition of a keyed record among the topic's sorted `partitions`, as Kafka's default
    partitioner picks it (Java's and kafka-python's): the key's murmur2 hash, made positive,
    modulo their number.

    >>> partition_of_key(b"42", [0, 1, 2, 3])
    0
    """
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


def read_partition(
    settings: KafkaSettings, topic: str, partition: int, timeout_s: float = 30.0
) -> Iterator[Message]:
    """Every message of one partition from its beginning, without a consumer group; ends only
    when the caller stops iterating (raises `TimeoutError` after `timeout_s` of silence)."""
    consumer = KafkaConsumer(**settings.client_options(), enable_auto_commit=False)
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        while True:
            batches = consumer.poll(timeout_ms=int(timeout_s * 1000))
            if not batches:
                raise TimeoutError(f"{topic}[{partition}]: no message in {timeout_s}s")
            for r in batches.get(tp, []):
                yield Message(
                    r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, r.headers
                )
    finally:
        consumer.close()


def ensure_topics(settings: KafkaSettings, topics: Mapping[str, int], exact: str = "") -> None:
    """Create each missing topic with the given number of partitions. With `exact`, the reason
    the counts matter, a topic that exists with another count is refused (`ConfigError`): a
    broker may have created it with its own default, when a client asked for it first."""
    admin = KafkaAdminClient(**settings.client_options())
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(t, n, 1) for t, n in topics.items() if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
        if exact:
            for described in admin.describe_topics(list(topics)):
                topic, count = described["name"], len(described["partitions"])
                if count != topics[topic]:
                    raise ConfigError(
                        f"topic {topic!r} has {count} partitions, it must have {topics[topic]} "
                        f"({exact}): delete it or name another"
                    )
    finally:
        admin.close()
