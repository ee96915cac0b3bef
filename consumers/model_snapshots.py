"""Model snapshots: the learner publishes its model to the model topic, scorers read the latest.

A snapshot is the signed pickle of a `Snapshot`: the model with what it has learnt (a
`TrainedModel`, as in a model file; its version is the events learnt) and, per events
partition, the next offset the learner had read. It
travels as a checkpoint does on a topic (`KafkaTopicStore`: chunks below the broker's message
limit, under keys that alternate between two slots, so that a compacted topic keeps the last
complete one), and is signed with the checkpoints' key by the same rule (`stream_imbal.signing`):
unpickling runs code, so a scorer loads only what the learner signed. Inside the signature the
snapshot's pickle is wrapped with the learner's stream-imbal version, read before the model is
unpickled: a scorer of another version (a rolling upgrade) refuses it, says why, and goes on
with the model it has, as it does a snapshot it cannot verify or read.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import time

import orjson
from kafka import KafkaConsumer, TopicPartition

from consumers.kafka_io import MODEL_TOPIC_ROLE, KafkaSettings, ensure_topics
from consumers.model_state import GLOBAL, ModelState, Offsets
from consumers.stores import KafkaTopicStore
from stream_imbal import __version__
from stream_imbal.missing import MissingValues
from stream_imbal.model_file import TrainedModel
from stream_imbal.online import Event, Label, Outcome, ScoreThenLearn
from stream_imbal.signing import SnapshotError, sign, verify

__all__ = ["SNAPSHOT_KEY", "ScoringState", "Snapshot", "SnapshotPublisher", "SnapshotReader"]

log = logging.getLogger("stream_imbal.service")

SNAPSHOT_KEY = "model"
PROGRESS_KEY = "model-progress"


@dataclasses.dataclass
class Snapshot:
    """What a scorer needs of the learner's state to score as it would."""

    trained: TrainedModel
    positions: dict[int, int]  # events partition -> next offset the learner had read
    published_at: float  # wall-clock seconds

    @property
    def learned(self) -> int:
        return self.trained.learned

    def scorer(self) -> ScoreThenLearn:
        """A core that scores with this model (and is never asked to learn)."""
        missing = self.trained.missing  # the learner's policy, which a scorer applies
        core = ScoreThenLearn(self.trained.model, missing=missing or MissingValues())
        core.resume(self.trained.class_counts, self.trained.learned)
        return core


class SnapshotPublisher:
    """Publishes the learner's model every `every_events` events learnt or `every_seconds`, and
    its progress (events learnt, next offsets read) every `PROGRESS_S`: a small unsigned
    message that tells the scorers how far behind the learner their model is."""

    PROGRESS_S = 0.1

    def __init__(
        self,
        store: KafkaTopicStore,
        key: bytes,
        every_events: int,
        every_seconds: float,
    ) -> None:
        self.store = store
        self._key = key
        self.every_events = every_events
        self.every_seconds = every_seconds
        self._version = -1
        self._at = -float("inf")
        self._progress_at = -float("inf")

    def due(self, state: ModelState, now: float) -> bool:
        learned = state.learned
        return learned != self._version and (
            learned - self._version >= self.every_events or now - self._at >= self.every_seconds
        )

    def publish(self, state: ModelState, events_topic: str, now: float) -> int:
        """Send the snapshot of `state` (blocks until it is stored); returns its size."""
        positions = {p: o for (t, p), o in state.offsets.items() if t == events_topic}
        core = state.core
        trained = TrainedModel(
            core.model, dict(core.class_counts), core.learned, "learner", missing=core.missing
        )
        snapshot = pickle.dumps(Snapshot(trained, positions, time.time()), pickle.HIGHEST_PROTOCOL)
        wrapped = {"version": __version__, "snapshot": snapshot}
        payload = sign(pickle.dumps(wrapped, protocol=pickle.HIGHEST_PROTOCOL), self._key)
        self.store.save(SNAPSHOT_KEY, payload)
        self._version, self._at = core.learned, now
        return len(payload)

    def progress(self, state: ModelState, events_topic: str, now: float) -> None:
        """Send the learner's progress, at most every `PROGRESS_S` (not waiting for it)."""
        if now - self._progress_at < self.PROGRESS_S:
            return
        positions = {str(p): o for (t, p), o in state.offsets.items() if t == events_topic}
        body = orjson.dumps({"learned": state.learned, "positions": positions})
        self.store.send_progress(PROGRESS_KEY, body)
        self._progress_at = now


