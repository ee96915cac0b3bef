"""One learner and two scorers against a real Kafka-protocol broker: the learner learns every
label of every partition and publishes its model in chunks; the scorers share the events and
score them with its snapshots, and go on scoring while the learner is down."""

from __future__ import annotations

import collections
import pickle
import subprocess
import sys
import types
import uuid

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from consumers.kafka_io import KafkaSettings, MessageProducer
from consumers.model_snapshots import SNAPSHOT_KEY, Snapshot, SnapshotPublisher, SnapshotReader
from consumers.stores import KafkaTopicStore
from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.exceptions import ConfigError
from stream_imbal.model_file import TrainedModel
from stream_imbal.online import Event, ScoreThenLearn
from stream_imbal.signing import sign
from tests.service_harness import (
    ServiceThread,
    make_events,
    produce,
    read_topic,
    topics,
    wait_until,
    write_config,
)


def _learned(service) -> int:
    state = service.states.get(0)
    return state.learned if state is not None else -1


def _configs(tmp_path, bootstrap, names):
    group = f"g-{uuid.uuid4().hex[:8]}"
    scale = {"snapshot_every_events": 300, "snapshot_every_seconds": 0.5}
    scale |= {"max_staleness_events": 200, "max_wait_seconds": 1.0}

    def config(role: str):
        return write_config(
            tmp_path / f"{role}.toml",
            bootstrap,
            names,
            kafka={"group_id": group},
            scale=scale | {"role": role},
            # a snapshot (tens of kB) travels in chunks of 5 kB
            checkpoint={"max_chunk_bytes": 5_000},
        )

    return config("learner"), config("scorer")


def test_a_learner_and_two_scorers_predict_every_event_with_one_model(broker, tmp_path):
    names = topics(partitions=4, bootstrap=broker.bootstrap_servers)
    learner_config, scorer_config = _configs(tmp_path, broker.bootstrap_servers, names)
    events, late = make_events(3000, seed=21)
    with ServiceThread(learner_config) as learner:
        # scorers that start before any model exists score with none (after max_wait_seconds)
        wait_until(lambda: learner.metrics.snapshots._value.get() >= 1, what="a first model")
        with ServiceThread(scorer_config) as a, ServiceThread(scorer_config) as b:
            produce(broker.bootstrap_servers, names, events, late)
            predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
            wait_until(lambda: _learned(learner) == len(events), what="every label learned")
            assert len(learner.states) == 4  # one model of every partition
            assert len(a.states) == len(b.states) == 2  # the scorers share the events out
            loaded = (a.metrics.snapshots._value.get(), b.metrics.snapshots._value.get())
    counts = collections.Counter(p["id"] for p in predictions)
    assert set(counts) == {e[0] for e in events}
    versions = [int(p["model_version"].removeprefix("global.")) for p in predictions]
    assert max(versions) > len(events) / 2 and min(loaded) >= 1
    assert read_topic(broker.bootstrap_servers, names["dead_letters"], 0, timeout_s=1) == []


def test_scorers_go_on_while_the_learner_is_down_and_it_resumes_exactly(broker, tmp_path):
    names = topics(partitions=2, bootstrap=broker.bootstrap_servers)
    learner_config, scorer_config = _configs(tmp_path, broker.bootstrap_servers, names)
    events, late = make_events(2400, seed=22)
    first, rest = events[:1200], events[1200:]
    with ServiceThread(scorer_config) as scorer:
        with ServiceThread(learner_config) as learner:
            produce(broker.bootstrap_servers, names, first, [e for e in late if e in first])
            wait_until(lambda: _learned(learner) == len(first), what="first half learned")
        # the learner has stopped: the scorer waits up to max_wait_seconds, then scores anyway
        produce(broker.bootstrap_servers, names, rest, [e for e in late if e in rest])
        predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events))
        assert {p["id"] for p in predictions} == {e[0] for e in events}
        assert scorer.metrics.stale_predictions._value.get() > 0
        with ServiceThread(learner_config) as learner:  # from its checkpoint, once each
            wait_until(lambda: _learned(learner) == len(events), what="all learned")
            assert learner.states[0].core.unmatched_labels == 0


def test_a_learner_scores_an_event_once_labelled_not_on_arrival():
    from stream_imbal import OnlineImbalancedClassifier
    from stream_imbal.online import Event, Label, ScoreThenLearn

    cores = [ScoreThenLearn(OnlineImbalancedClassifier(seed=1), score_on_arrival=s) for s in (1, 0)]
    for core in cores:
        for i in range(300):
            y = i % 10 == 0
            event = Event(i, float(i), {"x": 5.0 * y + (i % 3)}, label=y if i % 2 else None)
            outcome = core.on_event(event)
            assert (outcome.prediction is None) == (not core.score_on_arrival)
            if not i % 2:
                core.on_label(Label(i, y, float(i)))
    live, learner = cores
    assert live.learned == learner.learned == 300 and learner.scored == 0
    # the learner's windowed scores come from its decisions made just before learning
    assert learner.recalls.classes and 0.0 < learner.gmean() <= 1.0


