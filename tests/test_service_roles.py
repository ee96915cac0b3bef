"""One learner and two scorers against a real Kafka-protocol broker: the learner learns every
label of every partition and publishes its model in chunks; the scorers share the events and
score them with its snapshots, and go on scoring while the learner is down."""

from __future__ import annotations

import collections
import uuid

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
    with (
        ServiceThread(learner_config) as learner,
        ServiceThread(scorer_config) as a,
        ServiceThread(scorer_config) as b,
    ):
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
