"""The service's outputs: predictions and dead letters, and what an outcome did, counted and
logged.

Faults are handled by kind. A record refused for itself (too large, rejected by the broker for
its content) is not an outage: a dead letter is cut to fit the producer's `max_request_size`
(keeping topic, partition, offset, reason, size and a prefix of the bytes), sent again without
the original bytes if the broker still refuses it, and failing that (or for a prediction)
counted as undeliverable and logged; processing goes on. Any other error is an outage: an
output may be lost, so `rewind_needed` is set for the loop to go back to the last checkpoint.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

import orjson

from consumers.config import TopicsSection
from consumers.kafka_io import (
    KafkaError,
    KafkaTimeoutError,
    Message,
    MessageProducer,
    is_rejection,
)
from consumers.messages import dead_letter, short_reason
from consumers.metrics import ServiceMetrics
from consumers.model_state import prediction_message
from stream_imbal.online import WARMING_UP, Outcome

__all__ = ["EVICTIONS_LOG_SECONDS", "RECORD_OVERHEAD_BYTES", "EvictionLog", "Publisher"]

log = logging.getLogger("stream_imbal.service")

# What a record adds to its value and key in a produce request (batch and record headers):
# a dead letter is cut to fit the producer's `max_request_size` less this.
RECORD_OVERHEAD_BYTES = 1_024

# Evictions are logged at most this often: a full pending store evicts an event for every event
# it takes in, and a log line each would flood the logs (and cost a fifth of the processing).
EVICTIONS_LOG_SECONDS = 10.0
EVICTED_IDS_LOGGED = 5  # the ids named in each line


class EvictionLog:
    """Pending events evicted before their label came, logged as counts: the first eviction at
    once, then at most one line per model and reason every `every_seconds`, with how many were
    evicted since the last line and the ids of the first few."""

    def __init__(self, every_seconds: float = EVICTIONS_LOG_SECONDS) -> None:
        self.every_seconds = every_seconds
        self._counts: Counter[tuple[str, str]] = Counter()  # (model, reason) -> events
        self._ids: dict[tuple[str, str], list] = {}
        self._logged_at = -math.inf

    def add(self, model: str, reason: str, event_ids: list, now: float) -> None:
        """Count the events `event_ids` that `model` evicted for `reason`; log when due."""
        key = (model, reason)
        self._counts[key] += len(event_ids)
        ids = self._ids.setdefault(key, [])
        ids += event_ids[: EVICTED_IDS_LOGGED - len(ids)]
        if now - self._logged_at >= self.every_seconds:
            self.log(now)

    def log(self, now: float) -> None:
        """Log the evictions counted since the last line, if any."""
        for (model, reason), evicted in self._counts.items():
            log.warning(
                "pending events evicted before their label came",
                extra={
                    "fields": {
                        "model": model,
                        "reason": reason,
                        "evicted": evicted,
                        "ids": self._ids[(model, reason)],
                    }
                },
            )
        if self._counts:
            self._logged_at = now
        self._counts.clear()
        self._ids.clear()


class Publisher:
    """Send predictions and dead letters through `producer` (see the module).

    `on_outage(operation, error)` is called on a connection-level error.
    """

    def __init__(
        self,
        producer: MessageProducer,
        topics: TopicsSection,
        metrics: ServiceMetrics,
        on_outage: Callable[[str, BaseException], None],
    ) -> None:
        self._producer = producer
        self.topics = topics
        self.metrics = metrics
        self._on_outage = on_outage
        self.evictions = EvictionLog()
        self.rewind_needed = False

    def flush(self, timeout_s: float) -> bool:
        """Wait until every output sent is delivered; False on an outage, with `rewind_needed`
        set when an output was lost."""
        try:
            self._producer.flush(timeout_s=timeout_s)
        except KafkaTimeoutError as error:
            self._on_outage("flush", error)
            return False
        except KafkaError as error:  # an output was lost: redo from the last snapshot
            self._on_outage("delivery", error)
            self.rewind_needed = True
            return False
        return not self.rewind_needed  # a replacement sent during the flush was lost

    def publish(self, model: str, outcome: Outcome, predict: bool = True) -> None:
        """Send the outcome's prediction (made by `model`) unless not `predict`; count and log
        what else it did."""
        metrics = self.metrics
        counts = metrics.messages
        if outcome.prediction is not None and predict:
            prediction = prediction_message(outcome.prediction, model)
            topic = self.topics.predictions
            key = str(prediction["id"]).encode()
            self._send(topic, orjson.dumps(prediction), key, self._prediction_refused)
            counts.predictions += 1
            counts.warming_up += outcome.prediction.status == WARMING_UP
            counts.alerts += outcome.alert
        metrics.count_missing(outcome.missing, outcome.unknown)
        counts.learned += outcome.learned
        counts.labels_joined += outcome.joined
        if outcome.unmatched_labels:
            metrics.labels_unmatched.inc(outcome.unmatched_labels)
        for reason, evicted in outcome.evicted.items():
            counts.evicted[reason] += len(evicted)
            ids = [event.event_id for event in evicted]
            self.evictions.add(model, reason, ids, time.monotonic())
        for event in outcome.drift_events:
            metrics.drift.labels(event.kind).inc()
            log.info(
                "drift detected",
                extra={
                    "fields": {
                        "model": model,
                        "kind": event.kind,
                        "detector": event.detector,
                        "index": event.index,
                    }
                },
            )

    def dead_letter(self, message: Message, reason: str) -> None:
        """Send `message` to the dead-letter topic with `reason`, cut to fit if need be."""
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
        self._send(self.topics.dead_letters, value, key, on_rejected)

    def _send_bare_dead_letter(self, message: Message, reason: str, error: KafkaError) -> None:
        """The dead letter was refused for its size or content (a broker limit below the
        producer's, a huge key): send it again without the original bytes and key."""
        log.warning(
            "dead letter refused: sending it without the original bytes",
            extra={"fields": {"offset": message.offset, "error": repr(error)}},
        )
        topic = self.topics.dead_letters
        value = dead_letter(
            message.value, message.topic, message.partition, message.offset, reason, max_bytes=0
        )
        self._send(topic, value, None, partial(self._give_up, topic, message.key))

    def _prediction_refused(self, error: KafkaError) -> None:
        self._give_up(self.topics.predictions, None, error)

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
            self._on_outage("produce", error)
            self.rewind_needed = True
