"""Everything the service knows about one model and the input partitions it learns from,
checkpointed as one snapshot.

By default one model learns every partition (`[model] scope = "global"`): a single state holds
the model, the events of every partition waiting for their label, the labels that came before
their event, the event-time clocks, the windowed metrics and the next offset to read on each
input topic and partition. With `scope = "partition"` each partition has a state of its own,
for partitions that are different populations. Events and their late labels are co-partitioned
(keyed by event id), so either way a label meets its event in the state that holds it. The rules
of scoring and learning are those of one `stream_imbal.online.ScoreThenLearn` core, the same as
a replay's, and so is the missing-value policy (`[model] missing`); nothing here touches
Kafka.
"""

from __future__ import annotations

from consumers.config import ServiceConfig
from stream_imbal import __version__
from stream_imbal.missing import MissingValues
from stream_imbal.model_file import load_model
from stream_imbal.online import Event, Label, Outcome, Prediction, ScoreThenLearn
from stream_imbal.pending import PendingLabels
from stream_imbal.signing import key_from_environment

__all__ = ["GLOBAL", "ModelState", "Offsets", "prediction_message"]

GLOBAL = "global"  # the name of the one model of every partition


class Offsets:
    """The next offset to read of each input topic and partition."""

    offsets: dict[tuple[str, int], int]

    def next_offset(self, topic: str, partition: int) -> int | None:
        return self.offsets.get((topic, partition))

    def done(self, topic: str, partition: int, offset: int) -> None:
        """Record that the message at `offset` of `topic`'s `partition` has been processed."""
        self.offsets[(topic, partition)] = offset + 1


class ModelState(Offsets):
    """A model and its inputs' state: call `on_event` and `on_label` in offset order per
    partition.

    `partition` is the one input partition the model learns, or None for every partition.
    `version` is the stream-imbal version that made it: a checkpoint of another is refused.
    """

    durable = True  # saved in the checkpoints

    def __init__(self, config: ServiceConfig, partition: int | None = None) -> None:
        self.version = __version__
        self.partition = partition
        key = key_from_environment(config.checkpoint.key_env) if config.model.init else None
        trained = load_model(config.model.init, key) if config.model.init else None
        self.core = ScoreThenLearn(
            trained.model
            if trained
            else config.model.spec.build(config.model.seed + (partition or 0)),
            config.labels,
            window=config.metrics.window,
            # a learner's predictions are the scorers': it scores an event once labelled
            score_on_arrival=config.scale.role != "learner",
            # a model file's schema and feature means, under this configuration's policy
            missing=MissingValues.resumed(trained and trained.missing, config.model.missing),
        )
        if trained is not None:  # a model trained on history ([model] init)
            self.core.resume(trained.class_counts, trained.learned)
        self.offsets: dict[tuple[str, int], int] = {}

    @property
    def name(self) -> str:
        """`global`, or `p<partition>`: in its predictions' version and its metrics."""
        return self.name_of(self.partition)

    @staticmethod
    def name_of(partition: int | None) -> str:
        return GLOBAL if partition is None else f"p{partition}"

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


def prediction_message(prediction: Prediction, model: str) -> dict:
    """The body of a prediction message: the prediction, and the version of the model that made
    it (`<model>.<events learnt>`, e.g. `global.1200` or `p3.400`) instead of the count."""
    return {
        "id": prediction.id,
        "ts": prediction.ts,
        "score": prediction.score,
        "decision": prediction.decision,
        "threshold": prediction.threshold,
        "prior": prediction.prior,
        "status": prediction.status,
        "model_version": f"{model}.{prediction.learned}",
    }
