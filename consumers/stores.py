"""Where checkpoints are kept: a local directory, or a Kafka topic shared by every instance.

A store saves and loads opaque (signed) snapshot bytes under a key such as
`group.events-topic.partition`. `save` returns only once the snapshot is durable.
"""

from __future__ import annotations

import os
import pathlib
import re
import uuid
import zlib
from typing import Protocol

from consumers.kafka_io import KafkaSettings, MessageProducer, ensure_topics, read_partition

__all__ = ["CheckpointStore", "DirectoryStore", "KafkaTopicStore"]


class CheckpointStore(Protocol):
    def save(self, key: str, snapshot: bytes) -> None: ...

    def load(self, key: str) -> bytes | None: ...


class DirectoryStore:
    """One file per key, replaced atomically: write a temp file, fsync, rename, fsync the dir."""

    def __init__(self, directory: str | pathlib.Path) -> None:
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> pathlib.Path:
        return self.directory / (re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".ckpt")

    def save(self, key: str, snapshot: bytes) -> None:
        path = self._path(key)
        temp = path.with_suffix(f".tmp-{os.getpid()}")
        with open(temp, "wb") as file:
            file.write(snapshot)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def load(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None


class KafkaTopicStore:
    """Snapshots as messages on a topic, so any instance can pick up any partition's state.

    A snapshot larger than `max_chunk_bytes` is split into chunks sharing a snapshot id. Each
    key always goes to the same partition of the topic; loading reads that partition up to a
    marker it writes first, so it knows it has seen the latest snapshot without relying on the
    broker's end offsets. The chunk keys alternate between two slots, so on a compacted topic
    a snapshot cut short by a crash never overwrites the previous complete one.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        topic: str,
        producer: MessageProducer,
        max_chunk_bytes: int = 900_000,
        partitions: int = 1,
    ) -> None:
        self.settings = settings
        self.topic = topic
        self.max_chunk_bytes = max_chunk_bytes
        self._producer = producer
        ensure_topics(settings, {topic: partitions})
        self._slots: dict[str, int] = {}

    def _partition(self, key: str) -> int:
        partitions = sorted(self._producer.partitions_for(self.topic)) or [0]
        return partitions[zlib.crc32(key.encode()) % len(partitions)]

    def save(self, key: str, snapshot: bytes) -> None:
        slot = self._slots[key] = 1 - self._slots.get(key, 1)
        snapshot_id = uuid.uuid4().hex.encode()
        chunks = [
            snapshot[i : i + self.max_chunk_bytes]
            for i in range(0, max(len(snapshot), 1), self.max_chunk_bytes)
        ]
        for index, chunk in enumerate(chunks):
            headers = [
                ("snapshot", snapshot_id),
                ("chunk", f"{index}/{len(chunks)}".encode()),
            ]
            self._producer.send(
                self.topic,
                chunk,
                key=f"{key}/{slot}/{index}".encode(),
                partition=self._partition(key),
                headers=headers,
            )
        self._producer.flush()

    def send_progress(self, key: str, value: bytes) -> None:
        """Send a small message under `key` beside the snapshots (not waiting for it)."""
        self._producer.send(self.topic, value, key=key.encode(), partition=self._partition(key))

    def load(self, key: str, timeout_s: float = 30.0) -> bytes | None:
        partition = self._partition(key)
        marker = uuid.uuid4().hex.encode()
        self._producer.send(
            self.topic,
            b"",
            key=f"{key}/marker".encode(),
            partition=partition,
            headers=[("marker", marker)],
        )
        self._producer.flush()
        prefix = f"{key}/".encode()
        parts: dict[bytes, dict[int, bytes]] = {}
        latest: bytes | None = None
        for record in read_partition(self.settings, self.topic, partition, timeout_s):
            if record.key is None or not record.key.startswith(prefix):
                continue
            headers = dict(record.headers)
            if headers.get("marker") == marker:
                return latest
            if "snapshot" not in headers:
                continue
            index, count = map(int, headers["chunk"].split(b"/"))
            chunks = parts.setdefault(headers["snapshot"], {})
            chunks[index] = record.value
            if len(chunks) == count:
                latest = b"".join(chunks[i] for i in range(count))
                parts.clear()
