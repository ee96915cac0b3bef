"""Everything the service knows about one input partition, checkpointed as one snapshot.

Events and their late labels are co-partitioned (keyed by event id), so one partition's state
is one `stream_imbal.online.ScoreThenLearn` core (its model, with its prior estimates and
threshold, the events waiting for their label, the labels that came before their event, the
event-time clocks and the windowed metrics) and the next offset to read on each input topic.
The rules of scoring and learning are the core's, the same as a replay's; nothing here touches
Kafka.
"""

from __future__ import annotations

from consumers.config import ServiceConfig
from stream_imbal.event_clock import EventTimeGuard
from stream_imbal.online import Event, Label, Outcome, Prediction, ScoreThenLearn
from stream_imbal.pending import PendingLabels

__all__ = ["PartitionState", "prediction_message"]


class PartitionState:
    """The state of one partition: call `on_event` and `on_label` in offset order."""

    def __init__(self, partition: int, config: ServiceConfig) -> None:
        labels = config.labels
        self.partition = partition
        self.core = ScoreThenLearn(
            config.model.spec.build(config.model.seed + partition),
            PendingLabels(labels.pending_max, labels.pending_ttl_seconds),
            early_max=labels.early_max,
            window=config.metrics.window,
            guard=EventTimeGuard(
                labels.max_ahead_of_stream_seconds, labels.max_ahead_of_wall_clock_seconds
            ),
        )
        self.offsets: dict[str, int] = {}

    def next_offset(self, topic: str) -> int | None:
        return self.offsets.get(topic)

    def done(self, topic: str, offset: int) -> None:
        """Record that the message at `offset` of `topic` has been fully processed."""
        self.offsets[topic] = offset + 1

    def on_event(self, event: Event, wall_now: float | None = None) -> Outcome:
        """Score the event; learn it if labelled (or its label came first), else keep it."""
        return self.core.on_event(event, wall_now)

    def on_label(self, label: Label, wall_now: float | None = None) -> Outcome:
        """Learn the event this label belongs to, or hold the label until its event comes."""
        return self.core.on_label(label, wall_now)

    @property
    def model(self):
        return self.core.model

    @property
    def pending(self) -> PendingLabels:
        return self.core.pending

    @property
    def learned(self) -> int:
        return self.core.learned


def prediction_message(prediction: Prediction, partition: int) -> dict:
    """The body of a prediction message: the prediction, its model's version
    (`p<partition>.<events learnt>`) instead of the count."""
    body = prediction._asdict()
    body["model_version"] = f"p{partition}.{body.pop('learned')}"
    return body
