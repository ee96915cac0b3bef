"""Everything the service knows about one input partition, checkpointed as one snapshot.

Events and their late labels are co-partitioned (keyed by event id), so one partition's state
holds its model, its prior estimates and threshold (inside the model), the events waiting for
their label, the labels that came before their event, the windowed metrics, and the next
offset to read on each input topic. Nothing here touches Kafka.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Hashable

from consumers.config import ServiceConfig
from consumers.messages import Event, LabelMessage
from stream_imbal.metrics import WindowedClassRecall
from stream_imbal.pending import PendingEvent, PendingLabels
from stream_imbal.presets import build_preset

__all__ = ["Outcome", "PartitionState"]


@dataclasses.dataclass
class Outcome:
    """What processing one message did, for the metrics and the logs."""

    prediction: dict | None = None
    learned: int = 0
    joined: int = 0
    evicted: dict[str, list[PendingEvent]] = dataclasses.field(default_factory=dict)
    unmatched_labels: int = 0
    drift_events: list = dataclasses.field(default_factory=list)


class PartitionState:
    """The state of one partition: call `on_event` and `on_label` in offset order."""

    def __init__(self, partition: int, config: ServiceConfig) -> None:
        self.partition = partition
        self.model = build_preset(config.model.preset, config.model.seed + partition)
        self.pending = PendingLabels(config.labels.pending_max, config.labels.pending_ttl_seconds)
        self.early_labels: OrderedDict[Hashable, tuple[Hashable, float]] = OrderedDict()
        self.early_max = config.labels.early_max
        self.recalls = WindowedClassRecall(config.metrics.window)
        self.offsets: dict[str, int] = {}
        self.learned = 0  # labelled events learned, exactly once each
        self.scored = 0
        self.unmatched_labels = 0
        self.max_ts = -math.inf  # latest event time among the events seen
        self.label_ts = -math.inf  # event time of the latest label seen

    def next_offset(self, topic: str) -> int | None:
        return self.offsets.get(topic)

    def done(self, topic: str, offset: int) -> None:
        """Record that the message at `offset` of `topic` has been fully processed."""
        self.offsets[topic] = offset + 1

    def on_event(self, event: Event) -> Outcome:
        """Score the event; learn it if labelled (or its label came first), else keep it."""
        model = self.model
        proba = model.predict_proba_one(event.features)
        decision = model.predict_one(event.features)
        minority = model.minority_class
        self.scored += 1
        outcome = Outcome(
            prediction={
                "id": event.event_id,
                "score": proba.get(minority, 0.0) if minority is not None else None,
                "decision": decision,
                "threshold": model.threshold,
                "prior": model.priors.get(minority) if minority is not None else None,
                "model_version": f"p{self.partition}.{self.learned}",
                "ts": event.ts,
            }
        )
        self.max_ts = max(self.max_ts, event.ts)
        label = event.label
        if label is None and event.event_id in self.early_labels:
            label = self.early_labels.pop(event.event_id)[0]
            outcome.joined = 1
        if label is not None:
            self._learn(event.features, label, decision, outcome)
        else:
            full = self.pending.add(event.event_id, event.ts, event.features, decision)
            outcome.evicted["full"] = full
        outcome.evicted["expired"] = self.pending.expire(self.max_ts)
        return outcome

    def on_label(self, message: LabelMessage) -> Outcome:
        """Learn the event this label belongs to, or hold the label until its event comes."""
        outcome = Outcome()
        self.label_ts = max(self.label_ts, message.ts)
        waiting = self.pending.pop(message.event_id)
        if waiting is not None:
            outcome.joined = 1
            self._learn(waiting.features, message.label, waiting.decision, outcome)
            return outcome
        self.early_labels[message.event_id] = (message.label, message.ts)
        while len(self.early_labels) > self.early_max:
            self.early_labels.popitem(last=False)
            outcome.unmatched_labels += 1
        self.unmatched_labels += outcome.unmatched_labels
        return outcome

    @property
    def labels_ahead(self) -> bool:
        """Whether the labels read so far are later, in event time, than the events read."""
        return self.label_ts > self.max_ts

    def _learn(self, features: dict, label: Hashable, decision: object, outcome: Outcome) -> None:
        model = self.model
        reported = model.n_drift_events
        model.learn_one(features, label)
        self.learned += 1
        outcome.learned = 1
        if decision is not None:
            self.recalls.update(label, decision)
        new = model.n_drift_events - reported
        if new:
            outcome.drift_events = list(model.drift_events[-new:])

    def minority_recall(self) -> float:
        minority = self.model.minority_class
        return math.nan if minority is None else self.recalls.recall(minority)

    def gmean(self) -> float:
        recalls = [self.recalls.recall(c) for c in self.recalls.cm.classes]
        if len(recalls) < 2 or any(math.isnan(r) for r in recalls):
            return math.nan
        return math.prod(recalls) ** (1 / len(recalls))
