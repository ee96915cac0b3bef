"""Helpers for the service tests: a config file, a service in a thread or a process, and
reading a topic back."""

from __future__ import annotations

import collections
import pathlib
import random
import threading
import time

from benchmarks.harness.service_process import (  # noqa: F401 - the tests' helpers too
    REPO,
    SIGNING_KEY_ENV,
    read_topic,
    start_process,
    topics,
    write_config,
)
from consumers import Service, load_config
from consumers.kafka_io import KafkaSettings, MessageProducer
from consumers.messages import encode_event, encode_label


def make_events(
    n: int, seed: int = 0, labelled_every: int = 2, minority: float = 0.05, prefix: str = "e"
):
    """`n` events with ids `<prefix><i>`; every `labelled_every`-th carries its label, the others
    get a late one.

    Returns (events, late_labels) as lists of (id, ts, features, label).
    """
    rng = random.Random(seed)
    events, late = [], []
    for i in range(n):
        y = rng.random() < minority
        x = {"a": rng.gauss(2.0 if y else 0.0, 1.0), "b": rng.random()}
        event = (f"{prefix}{i}", 1_700_000_000.0 + i, x, y)
        events.append(event)
        if i % labelled_every:
            late.append(event)
    return events, late


def produce(bootstrap: str, names: dict[str, str], events, late, label_delay: int = 20) -> None:
    """Events (labelled or not) on the events topic, late labels `label_delay` events later."""
    producer = MessageProducer(KafkaSettings(bootstrap))
    late_ids = {e[0] for e in late}
    due = []
    for event_id, ts, x, y in events:
        unlabelled = event_id in late_ids
        value = encode_event(event_id, ts, x, None if unlabelled else y)
        producer.send(names["events"], value, key=event_id.encode())
        if unlabelled:
            due.append((event_id, ts, y))
        if len(due) > label_delay:
            _send_label(producer, names, *due.pop(0))
    for label in due:
        _send_label(producer, names, *label)
    producer.flush()
    producer.close()


def _send_label(producer, names, event_id, ts, y) -> None:
    producer.send(names["labels"], encode_label(event_id, y, ts), key=event_id.encode())


class ServiceThread:
    """A `Service` running in a thread of the test process."""

    def __init__(self, config_path: pathlib.Path) -> None:
        self.service = Service(load_config(config_path))
        self._thread = threading.Thread(target=self.service.run, daemon=True)

    def __enter__(self) -> Service:
        self._thread.start()
        return self.service

    def __exit__(self, *_) -> None:
        self.stop()

    def stop(self) -> None:
        self.service.stop()
        self._thread.join(60)


def wait_until(condition, timeout_s: float = 60.0, what: str = "condition") -> None:
    """Poll `condition` every 0.1 s until it holds, or fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def saved_states(config_path: pathlib.Path) -> dict[str, object]:
    """The model states in the directory checkpoint store, checked against the key, by name
    (`global`, or `p<partition>`)."""
    import pickle

    from consumers.stores import DirectoryStore
    from stream_imbal.signing import key_from_environment, verify

    config = load_config(config_path)
    store = DirectoryStore(config.checkpoint.directory)
    key = key_from_environment(config.checkpoint.key_env)
    states = {}
    for path in sorted(store.directory.glob("*.ckpt")):
        state = pickle.loads(verify(path.read_bytes(), key))
        states[state.name] = state
    return states


def produce_live(bootstrap: str, names: dict, events, late, rate: float, done: threading.Event):
    """Events (bad messages of `tests.test_messages` between them), late labels 20 events
    later, at about `rate`/s; sets `done` at the end."""
    from tests.test_messages import BAD_EVENTS, BAD_LABELS

    producer = MessageProducer(KafkaSettings(bootstrap, request_timeout_ms=60_000))
    bad = iter(BAD_EVENTS * 2)
    bad_labels = iter(BAD_LABELS)
    late_ids, due = {e[0] for e in late}, collections.deque()
    started = time.monotonic()
    for i, (event_id, ts, x, y) in enumerate(events):
        key = event_id.encode()
        producer.send(
            names["events"],
            encode_event(event_id, ts, x, None if event_id in late_ids else y),
            key=key,
        )
        if event_id in late_ids:
            due.append((event_id, ts, y, key))
        if len(due) > 20:
            label_id, label_ts, label, label_key = due.popleft()
            producer.send(names["labels"], encode_label(label_id, label, label_ts), key=label_key)
        if i % 250 == 125:
            value = next(bad, None)
            if value is not None:
                producer.send(names["events"], value[1], key=f"bad{i}".encode())
            label_value = next(bad_labels, None)
            if label_value is not None:
                producer.send(names["labels"], label_value[1], key=f"bad{i}".encode())
        time.sleep(max(0.0, started + i / rate - time.monotonic()))
    for label_id, label_ts, label, label_key in due:
        producer.send(names["labels"], encode_label(label_id, label, label_ts), key=label_key)
    producer.flush()
    producer.close()
    done.set()