def test_learner_and_scorers_killed_lose_nothing_and_learn_each_label_once(
    broker, tmp_path, seeded
):
    import signal
    import threading
    import time

    from tests.service_harness import produce_live, saved_states, start_process

    names = topics(partitions=4, bootstrap=broker.bootstrap_servers)
    learner_config, scorer_config = _configs(tmp_path, broker.bootstrap_servers, names)
    events, late = make_events(6000, seed=23)
    logs = [tmp_path / f"{name}.log" for name in ("learner", "scorer-a", "scorer-b")]
    configs = [learner_config, scorer_config, scorer_config]
    processes = [start_process(c, log) for c, log in zip(configs, logs, strict=True)]
    done = threading.Event()
    producing = threading.Thread(
        target=produce_live,
        args=(broker.bootstrap_servers, names, events, late, 800.0, done),
        daemon=True,
    )
    producing.start()
    for victim in (0, 1, 0, 2, 0):  # the learner three times, each scorer once
        time.sleep(seeded.uniform(1.0, 2.5))
        assert processes[victim].poll() is None, f"died by itself ({seeded.seed_text})"
        processes[victim].send_signal(signal.SIGKILL)
        processes[victim].wait(10)
        processes[victim] = start_process(configs[victim], logs[victim])
    wait_until(done.is_set, timeout_s=120, what="the producer")

    def learned() -> int:
        try:
            return saved_states(learner_config)["global"].learned
        except (OSError, EOFError, KeyError):
            return -1

    wait_until(lambda: learned() == len(events), timeout_s=120, what=seeded.seed_text)
    predictions = read_topic(broker.bootstrap_servers, names["predictions"], len(events), 120)
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        assert process.wait(30) == 0
    assert {p["id"] for p in predictions} == {e[0] for e in events}, seeded.seed_text
    assert saved_states(learner_config)["global"].model.n_seen == len(events)


def test_a_model_topic_is_made_with_one_partition_and_another_count_is_refused(broker):
    settings = KafkaSettings(broker.bootstrap_servers)
    names = topics(bootstrap=broker.bootstrap_servers)
    key = b"k" * 32
    # a scorer that starts first makes the topic, with one partition, not the broker's default
    SnapshotReader(settings, f"{names['events']}.model", key).close()
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        (described,) = admin.describe_topics([f"{names['events']}.model"])
        assert len(described["partitions"]) == 1
        admin.create_topics([NewTopic(f"{names['events']}.wide", 4, 1)])
    finally:
        admin.close()
    with pytest.raises(ConfigError, match="has 4 partitions, it must have 1 .*elects the one"):
        SnapshotReader(settings, f"{names['events']}.wide", key)


def test_serve_refuses_a_model_topic_of_several_partitions_in_one_line(broker, tmp_path):
    names = topics(bootstrap=broker.bootstrap_servers)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(f"{names['events']}.model", 3, 1)])
    finally:
        admin.close()
    config = write_config(tmp_path / "scorer.toml", broker.bootstrap_servers, names)
    done = subprocess.run(
        [sys.executable, "-m", "consumers", "--config", str(config), "--role", "scorer"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "has 3 partitions, it must have 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_scorer_refuses_a_snapshot_it_cannot_use_says_why_and_keeps_its_model(
    broker, caplog, monkeypatch
):
    """A rolling upgrade (a learner of another version), a foreign key, a bare pickle of an
    older learner or bytes that are no snapshot: refused, not a crash of the scorer."""
    settings = KafkaSettings(broker.bootstrap_servers)
    names = topics(bootstrap=broker.bootstrap_servers)
    key, topic = b"k" * 32, f"{names['events']}.model"
    reader = SnapshotReader(settings, topic, key)
    producer = MessageProducer(settings)
    store = KafkaTopicStore(settings, topic, producer)
    core = ScoreThenLearn(OnlineImbalancedClassifier(seed=1))
    for event_id, ts, x, y in make_events(50, seed=1)[0]:
        core.on_event(Event(event_id, ts, x, label=y))
    learner = types.SimpleNamespace(offsets={}, core=core)

    def publish(signing_key: bytes = key) -> None:
        SnapshotPublisher(store, signing_key, 1, 0.0).publish(learner, names["events"], 0.0)

    def refused_with(reason: str) -> None:
        refused = reader.refused
        wait_until(lambda: reader.poll(200) or reader.refused > refused, what="a snapshot")
        assert reader.refused == refused + 1 and reader.latest is first
        assert reason in caplog.records[-1].fields["reason"]

    try:
        publish()
        wait_until(lambda: reader.poll(200), what="the first snapshot")
        first = reader.latest
        assert first.learned == 50
        with monkeypatch.context() as patched:
            patched.setattr("consumers.model_snapshots.__version__", "0.0.9")
            publish()
        refused_with("written by a learner of stream-imbal 0.0.9, and this scorer runs")
        publish(signing_key=b"another key, not the scorer's")
        refused_with("signature mismatch")
        bare = Snapshot(TrainedModel(core.model, {}, 50, "learner"), {}, 0.0)
        store.save(SNAPSHOT_KEY, sign(pickle.dumps(bare), key))
        refused_with("written by a learner of stream-imbal an unknown version")
        store.save(SNAPSHOT_KEY, b"not a snapshot")
        refused_with("not signed")
        core.on_event(Event("e50", 1_800_000_000.0, {"a": 2.0, "b": 0.5}, label=True))
        publish()
        wait_until(lambda: reader.poll(200), what="a snapshot it can use")
        assert reader.latest.learned == 51 and reader.refused == 4
    finally:
        reader.close()
        producer.close()
