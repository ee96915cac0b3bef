"""The service: consume events and late labels, predict, learn, checkpoint; one model learns
every input partition (or, with `[model] scope = "partition"`, one model per partition).

One loop owns the Kafka lifecycle: poll a batch, process each message (validate, score,
produce the prediction, learn or wait for the label; a bad message, or one whose handling
fails in any way, goes to the dead-letter topic and the loop goes on), then, every N events
or T seconds, checkpoint: flush the producer, save every partition's signed snapshot (model,
pending labels, next offsets), and only then commit the offsets. A restarted or newly assigned
partition restores its snapshot and seeks to the offsets in it, so every labelled event is
learned exactly once across crashes, while predictions are produced at least once.

With one model for every partition, one instance at a time reads them all: instances are
members of a group over a one-partition topic (`LeaderConsumer`); the one holding it learns,
the others stand by and take over when it leaves or dies. Per-partition models share the
partitions out among the members of the consumer group over the inputs (`EventConsumer`).

Roles (`[scale] role`): "both" learns and scores; a "learner" learns, publishes no prediction,
and sends its model to the model topic every N events learnt or T seconds
(`consumers.model_snapshots`); "scorer"s share the events partitions out in the consumer group,
score each event with the latest snapshot, waiting for a fresher one while the model is further
behind the event than the staleness bound, and commit their offsets (predictions at least once).
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
from collections.abc import Iterable

from consumers.checkpointer import Checkpointer, Saved
from consumers.config import ServiceConfig
from consumers.kafka_io import (
    EventConsumer,
    KafkaError,
    KafkaSettings,
    LeaderConsumer,
    Message,
    MessageProducer,
    Partition,
)
from consumers.messages import BadMessage, decode_event, decode_label
from consumers.metrics import ServiceMetrics
from consumers.model_snapshots import ScoringState, SnapshotPublisher, SnapshotReader
from consumers.model_state import ModelState
from consumers.publisher import Publisher
from consumers.stores import CheckpointStore, DirectoryStore, KafkaTopicStore
from stream_imbal import heap
from stream_imbal.event_clock import TimestampTooFarAhead
from stream_imbal.exceptions import StreamImbalError
from stream_imbal.missing import MissingValueError
from stream_imbal.model_file import load_model
from stream_imbal.signing import key_from_environment

__all__ = ["Service"]

log = logging.getLogger("stream_imbal.service")

WAITING_LOG_S = 5.0  # how often an instance without partitions says why


class Service:
    """The stream-imbal Kafka service; `run()` until SIGTERM/SIGINT or `stop()`."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.settings = KafkaSettings(
            bootstrap_servers=config.kafka.bootstrap_servers,
            client_id=config.kafka.client_id,
            security=config.kafka.security,
            request_timeout_ms=config.kafka.request_timeout_ms,
            bootstrap_timeout_ms=config.kafka.bootstrap_timeout_ms,
        )
        self.schema = config.schema
        self.metrics = ServiceMetrics()
        self._key = key_from_environment(config.checkpoint.key_env)
        if config.model.init:
            load_model(config.model.init, self._key)  # a bad one is refused now, not later
        self._states: dict[int, ModelState] = {}  # input partition -> the state learning it
        self._global = config.model.scope == "global"
        self._role = config.scale.role
        self._scores = self._role != "learner"  # whether it publishes predictions
        self._reader: SnapshotReader | None = None  # a scorer's model
        self._snapshots: SnapshotPublisher | None = None  # a learner's
        self._waiting_since: dict[int, float] = {}  # a scorer's partitions waiting for a model
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._checkpoint_pause = 0.0  # the least time until the next periodic checkpoint
        self._waiting_logged = -math.inf
        self._fatal: BaseException | None = None  # raised in a rebalance callback
        self._held: set[int] = set()  # partitions whose labels wait for their events
        self._events_seen_at: dict[int, float] = {}  # when a partition last gave events
        self._reread: set[Partition] = set()  # to read again from the state's next offset
        self._failed: set[tuple[str, int, int]] = set()  # dead-lettered, then rolled back
        self._skipped: set[int] = set()  # partitions whose rest of the batch is read again
        self._producer: MessageProducer | None = None
        self._publisher: Publisher | None = None
        self._consumer: EventConsumer | None = None
        self._checkpointer: Checkpointer | None = None

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
        self._producer, self._consumer, store = self._connect()
        self._publisher = Publisher(
            self._producer, self.config.topics, self.metrics, on_outage=self._outage
        )
        self._checkpointer = Checkpointer(
            self.config,
            store,
            self._key,
            self._publisher,
            self._consumer,
            self.metrics,
            on_outage=self._outage,
        )
        topic, scale = self.config.topics.model_topic, self.config.scale
        if self._role == "scorer":
            self._reader = SnapshotReader(self.settings, topic, self._key)
        elif self._role == "learner":
            store = KafkaTopicStore(
                self.settings, topic, self._producer, self.config.checkpoint.max_chunk_bytes
            )
            self._snapshots = SnapshotPublisher(
                store, self._key, scale.snapshot_every_events, scale.snapshot_every_seconds
            )
        if self.config.metrics.port:
            self.metrics.serve(self.config.metrics.port, self.config.metrics.host)
        log.info("service started", extra={"fields": {"topics": self.config.topic_names}})

    def _connect(self) -> tuple[MessageProducer, EventConsumer, CheckpointStore]:
        """The Kafka clients and the checkpoint store (tests give in-memory ones)."""
        kafka = self.config.kafka
        producer = MessageProducer(
            self.settings,
            linger_ms=kafka.linger_ms,
            max_request_size=self.config.checkpoint.max_chunk_bytes + 100_000,
        )
        group = {
            "group_instance_id": kafka.group_instance_id or None,
            "session_timeout_ms": kafka.session_timeout_ms,
            "heartbeat_interval_ms": kafka.heartbeat_interval_ms,
            "max_poll_interval_ms": kafka.max_poll_interval_ms,
        }
        callbacks = {"on_assigned": self._on_assigned, "on_revoked": self._on_revoked}
        if self._global and self._role != "scorer":
            consumer = LeaderConsumer(
                self.settings,
                self.config.topic_names,
                f"{kafka.group_id}.learner",
                self.config.topics.model_topic,
                fetch_max_wait_ms=kafka.fetch_max_wait_ms,
                **callbacks,
                **group,
            )
        else:
            consumer = EventConsumer(
                self.settings,
                self.config.topic_names,
                kafka.group_id,
                fetch_max_wait_ms=kafka.fetch_max_wait_ms,
                **callbacks,
                **group,
            )
        return producer, consumer, self._make_store(producer)

    def _make_store(self, producer: MessageProducer) -> CheckpointStore:
        checkpoint = self.config.checkpoint
        if checkpoint.store == "kafka":
            return KafkaTopicStore(
                self.settings, checkpoint.topic, producer, checkpoint.max_chunk_bytes
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
            if self._reader is not None:
                self._reader.close()
            log.info("service stopped")

    # --- the loop -------------------------------------------------------------------------

    def step(self) -> None:
        """Poll one batch, process it, checkpoint if due."""
        kafka = self.config.kafka
        if self._reader is not None and self._read_snapshots(kafka.poll_timeout_ms):
            return
        try:
            messages = self._consumer.poll(kafka.poll_timeout_ms, kafka.max_poll_records)
        except KafkaError as error:
            self._outage("poll", error)
            return
        if self._fatal is not None:
            raise self._fatal
        if not self._states:
            self._report_waiting()
        with self._lock:
            for message in messages:
                self._process(message)
                if self._publisher.rewind_needed:
                    break
            if self.config.topics.labels and self._reader is None:
                self._align_labels(messages)
            for topic, partition in self._reread:
                if partition in self._states:
                    offset = self._states[partition].next_offset(topic, partition)
                    self._consumer.seek((topic, partition), offset or 0)
            self._reread.clear()
            self._skipped.clear()
        if self._publisher.rewind_needed:
            self._rewind()
            return
        if self._snapshots is not None and self._states:
            self._publish_snapshot()
            state = next(iter(self._states.values()))
            self._snapshots.progress(state, self.config.topics.events, time.monotonic())
        checkpoint = self.config.checkpoint
        since = time.monotonic() - self._last_checkpoint
        due = self._since_checkpoint >= checkpoint.every_events or since >= checkpoint.every_seconds
        if due and since >= self._checkpoint_pause:
            self.checkpoint()

    def _process(self, message: Message) -> None:
        partition = message.partition
        state = self._states.get(partition)
        if state is None or partition in self._skipped:
            return  # revoked since the poll, or read again
        expected = state.next_offset(message.topic, partition)
        if expected is not None and message.offset < expected:
            return  # processed before the last checkpoint
        # Offsets may legitimately jump (compaction, transaction markers): only lower ones repeat.
        if partition in self._held and message.topic == self.config.topics.labels:
            self._reread.add((message.topic, partition))
            return
        started = time.perf_counter()
        where = (message.topic, partition, message.offset)
        if where not in self._failed:  # else dead-lettered when it failed, before the roll-back
            if self._reader is not None and self._too_stale(state, message):
                return
            if not self._handle(state, message):
                return
        if self._publisher.rewind_needed:
            return
        state.done(message.topic, partition, message.offset)
        self._since_checkpoint += 1
        self.metrics.messages.observe_latency(time.perf_counter() - started)

    def _handle(self, state: ModelState, message: Message) -> bool:
        """Decode, score or learn, and publish one message; dead-letter it if any step fails.

        A message refused for itself (`BadMessage`, a timestamp too far ahead, a missing value
        under `[model] missing = "skip"` or `"error"`) or any error
        raised before the partition's state changes (while decoding) is dead-lettered and
        processing goes on. An unexpected error raised once the state may have changed
        (scoring, learning, encoding or producing the outputs) dead-letters the message too,
        then rolls the partition back to its last snapshot, to read on from there without the
        message (False): the model never keeps half of a failed message.
        """
        is_event = message.topic == self.config.topics.events
        record_ts = message.timestamp_ms / 1000
        try:
            if is_event:
                self.metrics.messages.events += 1
                record = decode_event(message.value, self.schema, record_ts)
            else:
                record = decode_label(message.value, self.schema, record_ts)
        except (BadMessage, StreamImbalError) as error:
            self._dead_letter(message, str(error))
            return True
        except Exception as error:
            self._unexpected(message, "decode", error)
            return True
        try:
            if is_event:
                outcome = state.on_event(record, wall_now=time.time())
            else:
                outcome = state.on_label(record, wall_now=time.time())
        except TimestampTooFarAhead as error:  # checked before anything changes
            self.metrics.timestamps_ahead.labels(message.topic).inc()
            self._dead_letter(message, str(error))
            return True
        except MissingValueError as error:  # refused by [model] missing, only counted
            self.metrics.count_missing(error.missing, ())
            self._dead_letter(message, str(error))
            return True
        except Exception as error:
            self._unexpected(message, "process", error)
            return self._roll_back(message)
        try:
            self._publisher.publish(state.name, outcome, predict=self._scores)
        except Exception as error:
            self._unexpected(message, "publish", error)
            return self._roll_back(message)
        return True

    def _unexpected(self, message: Message, stage: str, error: Exception) -> None:
        """Dead-letter `message` for an error nothing expected, counted by stage and type."""
        kind = type(error).__name__
        self.metrics.failures.labels(stage, kind).inc()
        log.error(
            "message failed: dead-lettered",
            exc_info=error,
            extra={"fields": {"stage": stage, "offset": message.offset, "error": kind}},
        )
        self._dead_letter(message, f"{stage} failed: {kind}: {error}")

    def _dead_letter(self, message: Message, reason: str) -> None:
        """Send `message` to the dead letters; a learner leaves the events to the scorers."""
        if not self._scores and message.topic == self.config.topics.events:
            self.metrics.invalid.labels(message.topic).inc()
            return
        self._publisher.dead_letter(message, reason)

    def _roll_back(self, message: Message) -> bool:
        """Restore the state of `message`'s partition from its last snapshot and read its
        partitions again from there, skipping `message` (already dead-lettered); the rest of
        this batch of them is dropped."""
        if self._reader is not None:
            return True  # a scorer keeps no state to roll back
        self._failed.add((message.topic, message.partition, message.offset))
        state = self._states[message.partition]
        partitions = [p for p, s in self._states.items() if s is state]
        self._skipped.update(partitions)
        self.metrics.rollbacks.inc()
        self._assign(partitions)
        return False

    # --- roles -----------------------------------------------------------------------------

    def _publish_snapshot(self) -> None:
        """A learner: send its model to the scorers when due (the flush waits for the store)."""
        state = next(iter(self._states.values()))
        now = time.monotonic()
        if not self._snapshots.due(state, now):
            return
        try:
            size = self._snapshots.publish(state, self.config.topics.events, now)
        except KafkaError as error:
            self._outage("snapshot", error)
            return
        self.metrics.snapshots.inc()
        self.metrics.model_version.set(state.learned)
        log.info("model snapshot", extra={"fields": {"learned": state.learned, "bytes": size}})

    def _read_snapshots(self, timeout_ms: int) -> bool:
        """A scorer: take the latest snapshot and progress that have come, waiting up to
        `timeout_ms` while a partition waits for a fresher model; True when the broker failed
        while one waits (the step ends there)."""
        waiting = bool(self._waiting_since)
        refused = self._reader.refused
        try:
            fresh = self._reader.poll(timeout_ms if waiting else 0)
        except KafkaError as error:
            self._outage("model", error)
            return waiting
        self.metrics.snapshots_refused.inc(self._reader.refused - refused)
        if fresh:
            heap.settle()  # the model read lives on: later collections need not walk it
            self._waiting_since.clear()  # wait again, up to the limit, if still too far behind
            self.metrics.snapshots.inc()
            self.metrics.model_version.set(self._reader.latest.learned)
        return False

    def _too_stale(self, state: ScoringState, message: Message) -> bool:
        """A scorer: whether to wait for a fresher model before scoring `message` (True: its
        partition is read again from it after this batch)."""
        partition = message.partition
        unlearnt, unread = self._reader.behind(partition, message.offset)
        scale = self.config.scale
        if unlearnt <= scale.max_staleness_examples and unread <= scale.max_staleness_events:
            self._waiting_since.pop(partition, None)
            return False
        now = time.monotonic()
        since = self._waiting_since.setdefault(partition, now)
        if now - since >= scale.max_wait_seconds:
            self.metrics.stale_predictions.inc()
            return False  # the learner is down or far behind: score with the model in hand
        if since == now:
            self.metrics.staleness_waits.inc()
        state.offsets[(message.topic, partition)] = message.offset
        self._reread.add((message.topic, partition))
        self._skipped.add(partition)
        return True

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

    # --- checkpoints ----------------------------------------------------------------------

    def checkpoint(self, partitions: Iterable[int] | None = None) -> bool:
        """Flush the outputs, save the partitions' snapshots, then commit their offsets (see
        `Checkpointer`); all partitions by default, and then the offsets are committed. The
        next periodic one waits for its time's share (`[checkpoint] max_time_share`)."""
        started = time.monotonic()
        with self._lock:
            self._publisher.evictions.log(started)  # those not logged yet
            chosen = self._states if partitions is None else partitions
            states = self._unique(self._states[p] for p in chosen)
            saved = self._checkpointer.checkpoint(states, commit=partitions is None)
            if saved is Saved.LOST_OUTPUT:
                self._rewind()
            if saved is not Saved.SNAPSHOTS:
                return False
            self._since_checkpoint = 0
            self._last_checkpoint = time.monotonic()
            spent = self._last_checkpoint - started
            self._checkpoint_pause = spent / self.config.checkpoint.max_time_share
            self._failed = {f for f in self._failed if not self._saved_past(f)}
            self._update_gauges()
        heap.settle()  # what the saved states hold lives on; now and then, a full collection
        return True

    def _saved_past(self, failed: tuple[str, int, int]) -> bool:
        """Whether the snapshot of the failed message's partition was taken after it."""
        topic, partition, offset = failed
        state = self._states.get(partition)
        return state is None or offset < (state.next_offset(topic, partition) or 0)

    def _rewind(self) -> None:
        """Go back to the last snapshot of every partition (after a lost prediction)."""
        self.metrics.rewinds.inc()
        with self._lock:
            partitions = list(self._states)
            self._states.clear()
            self._assign(partitions)
            self._publisher.rewind_needed = False

    def _assign(self, partitions: Iterable[int]) -> None:
        """Restore the state of `partitions` from the last snapshot (one state for them all, or
        one each) and seek to its offsets."""
        partitions = list(partitions)
        if self._reader is not None:  # a scorer: read on from the group's committed offsets
            self._states.update({p: ScoringState(p, self._reader) for p in partitions})
            return
        shared = self._checkpointer.restore(None) if self._global and partitions else None
        for partition in partitions:
            state = shared or self._checkpointer.restore(partition)
            self._states[partition] = state
            self._held.discard(partition)
            self._events_seen_at[partition] = time.monotonic()  # give its events time to come
            for topic in self.config.topic_names:
                offset = state.next_offset(topic, partition)
                self._consumer.seek((topic, partition), offset if offset is not None else 0)
        heap.settle()  # the states live on: later collections need not walk them

    @staticmethod
    def _unique(states: Iterable[ModelState]) -> list[ModelState]:
        """`states` without repeats (the global state stands for every partition)."""
        return list({id(state): state for state in states}.values())

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

    def _report_waiting(self) -> None:
        """Say why the instance is idle while it owns no partition (every `WAITING_LOG_S`)."""
        now = time.monotonic()
        if now - self._waiting_logged < WAITING_LOG_S:
            return
        self._waiting_logged = now
        kafka = self.config.kafka
        if self._global:
            group = f"{kafka.group_id}.learner"
            why = (
                "standing by: one instance at a time learns the global model and reads every "
                "partition; this one takes over when it leaves, or dies and its session times out"
            )
        else:
            group = kafka.group_id
            why = (
                "joining the group; a member that died keeps its partitions until its session "
                "times out, unless this instance has its group_instance_id"
            )
        log.info(
            "waiting for partitions",
            extra={
                "fields": {
                    "group_id": group,
                    "group_instance_id": kafka.group_instance_id or None,
                    "session_timeout_ms": kafka.session_timeout_ms,
                    "why": why,
                }
            },
        )

    def _update_gauges(self) -> None:
        metrics = self.metrics
        for partition in self._states:
            for topic in self.config.topic_names:
                lag = self._consumer.lag((topic, partition))
                if lag is not None:
                    metrics.lag.labels(topic, str(partition)).set(lag)
        for state in self._unique(self._states.values()):
            if not state.durable:
                continue  # a scorer's: no model of its own
            label = state.name
            model = state.model
            metrics.pending.labels(label).set(len(state.pending))
            # as the core reads them: a model file may hold any river classifier
            minority = getattr(model, "minority_class", None)
            if minority is not None:
                priors = getattr(model, "priors", None) or {}
                metrics.prior.labels(label).set(priors.get(minority, float("nan")))
            metrics.threshold.labels(label).set(getattr(model, "threshold", None) or float("nan"))
            metrics.gmean.labels(label).set(state.core.gmean())
            metrics.minority_recall.labels(label).set(state.core.minority_recall())
            metrics.alert_rate.labels(label).set(state.core.alert_rate())
            metrics.false_positive_rate.labels(label).set(state.core.false_positive_rate())

    @property
    def states(self) -> dict[int, ModelState]:
        return self._states
