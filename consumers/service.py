"""The service: consume events and late labels, predict, learn, checkpoint; one model per
input partition.

One loop owns the Kafka lifecycle: poll a batch, process each message (validate, score,
produce the prediction, learn or wait for the label; a bad message goes to the dead-letter
topic), then, every N events or T seconds, checkpoint: flush the producer, save every
partition's signed snapshot (model, pending labels, next offsets), and only then commit the
offsets. A restarted or newly assigned partition restores its snapshot and seeks to the
offsets in it, so every labelled event is learned exactly once across crashes, while
predictions are produced at least once.
"""

from __future__ import annotations

import logging
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial

import orjson

from consumers.config import ServiceConfig
from consumers.kafka_io import (
    EventConsumer,
    KafkaError,
    KafkaSettings,
    KafkaTimeoutError,
    Message,
    MessageProducer,
    Partition,
    is_rejection,
)
from consumers.messages import BadMessage, dead_letter, decode_event, decode_label, short_reason
from consumers.metrics import ServiceMetrics
from consumers.partition_state import PartitionState, prediction_message
from consumers.signing import key_from_environment, sign, verify
from consumers.stores import CheckpointStore, DirectoryStore, KafkaTopicStore
from stream_imbal.event_clock import TimestampTooFarAhead
from stream_imbal.exceptions import StreamImbalError
from stream_imbal.online import Outcome

__all__ = ["Service"]

log = logging.getLogger("stream_imbal.service")

# What a record adds to its value and key in a produce request (batch and record headers):
# a dead letter is cut to fit the producer's `max_request_size` less this.
RECORD_OVERHEAD_BYTES = 1_024


