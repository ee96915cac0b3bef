"""The service as an operator meets it: a real broker of its own, the service as a child process
killed with SIGKILL eight times at seeded random moments, one 15 s broker pause, 20,000 events
on four partitions with late labels and the corpus of malformed messages interleaved, produced
while the service runs."""

from __future__ import annotations

import base64
import collections
import signal
import threading
import time
import urllib.request
from functools import partial

from benchmarks.harness.kafka_broker import Broker, free_port
from tests.service_harness import (
    make_events,
    produce_live,
    read_topic,
    saved_states,
    start_process,
    topics,
    wait_until,
    write_config,
)
from tests.test_messages import BAD_EVENTS, BAD_LABELS, SCHEMA

N_EVENTS, PARTITIONS, KILLS, PAUSE_S = 20_000, 4, 8, 15.0
EVERY_EVENTS, MAX_POLL_RECORDS = 500, 500


def test_eight_kills_and_a_broker_pause_lose_nothing_and_learn_each_event_once(tmp_path, seeded):
    broker = Broker()  # of its own: it is paused
    broker.start()
    try:
        _scenario(broker, tmp_path, seeded)
    finally:
        broker.stop()


def _scenario(broker: Broker, tmp_path, seeded) -> None:
    bootstrap = broker.bootstrap_servers
    names = topics(partitions=PARTITIONS, bootstrap=bootstrap)
    port = free_port()
    limits = {"max_message_bytes": SCHEMA.max_message_bytes, "max_features": SCHEMA.max_features}
    config = write_config(
        tmp_path / "s.toml",
        bootstrap,
        names,
        kafka={"group_instance_id": "outside-1", "max_poll_records": MAX_POLL_RECORDS},
        checkpoint={"every_events": EVERY_EVENTS, "every_seconds": 1.0},
        metrics={"port": port},
        schema=limits,
    )
    events, late = make_events(N_EVENTS, seed=seeded.randrange(1000))
    done = threading.Event()
    producer = threading.Thread(
        target=produce_live, args=(bootstrap, names, events, late, 300.0, done), daemon=True
    )
    log = tmp_path / "service.log"
    process = start_process(config, log)
    producer.start()
    pause_after = seeded.randrange(2, KILLS - 1)
    for kill in range(KILLS):
        # a kill while it works: after its first checkpoint since it started, at a random moment
        wait_until(partial(_checkpoints_since_start, log, kill + 1), 120, "a checkpoint")
        time.sleep(seeded.uniform(0.0, 2.0))
        assert process.poll() is None, f"the service died by itself ({seeded.seed_text})"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        if kill == pause_after:
            broker.pause()
            time.sleep(PAUSE_S)
            broker.resume()
        process = start_process(config, log)
    wait_until(done.is_set, timeout_s=180, what=f"the producer ({seeded.seed_text})")
    valid = {e[0] for e in events}
    wait_until(
        lambda: _learned(config) == len(events),
        timeout_s=180,
        what=f"every labelled event learned ({seeded.seed_text})",
    )
    wait_until(lambda: "stream_imbal_broker_up 1.0" in _scrape(port), what="broker_up 1")
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0

    states = saved_states(config)
    assert sum(s.learned for s in states.values()) == len(events), seeded.seed_text
    assert sum(s.model.n_seen for s in states.values()) == len(events), seeded.seed_text
    predictions = read_topic(bootstrap, names["predictions"], len(events), timeout_s=60)
    counts = collections.Counter(p["id"] for p in predictions)
    assert set(counts) == valid, seeded.seed_text  # no valid event lost
    duplicates = sum(counts.values()) - len(counts)
    # only events after the last checkpoint of a crash: a checkpoint interval and a batch each
    assert duplicates <= KILLS * (EVERY_EVENTS + MAX_POLL_RECORDS), (duplicates, seeded.seed_text)
    n_bad = min(2 * len(BAD_EVENTS), N_EVENTS // 250) + min(len(BAD_LABELS), N_EVENTS // 250)
    dead = read_topic(bootstrap, names["dead_letters"], n_bad, timeout_s=60)
    by_place = {(d["topic"], d["partition"], d["offset"]): d for d in dead}
    assert len(by_place) == n_bad, seeded.seed_text  # each invalid message, maybe twice
    assert all(d["reason"] for d in dead)
    sent = {base64.b64decode(d["value_base64"]) for d in dead if d["value_base64"]}
    assert {v for _, v in BAD_EVENTS if v} <= sent
    text = log.read_text()
    assert text.count("service started") == KILLS + 1
    assert text.count("restored checkpoint") >= KILLS  # each restart resumed from its snapshots


def _checkpoints_since_start(log, starts: int) -> int:
    """Checkpoints written by the `starts`-th process of the log, once it has started."""
    text = log.read_text() if log.exists() else ""
    if text.count("service started") < starts:
        return 0
    return text.rsplit("service started", 1)[-1].count("INFO checkpoint ")


def _learned(config) -> int:
    try:
        return sum(s.learned for s in saved_states(config).values())
    except (OSError, EOFError):
        return -1


def _scrape(port: int) -> str:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return ""
