"""Send a replayed timeline to Kafka: the events, and the labels that come later.

Events go to the events topic as the service reads them (`consumers.messages.encode_event`,
with their label when they carry it); labels that come later go to the labels topic
(`encode_label`, `ts` being when the label became known), each after its delay. Every message is
keyed by its event id (the UTF-8 bytes of `str(id)`), so that with co-partitioned topics (the
same number of partitions) an event and its label land in the same partition number, where one
service instance joins them.

Messages are sent as fast as possible, or at `speed` times real time: the event-time gap between
two messages, divided by `speed`, is waited for in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from consumers.kafka_io import KafkaSettings, KafkaTimeoutError, MessageProducer
from consumers.messages import encode_event, encode_label
from stream_imbal.exceptions import ConfigError
from stream_imbal.replay import Event, Label

__all__ = ["ReplayProducer"]


class ReplayProducer:
    """Produce a replay timeline (`stream_imbal.replay.LabelTimeline`) to Kafka.

    Parameters
    ----------
    settings
        Where the brokers are.
    events_topic
        The topic of the events.
    labels_topic
        The topic of the labels that come after their event; needed only for those.
    speed
        Times real time (event-time gaps divided by `speed`); None sends as fast as possible.
    producer
        The `MessageProducer` to send with; by default one is made from `settings`.
    clock, sleep
        Monotonic clock and sleep, in seconds.

    Attributes
    ----------
    events, labels
        Messages sent to each topic.

    """

    def __init__(
        self,
        settings: KafkaSettings,
        events_topic: str,
        labels_topic: str | None = None,
        *,
        speed: float | None = None,
        producer: MessageProducer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if speed is not None and not speed > 0:
            raise ConfigError(f"speed must be positive, got {speed!r}")
        self.events_topic = events_topic
        self.labels_topic = labels_topic
        self.speed = speed
        self._producer = producer if producer is not None else MessageProducer(settings)
        self._clock = clock
        self._sleep = sleep
        self._start: tuple[float, float] | None = None  # (event time, clock) of the first
        self.events = self.labels = 0

    def check_topics(self) -> None:
        """Raise `ConfigError` unless the topics exist and are co-partitioned."""
        counts = {}
        for topic in filter(None, (self.events_topic, self.labels_topic)):
            try:
                counts[topic] = len(self._producer.partitions_for(topic))
            except KafkaTimeoutError:
                counts[topic] = 0
            if not counts[topic]:
                raise ConfigError(f"topic {topic!r} does not exist (or the broker did not answer)")
        if len(set(counts.values())) > 1:
            raise ConfigError(
                f"the events and labels topics must have the same number of partitions, "
                f"so that an event and its label meet in one partition; got {counts}"
            )

    def run(self, timeline: Iterable[Event | Label]) -> None:
        """Send every event and label of `timeline`, then wait until all are acknowledged."""
        try:
            for item in timeline:
                self._pace(item.ts)
                key = str(item.event_id).encode()
                if isinstance(item, Label):
                    if self.labels_topic is None:
                        raise ConfigError("labels come after their events: name a labels topic")
                    value = encode_label(item.event_id, item.label, item.ts)
                    self._producer.send(self.labels_topic, value, key=key)
                    self.labels += 1
                else:
                    value = encode_event(item.event_id, item.ts, item.features, item.label)
                    self._producer.send(self.events_topic, value, key=key)
                    self.events += 1
        finally:
            self._producer.flush()

    def close(self) -> None:
        self._producer.close()

    def _pace(self, ts: float) -> None:
        """Wait until the time of event time `ts`, at `speed` times real time."""
        if self.speed is None:
            return
        if self._start is None:
            self._start = (ts, self._clock())
        first_ts, started = self._start
        wait = started + (ts - first_ts) / self.speed - self._clock()
        if wait > 0:
            self._sleep(wait)