class Service:
    """The stream-imbal Kafka service; `run()` until SIGTERM/SIGINT or `stop()`."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.settings = KafkaSettings(
            bootstrap_servers=config.kafka.bootstrap_servers,
            client_id=config.kafka.client_id,
            security=config.kafka.security,
            request_timeout_ms=config.kafka.request_timeout_ms,
        )
        self.schema = config.schema
        self.metrics = ServiceMetrics()
        self._key = key_from_environment(config.checkpoint.key_env)
        self._states: dict[int, PartitionState] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._rewind_needed = False
        self._fatal: BaseException | None = None  # raised in a rebalance callback
        self._held: set[int] = set()  # partitions whose labels wait for their events
        self._events_seen_at: dict[int, float] = {}  # when a partition last gave events
        self._reread: set[Partition] = set()  # to read again from the state's next offset
        self._producer: MessageProducer | None = None
        self._consumer: EventConsumer | None = None
        self._store: CheckpointStore | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until stopped; return the process exit code."""
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stop())
        self._start()
        try:
            while not self._stopping.is_set():
                self.step()
        finally:
            self._shutdown()
        return 0

    def stop(self) -> None:
        """Finish the batch in hand, checkpoint, commit and close."""
        self._stopping.set()

    def _start(self) -> None:
        kafka = self.config.kafka
        self._producer = MessageProducer(
            self.settings,
            linger_ms=kafka.linger_ms,
            max_request_size=self.config.checkpoint.max_chunk_bytes + 100_000,
        )
        self._store = self._make_store()
        self._consumer = EventConsumer(
            self.settings,
            self.config.topic_names,
            kafka.group_id,
            on_assigned=self._on_assigned,
            on_revoked=self._on_revoked,
            session_timeout_ms=kafka.session_timeout_ms,
            heartbeat_interval_ms=kafka.heartbeat_interval_ms,
            max_poll_interval_ms=kafka.max_poll_interval_ms,
            fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        )
        if self.config.metrics.port:
            self.metrics.serve(self.config.metrics.port)
        log.info("service started", extra={"fields": {"topics": self.config.topic_names}})

    def _make_store(self) -> CheckpointStore:
        checkpoint = self.config.checkpoint
        if checkpoint.store == "kafka":
            return KafkaTopicStore(
                self.settings, checkpoint.topic, self._producer, checkpoint.max_chunk_bytes
            )
        return DirectoryStore(checkpoint.directory)

    def _shutdown(self) -> None:
        try:
            self.checkpoint()
            with self._lock:
                self._states.clear()  # saved: nothing left for the revocation to save
        finally:
            self._consumer.close()
            self._producer.close()
            log.info("service stopped")

    # --- the loop -------------------------------------------------------------------------

    def step(self) -> None:
        """Poll one batch, process it, checkpoint if due."""
        kafka = self.config.kafka
        try:
            messages = self._consumer.poll(kafka.poll_timeout_ms, kafka.max_poll_records)
        except KafkaError as error:
            self._outage("poll", error)
            return
        if self._fatal is not None:
            raise self._fatal
        with self._lock:
            for message in messages:
                self._process(message)
                if self._rewind_needed:
                    break
            if self.config.topics.labels:
                self._align_labels(messages)
            for topic, partition in self._reread:
                if partition in self._states:
                    offset = self._states[partition].next_offset(topic)
                    self._consumer.seek((topic, partition), offset or 0)
            self._reread.clear()
        if self._rewind_needed:
            self._rewind()
            return
        checkpoint = self.config.checkpoint
        if (
            self._since_checkpoint >= checkpoint.every_events
            or time.monotonic() - self._last_checkpoint >= checkpoint.every_seconds
        ):
            self.checkpoint()

    def _process(self, message: Message) -> None:
        state = self._states.get(message.partition)
        if state is None:
            return  # revoked since the poll: its new owner reads it from the checkpoint
        expected = state.next_offset(message.topic)
        if expected is not None and message.offset < expected:
            return  # processed before the last checkpoint
        # Offsets may legitimately jump (compaction, transaction markers): only lower ones repeat.
        if message.partition in self._held and message.topic == self.config.topics.labels:
            self._reread.add((message.topic, message.partition))
            return
        started = time.perf_counter()
        try:
            if message.topic == self.config.topics.events:
                self.metrics.events.inc()
                event = decode_event(message.value, self.schema, message.timestamp_ms / 1000)
                outcome = state.on_event(event, wall_now=time.time())
            else:
                label = decode_label(message.value, self.schema, message.timestamp_ms / 1000)
                outcome = state.on_label(label, wall_now=time.time())
        except TimestampTooFarAhead as error:
            self.metrics.timestamps_ahead.labels(message.topic).inc()
            self._send_dead_letter(message, str(error))
        except (BadMessage, StreamImbalError) as error:
            self._send_dead_letter(message, str(error))
        else:
            self._publish(state, outcome)
        if self._rewind_needed:
            return
        state.done(message.topic, message.offset)
        self._since_checkpoint += 1
        self.metrics.latency.observe(time.perf_counter() - started)

    def _align_labels(self, messages: list[Message]) -> None:
        """Read labels no further ahead in event time than the events of their partition.

        On a backlog the labels topic, smaller, would otherwise race ahead of the events and
        its labels pile up waiting for their events. A partition's labels are held (left
        unprocessed, and read again later) while they are ahead of its events, until the events
        catch up or have given nothing for `[labels] max_idle_ms` (`_process` skips held labels;
        the batch's end seeks back).
        """
        events = [m.partition for m in messages if m.topic == self.config.topics.events]
        # a batch full of events may have left out a partition whose events are still coming
        saturated = len(events) >= self.config.kafka.max_poll_records
        now = time.monotonic()
        for partition in set(events):
            self._events_seen_at[partition] = now
        idle_s = self.config.labels.max_idle_ms / 1000
        for partition, state in self._states.items():
            flowing = now - self._events_seen_at.get(partition, 0.0) < idle_s
            if state.core.labels_ahead and (saturated or flowing):
                self._held.add(partition)
            else:
                self._held.discard(partition)

    def _publish(self, state: PartitionState, outcome: Outcome) -> None:
        metrics = self.metrics
        if outcome.prediction is not None:
            prediction = prediction_message(outcome.prediction, state.partition)
            topic = self.config.topics.predictions
            key = str(prediction["id"]).encode()
            self._send(topic, orjson.dumps(prediction), key, self._prediction_refused)
            metrics.predictions.inc()
        if outcome.learned:
            metrics.learned.inc(outcome.learned)
        if outcome.joined:
            metrics.labels_joined.inc(outcome.joined)
        if outcome.unmatched_labels:
            metrics.labels_unmatched.inc(outcome.unmatched_labels)
        for reason, evicted in outcome.evicted.items():
            for event in evicted:
                metrics.evictions.labels(reason).inc()
                log.warning(
                    "pending event evicted before its label came",
                    extra={
                        "fields": {
                            "id": event.event_id,
                            "partition": state.partition,
                            "reason": reason,
                        }
                    },
                )
        for event in outcome.drift_events:
            metrics.drift.labels(event.kind).inc()
            log.info(
                "drift detected",
                extra={
                    "fields": {
                        "partition": state.partition,
                        "kind": event.kind,
                        "detector": event.detector,
                        "index": event.index,
                    }
                },
            )

    def _send_dead_letter(self, message: Message, reason: str) -> None:
        reason = short_reason(reason)
        self.metrics.invalid.labels(message.topic).inc()
        log.warning(
            "dead letter",
            extra={
                "fields": {
                    "topic": message.topic,
                    "partition": message.partition,
                    "offset": message.offset,
                    "bytes": None if message.value is None else len(message.value),
                    "reason": reason,
                }
            },
        )
        key = message.key
        room = self._producer.max_request_size - RECORD_OVERHEAD_BYTES - len(key or b"")
        value = dead_letter(
            message.value, message.topic, message.partition, message.offset, reason, room
        )
        on_rejected = partial(self._send_bare_dead_letter, message, reason)
        self._send(self.config.topics.dead_letters, value, key, on_rejected)

    def _send_bare_dead_letter(self, message: Message, reason: str, error: KafkaError) -> None:
        """The dead letter was refused for its size or content (a broker limit below the
        producer's, a huge key): send it again without the original bytes and key."""
        log.warning(
            "dead letter refused: sending it without the original bytes",
            extra={"fields": {"offset": message.offset, "error": repr(error)}},
        )
        topic = self.config.topics.dead_letters
        value = dead_letter(
            message.value, message.topic, message.partition, message.offset, reason, max_bytes=0
        )
        self._send(topic, value, None, partial(self._give_up, topic, message.key))

    def _prediction_refused(self, error: KafkaError) -> None:
        self._give_up(self.config.topics.predictions, None, error)

    def _give_up(self, topic: str, key: bytes | None, error: KafkaError) -> None:
        """An output refused for its own sake: sending it again would fail again, and the
        broker is fine, so it is counted and logged, and processing goes on."""
        self.metrics.undeliverable.labels(topic).inc()
        log.error(
            "output refused by Kafka for its size or content: given up",
            extra={
                "fields": {"topic": topic, "key": short_reason(repr(key)), "error": repr(error)}
            },
        )

    def _send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None,
        on_rejected: Callable[[KafkaError], None],
    ) -> None:
        """Send an output. A record refused for itself goes to `on_rejected` (now, or at the
        next flush if the broker refuses it); any other error is an outage, and as an output
        may be lost, the service goes back to the last checkpoint."""
        try:
            self._producer.send(topic, value, key=key, on_rejected=on_rejected)
        except KafkaError as error:
            if is_rejection(error):
                on_rejected(error)
                return
            self._outage("produce", error)
            self._rewind_needed = True

    # --- checkpoints ----------------------------------------------------------------------

    def _checkpoint_key(self, partition: int) -> str:
        return f"{self.config.kafka.group_id}.{self.config.topics.events}.{partition}"

    def checkpoint(self, partitions: Iterable[int] | None = None) -> bool:
        """Flush the predictions, save the partitions' snapshots, then commit their offsets."""
        with self._lock:
            try:
                self._producer.flush(timeout_s=self.config.kafka.request_timeout_ms / 1000)
            except KafkaTimeoutError as error:
                self._outage("flush", error)
                return False
            except KafkaError as error:  # a prediction was lost: redo from the last snapshot
                self._outage("delivery", error)
                self._rewind()
                return False
            if self._rewind_needed:  # a replacement sent during the flush was lost
                self._rewind()
                return False
            chosen = list(self._states) if partitions is None else list(partitions)
            offsets: dict[Partition, int] = {}
            for partition in chosen:
                state = self._states[partition]
                try:
                    self._save(state)
                except (KafkaError, OSError) as error:
                    self._outage("checkpoint", error)
                    return False
                offsets.update({(t, partition): o for t, o in state.offsets.items()})
            self._since_checkpoint = 0
            self._last_checkpoint = time.monotonic()
            self._update_gauges()
        if offsets and partitions is None:
            try:
                self._consumer.commit(offsets)
            except KafkaError as error:  # the snapshots hold the offsets; commit again later
                self._outage("commit", error)
                return True
            self.metrics.broker_up.set(1)
        return True

    def _save(self, state: PartitionState) -> None:
        snapshot = sign(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), self._key)
        self._store.save(self._checkpoint_key(state.partition), snapshot)
        self.metrics.checkpoints.inc()
        log.info(
            "checkpoint",
            extra={
                "fields": {
                    "partition": state.partition,
                    "bytes": len(snapshot),
                    "learned": state.learned,
                    "offsets": state.offsets,
                    "pending": len(state.pending),
                }
            },
        )

    def _restore(self, partition: int) -> PartitionState:
        snapshot = self._store.load(self._checkpoint_key(partition))
        if snapshot is None:
            log.info("no checkpoint: new model", extra={"fields": {"partition": partition}})
            return PartitionState(partition, self.config)
        state = pickle.loads(verify(snapshot, self._key))
        log.info(
            "restored checkpoint",
            extra={
                "fields": {
                    "partition": partition,
                    "learned": state.learned,
                    "offsets": state.offsets,
                }
            },
        )
        return state

    def _rewind(self) -> None:
        """Go back to the last snapshot of every partition (after a lost prediction)."""
        self.metrics.rewinds.inc()
        with self._lock:
            partitions = list(self._states)
            self._states.clear()
            self._assign(partitions)
            self._rewind_needed = False

    def _assign(self, partitions: Iterable[int]) -> None:
        for partition in partitions:
            state = self._restore(partition)
            self._states[partition] = state
            self._held.discard(partition)
            self._events_seen_at[partition] = time.monotonic()  # give its events time to come
            for topic in self.config.topic_names:
                offset = state.next_offset(topic)
                self._consumer.seek((topic, partition), offset if offset is not None else 0)

    # --- rebalancing (called from kafka-python's network thread) ---------------------------

    def _on_assigned(self, assigned: list[Partition]) -> None:
        with self._lock:
            new = sorted({p for _, p in assigned} - set(self._states))
            log.info("partitions assigned", extra={"fields": {"partitions": new}})
            try:
                self._assign(new)
            except Exception as error:  # kafka-python would only log it: stop the loop
                self._fatal = error

    def _on_revoked(self, revoked: list[Partition]) -> None:
        with self._lock:
            gone = sorted({p for _, p in revoked} & set(self._states))
            if gone:
                # Saved or not, the state goes: the next owner restores the last snapshot.
                self.checkpoint(gone)
                for partition in gone:
                    self._states.pop(partition, None)
                    self._held.discard(partition)
            log.info("partitions revoked", extra={"fields": {"partitions": gone}})

    # --- observability --------------------------------------------------------------------

    def _outage(self, operation: str, error: BaseException) -> None:
        self.metrics.broker_errors.inc()
        self.metrics.broker_up.set(0)
        log.error(
            "Kafka unavailable; retrying",
            extra={"fields": {"operation": operation, "error": repr(error)}},
        )

    def _update_gauges(self) -> None:
        metrics = self.metrics
        for partition, state in self._states.items():
            label = str(partition)
            model = state.model
            metrics.pending.labels(label).set(len(state.pending))
            minority = model.minority_class
            if minority is not None:
                metrics.prior.labels(label).set(model.priors.get(minority, float("nan")))
            metrics.threshold.labels(label).set(model.threshold or float("nan"))
            metrics.gmean.labels(label).set(state.core.gmean())
            metrics.minority_recall.labels(label).set(state.core.minority_recall())
            for topic in self.config.topic_names:
                lag = self._consumer.lag((topic, partition))
                if lag is not None:
                    metrics.lag.labels(topic, label).set(lag)

    @property
    def states(self) -> dict[int, PartitionState]:
        return self._states