class SnapshotReader:
    """Follows the model topic and keeps the latest complete snapshot, checked against `key`."""

    def __init__(self, settings: KafkaSettings, topic: str, key: bytes) -> None:
        self._key = key
        # Created here if need be: a scorer may start before any learner, and a broker that
        # creates the topic on the first read gives it its default number of partitions.
        ensure_topics(settings, {topic: 1}, exact=MODEL_TOPIC_ROLE)
        self._consumer = KafkaConsumer(
            enable_auto_commit=False, fetch_max_wait_ms=100, **settings.client_options()
        )
        partition = TopicPartition(topic, 0)
        self._consumer.assign([partition])
        self._consumer.seek_to_beginning(partition)
        self._parts: dict[bytes, dict[int, bytes]] = {}
        self.latest: Snapshot | None = None
        # the learner's last progress: events learnt, and the next offset read per partition
        self.learned = 0
        self.positions: dict[int, int] = {}
        # scores with the latest model; none yet: warming up
        self.core = ScoreThenLearn(None, missing=MissingValues())
        self.refused = 0  # snapshots refused (`poll`)

    def poll(self, timeout_ms: int) -> bool:
        """Read what has come; True if a newer snapshot became `latest`. A snapshot that cannot
        be verified, comes from another stream-imbal version or cannot be read is refused
        (logged with the reason, counted in `refused`): the latest one read stays."""
        complete = None
        for records in self._consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                headers = dict(record.headers or ())
                if record.key == PROGRESS_KEY.encode():
                    self._progress(record.value)
                if "snapshot" not in headers or "chunk" not in headers:
                    continue  # progress, or a store's read marker
                index, count = map(int, headers["chunk"].split(b"/"))
                chunks = self._parts.setdefault(headers["snapshot"], {})
                chunks[index] = record.value
                if len(chunks) == count:
                    complete = b"".join(chunks[i] for i in range(count))
                    self._parts.clear()
        if complete is None:
            return False
        try:
            snapshot = self._read(complete)  # only the newest is unpickled
        except SnapshotError as error:
            self.refused += 1
            log.error("model snapshot refused", extra={"fields": {"reason": str(error)}})
            return False
        self.latest, self.core = snapshot, snapshot.scorer()
        return True

    def _read(self, blob: bytes) -> Snapshot:
        """The snapshot in `blob`; `SnapshotError` says why it cannot be used."""
        payload = verify(blob, self._key)
        try:
            wrapped = pickle.loads(payload)  # a dict of plain values, any version reads it
        except Exception:  # or a bare snapshot of an older learner, of other classes
            wrapped = None
        version = wrapped.get("version") if isinstance(wrapped, dict) else None
        if version != __version__:
            raise SnapshotError(
                f"written by a learner of stream-imbal {version or 'an unknown version'}, and "
                f"this scorer runs {__version__}: it scores with the model it has until its "
                "learner runs the same version"
            )
        try:
            snapshot = pickle.loads(wrapped["snapshot"])
        except Exception as error:  # signed, of this version, yet unreadable
            raise SnapshotError(f"unreadable ({type(error).__name__}: {error})") from error
        if not isinstance(snapshot, Snapshot):
            raise SnapshotError(f"the model topic holds a {type(snapshot).__name__}")
        return snapshot

    def _progress(self, value: bytes) -> None:
        try:
            body = orjson.loads(value)
            self.learned = int(body["learned"])
            self.positions = {int(p): int(o) for p, o in body["positions"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("unreadable learner progress on the model topic: ignored")

    def behind(self, partition: int, offset: int) -> tuple[int, int]:
        """How far the latest model is from scoring the event at `offset` of `partition` as
        the learner would: the events learnt since it (by the learner's last progress), and
        the events of the partition before `offset` that the learner has not read yet."""
        snapshot = self.latest
        if snapshot is None:
            return (1 << 62), (1 << 62)
        read = self.positions.get(partition, snapshot.positions.get(partition, 0))
        return max(self.learned - snapshot.learned, 0), max(offset - read, 0)

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class ScoringState(Offsets):
    """A scorer's input partition: its next offset, its events scored with the latest model
    snapshot (a warming-up prediction before the first); it learns nothing and is not saved,
    its offsets are committed in the scorers' group."""

    durable = False
    name = GLOBAL

    def __init__(self, partition: int, reader: SnapshotReader) -> None:
        self.partition = partition
        self.offsets: dict[tuple[str, int], int] = {}
        self._reader = reader

    def on_event(self, event: Event, wall_now: float | None = None) -> Outcome:
        """Score `event` with the latest model, its features through the learner's
        missing-value policy (`MissingValueError` when it refuses them)."""
        core = self._reader.core
        missing = core.missing
        event.features = missing.prepare(event.features, core.learned)
        found = {"missing": missing.last_missing, "unknown": missing.last_unknown}
        if core.model is None:
            return Outcome(prediction=core.warming_up(event), **found)
        prediction = core.score(event)[0]
        return Outcome(prediction=prediction, alert=core.is_alert(prediction), **found)

    def on_label(self, label: Label, wall_now: float | None = None) -> Outcome:
        raise TypeError("a scorer reads no labels: the learner learns them")

    @property
    def learned(self) -> int:
        return 0
