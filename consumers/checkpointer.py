"""Checkpoints: flush the outputs, save each partition's signed snapshot, then commit offsets.

The order is what makes learning exactly-once: a snapshot (model, pending labels, next offsets)
is saved only once every prediction sent before it is delivered, and offsets are committed only
once the snapshots holding them are saved. A restarted or newly assigned partition restores its
snapshot and reads on from the offsets in it, so an event learned before the last snapshot is
never learned again, and one learned after it is learned again from a state that had not.
"""

from __future__ import annotations

import enum
import logging
import pickle
from collections.abc import Callable, Iterable

from consumers.config import ServiceConfig
from consumers.kafka_io import EventConsumer, KafkaError, Partition
from consumers.metrics import ServiceMetrics
from consumers.model_state import ModelState
from consumers.publisher import Publisher
from consumers.stores import CheckpointStore
from stream_imbal import __version__
from stream_imbal.signing import SnapshotError, sign, verify

__all__ = ["Checkpointer", "Saved"]

log = logging.getLogger("stream_imbal.service")


class Saved(enum.Enum):
    """What a checkpoint achieved."""

    NOTHING = "nothing"  # the broker or the store is out: try again later
    LOST_OUTPUT = "lost output"  # an output sent since the last checkpoint was lost: rewind
    SNAPSHOTS = "snapshots"  # saved (and committed, when asked, unless the commit failed)


class Checkpointer:
    """Owns flush -> snapshot -> commit, and the restore of a partition's snapshot.

    Parameters
    ----------
    config
        The service's configuration (the group, topics and model of a new partition).
    store
        Where snapshots are kept.
    key
        The key snapshots are signed with, and checked against when restored.
    publisher
        Whose outputs are flushed before a snapshot.
    consumer
        Whose offsets are committed after the snapshots.
    metrics, on_outage
        Counted checkpoints; `on_outage(operation, error)` on a broker or store error.

    """

    def __init__(
        self,
        config: ServiceConfig,
        store: CheckpointStore,
        key: bytes,
        publisher: Publisher,
        consumer: EventConsumer,
        metrics: ServiceMetrics,
        on_outage: Callable[[str, BaseException], None],
    ) -> None:
        self.config = config
        self.store = store
        self._key = key
        self._publisher = publisher
        self._consumer = consumer
        self._metrics = metrics
        self._on_outage = on_outage

    def checkpoint(self, states: Iterable[ModelState], commit: bool = True) -> Saved:
        """Flush the outputs, save the snapshots of `states`, then commit their offsets.

        `commit=False` saves without committing (from a rebalance callback, which must not
        block on the consumer; the snapshots hold the offsets).
        """
        timeout_s = self.config.kafka.request_timeout_ms / 1000
        if not self._publisher.flush(timeout_s):
            return Saved.LOST_OUTPUT if self._publisher.rewind_needed else Saved.NOTHING
        offsets: dict[Partition, int] = {}
        for state in states:
            try:
                if state.durable:  # a scorer's state is only its offsets
                    self.save(state)
            except (KafkaError, OSError) as error:
                self._on_outage("checkpoint", error)
                return Saved.NOTHING
            offsets.update(state.offsets)
        if offsets and commit:
            try:
                self._consumer.commit(offsets)
            except KafkaError as error:  # the snapshots hold the offsets; commit again later
                self._on_outage("commit", error)
                return Saved.SNAPSHOTS
            self._metrics.broker_up.set(1)
        return Saved.SNAPSHOTS

    def save(self, state: ModelState) -> None:
        """Save the signed snapshot of one partition."""
        snapshot = sign(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), self._key)
        self.store.save(self._store_key(state.partition), snapshot)
        self._metrics.checkpoints.inc()
        log.info(
            "checkpoint",
            extra={
                "fields": {
                    "model": state.name,
                    "bytes": len(snapshot),
                    "learned": state.learned,
                    "offsets": state.offsets,
                    "pending": len(state.pending),
                }
            },
        )

    def restore(self, partition: int | None) -> ModelState:
        """The last snapshot of the model of `partition` (None: of every partition), checked
        against the key, or a new state."""
        snapshot = self.store.load(self._store_key(partition))
        if snapshot is None:
            log.info("no checkpoint: new model", extra={"fields": {"partition": partition}})
            return ModelState(self.config, partition)
        key = self._store_key(partition)
        payload = verify(snapshot, self._key)
        try:
            state = pickle.loads(payload)
        except Exception as error:  # signed by us, yet unreadable: written by another version
            raise SnapshotError(
                f"checkpoint {key} is signed but cannot be restored by stream-imbal "
                f"{__version__} ({type(error).__name__}: {error}); it was written by an "
                "incompatible version: restore it with that version, or move it aside to start "
                "the partition afresh"
            ) from error
        version = getattr(state, "version", "an unknown version")
        if isinstance(state, ModelState) and version != __version__:
            raise SnapshotError(
                f"checkpoint {key} was written by stream-imbal {version}, not {__version__}: "
                "restore it with that version, or move it aside to start the partition afresh"
            )
        if not isinstance(state, ModelState) or state.partition != partition:
            raise SnapshotError(
                f"checkpoint {key} holds a {type(state).__name__}, not the state of the model "
                f"{ModelState.name_of(partition)}"
            )
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

    def _store_key(self, partition: int | None) -> str:
        scope = "global" if partition is None else partition
        return f"{self.config.kafka.group_id}.{self.config.topics.events}.{scope}"
