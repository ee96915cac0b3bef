"""The service run against a real broker, for the tests and the benchmarks: fresh topics, a
configuration file, the service as a child process, and a topic read back."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time
import uuid

import orjson
from kafka import KafkaConsumer

from consumers.kafka_io import KafkaSettings, ensure_topics

#: The environment variable holding the signing key of the checkpoints these runs write.
SIGNING_KEY_ENV = "STREAM_IMBAL_TEST_CHECKPOINT_KEY"
os.environ.setdefault(SIGNING_KEY_ENV, "test-signing-key-0123456789")
REPO = pathlib.Path(__file__).resolve().parents[2]


def topics(partitions: int = 1, labels: bool = True, bootstrap: str = "") -> dict[str, str]:
    """Fresh topic names for one test, created with `partitions` partitions."""
    tag = uuid.uuid4().hex[:8]
    names = {"events": f"ev-{tag}", "predictions": f"pred-{tag}", "dead_letters": f"dlq-{tag}"}
    if labels:
        names["labels"] = f"lab-{tag}"
    if bootstrap:
        ensure_topics(KafkaSettings(bootstrap), {n: partitions for n in names.values()})
    return names


def write_config(
    path: pathlib.Path, bootstrap: str, names: dict[str, str], **sections
) -> pathlib.Path:
    """A service TOML for tests: fast group joins, frequent checkpoints, no metrics port."""
    settings = {
        "kafka": {
            "bootstrap_servers": bootstrap,
            "group_id": f"g-{uuid.uuid4().hex[:8]}",
            "session_timeout_ms": 3000,
            "heartbeat_interval_ms": 500,
            "max_poll_interval_ms": 10000,
            "request_timeout_ms": 5000,
            "poll_timeout_ms": 200,
            "fetch_max_wait_ms": 10,
        },
        "topics": names,
        "checkpoint": {
            "directory": str(path.parent / "checkpoints"),
            "every_events": 200,
            "every_seconds": 1.0,
            "key_env": SIGNING_KEY_ENV,
        },
        "metrics": {"port": 0},
    }
    for section, values in sections.items():
        settings.setdefault(section, {}).update(values)
    lines = []
    for section, values in settings.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 60.0) -> list:
    """Every message of `topic` (decoded JSON), waiting until there are `expected` of them."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=500,
    )
    found = []
    deadline = time.monotonic() + timeout_s
    while len(found) < expected and time.monotonic() < deadline:
        found += [orjson.loads(m.value) for m in consumer]
    # anything beyond `expected` (duplicates) shows up within a short grace period
    found += [orjson.loads(m.value) for m in consumer]
    consumer.close()
    return found


def start_process(config_path: pathlib.Path, log_path: pathlib.Path) -> subprocess.Popen:
    """`python -m consumers --config ...` as a child process, logging to `log_path`."""
    return subprocess.Popen(
        [sys.executable, "-m", "consumers", "--config", str(config_path)],
        cwd=REPO,
        stdout=open(log_path, "ab"),  # noqa: SIM115 - the child owns it
        stderr=subprocess.STDOUT,
    )
