"""Benchmark of the Kafka service on a real Kafka-protocol broker (Tansu, started here).

Measured in one run, on the same events:
  (a) kafka-python alone consuming and decoding them with the service's decoder;
  (c) (a) plus one prediction-sized message sent per event with the service's producer and its
      settings, and no model: the ceiling of any kafka-python service with one prediction
      message per event;
  (b) the service end to end (consume, validate, score, produce the prediction, learn), with
      the logistic-regression preset and with the default classifier, on a topic whose every
      event is labelled (the learner's worst case), then, with (c) again, on one where 2% are
      (`--labelled-share`: labels come late and few in fraud or intrusion streams); each
      service starts from a model file of its preset trained on `--trained-events` other
      events of the stream (as a deployed service does: a fresh model at 1:100 and 2% labelled
      has not the minority labels it needs to decide for tens of thousands of events, and
      scores nothing meanwhile);
  (c) and (b) run `--rounds` times in turn (3 by default: the machine's load moves (c) itself
  by a third between runs), and the table gives each path's median rate and the median and
  range of its ratio to (c) in the same round, and the least share of a service's predictions
  scored (made by a model out of its warm-up) in a round;
  p50/p99 per-message processing latency of the service (all rounds); the predictions/s of
  one, then two scorer processes sharing a 2-partition topic that one learner has read (2% of
  the events labelled), so that the scorers share the cores with the broker only, and the
  learner's own rate in labelled events/s; and, over a long run in a child process, the
  service's resident memory sampled as the stream goes by.

    python benchmarks/service.py                      # 100k events, memory over 1M events
    python benchmarks/service.py --events 20000 --scale-out-events 50000 --memory-events 100000
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import gc
import os
import pathlib
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402
from kafka import KafkaConsumer, TopicPartition  # noqa: E402

from benchmarks.harness.kafka_broker import Broker  # noqa: E402
from benchmarks.harness.service_process import SIGNING_KEY_ENV, start_process, topics, write_config  # noqa: E402
from consumers import Service, load_config  # noqa: E402
from consumers.config import KafkaSection  # noqa: E402
from consumers.kafka_io import KafkaSettings, MessageProducer  # noqa: E402
from consumers.messages import MessageSchema, decode_event, encode_event, encode_label  # noqa: E402
from consumers.model_snapshots import SnapshotReader  # noqa: E402
from stream_imbal.model_file import TrainedModel, save_model  # noqa: E402
from stream_imbal.presets import build_preset  # noqa: E402
from stream_imbal.signing import key_from_environment  # noqa: E402

N_FEATURES = 20
COLLECTOR_DEFAULTS = gc.get_threshold()


def produce(
    bootstrap: str,
    names: dict,
    n: int,
    seed: int,
    late_share: float = 0.5,
    labelled_share: float = 1.0,
) -> None:
    """`n` events at 1:100, `labelled_share` of them labelled; `late_share` of those get their
    label 1000 events later."""
    rng = random.Random(seed)
    producer = MessageProducer(KafkaSettings(bootstrap), acks=1)
    due = []
    for i, x, y in stream(n, rng):
        labelled = rng.random() < labelled_share
        late = labelled and rng.random() < late_share
        key = str(i).encode()
        label = y if labelled and not late else None
        producer.send(names["events"], encode_event(i, float(i), x, label), key=key)
        if late:
            due.append((i, y))
        if len(due) > 1000:
            event_id, label = due.pop(0)
            producer.send(
                names["labels"], encode_label(event_id, label, float(i)), key=str(event_id).encode()
            )
    for event_id, label in due:
        producer.send(
            names["labels"], encode_label(event_id, label, float(n)), key=str(event_id).encode()
        )
    producer.flush()
    producer.close()


def stream(n: int, rng: random.Random) -> Iterator[tuple[int, dict, bool]]:
    """`n` events at 1:100: (index, features, label); the minority is shifted on 5 features."""
    for i in range(n):
        y = rng.random() < 0.01
        x = {f"f{j}": rng.gauss(0.8 if y and j < 5 else 0.0, 1.0) for j in range(N_FEATURES)}
        yield i, x, y


def trained_model(path: pathlib.Path, preset: str, n: int, seed: int) -> pathlib.Path:
    """A model file of `preset` that has learnt `n` events of the stream (seeded `seed`), signed
    with the services' key, for a service to start from (`[model] init`)."""
    model, counts = build_preset(preset, seed=0), {}
    for _, x, y in stream(n, random.Random(seed)):
        model.learn_one(x, y)
        counts[y] = counts.get(y, 0) + 1
    if model.predict_one(x) is None:
        sys.exit(f"{preset} still warming up after {n:,} events: raise --trained-events")
    trained = TrainedModel(model, counts, n, preset)
    save_model(path, trained, key_from_environment(SIGNING_KEY_ENV))
    return path


def raw_rate(bootstrap: str, names: dict, n: int, relay: bool = False) -> float:
    """Events/s of kafka-python polling 500 at a time and decoding with the service's decoder;
    with `relay`, also sending a prediction-sized message per event as the service does."""
    consumer = KafkaConsumer(
        names["events"],
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        session_timeout_ms=2000,  # a group join takes about half of it
        heartbeat_interval_ms=500,
        fetch_max_wait_ms=10,
    )
    settings = KafkaSettings(bootstrap)
    producer = MessageProducer(settings, linger_ms=KafkaSection.linger_ms) if relay else None
    schema, seen, start = MessageSchema(), 0, None
    while seen < n:
        for records in consumer.poll(timeout_ms=1000, max_records=500).values():
            start = start or time.perf_counter()
            for record in records:
                event = decode_event(record.value, schema, record.timestamp / 1000)
                if producer is not None:
                    prediction = {
                        "id": event.event_id,
                        "score": 0.0123,
                        "decision": False,
                        "threshold": 0.5,
                        "prior": 0.01,
                        "model_version": "p0.0",
                        "ts": event.ts,
                    }
                    producer.send(names["predictions"], orjson.dumps(prediction), key=record.key)
            seen += len(records)
    if producer is not None:
        producer.flush()
        producer.close()
    elapsed = time.perf_counter() - start
    consumer.close()
    return n / elapsed


def service_rate(config_path: pathlib.Path, n_messages: int) -> tuple[float, list[float], float]:
    """Messages/s of the service from its first message to its last, per-message latency, and
    the share of its predictions scored (not made while its model warmed up)."""
    service = Service(load_config(config_path))
    latencies: list[float] = []
    process = service._process

    def timed(message):
        started = time.perf_counter()
        process(message)
        latencies.append(time.perf_counter() - started)

    service._process = timed
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    while not latencies:
        time.sleep(0.001)
    start = time.perf_counter()
    while len(latencies) < n_messages:
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    service.stop()
    thread.join()
    # The service tunes the collector for its process (`stream_imbal.heap`); (c) runs as a
    # plain kafka-python loop does, with CPython's defaults.
    gc.unfreeze()
    gc.set_threshold(*COLLECTOR_DEFAULTS)
    counts = service.metrics.messages
    return n_messages / elapsed, latencies, 1 - counts.warming_up / max(counts.predictions, 1)


def service_rows(
    bootstrap: str,
    names: dict,
    n: int,
    workdir: pathlib.Path,
    labels: str,
    rounds: int,
    models: dict[str, pathlib.Path],
) -> list[tuple[str, list[float], list[float] | None, float | None]]:
    """(c) on the topics `names`, then (b) with each preset starting from its model file in
    `models`, `rounds` times in turn: (name, its messages/s in each round, the latencies of all
    its rounds, the least share of its predictions scored in a round)."""
    ceiling = f"(a) + send one message per event, no model (c), {labels}"
    rates: dict[str, list[float]] = {ceiling: []}
    latencies: dict[str, list[float] | None] = {ceiling: None}
    scored: dict[str, float | None] = {ceiling: None}
    for round_ in range(rounds):
        rates[ceiling].append(raw_rate(bootstrap, names, n, relay=True))
        for preset, model_file in models.items():
            path = workdir / f"{preset}-{names['events']}-{round_}.toml"
            model = {"preset": preset, "init": str(model_file)}
            config = bench_config(path, bootstrap, names, model=model)
            rate, timed, share = service_rate(config, n)
            name = f"service, {preset} (b), {labels}"
            rates.setdefault(name, []).append(rate)
            latencies.setdefault(name, []).extend(timed)
            scored[name] = min(share, scored.get(name) or 1.0)
    return [(name, rates[name], latencies[name], scored[name]) for name in rates]


def rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def passing(bootstrap: str, topic: str, marks: list[int]) -> Iterator[int]:
    """Yield each of the increasing `marks` as the number of messages on `topic` passes it."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    marks, seen = list(marks), 0
    try:
        while marks:
            seen += sum(len(r) for r in consumer.poll(timeout_ms=500, max_records=5000).values())
            while marks and seen >= marks[0]:
                yield marks.pop(0)
    finally:
        consumer.close()


def bench_config(path: pathlib.Path, bootstrap: str, names: dict, **sections) -> pathlib.Path:
    """The service config of the benchmark: checkpoints every 10k events, short fetch waits."""
    sections.setdefault("checkpoint", {"every_events": 10_000, "every_seconds": 30.0})
    sections["checkpoint"].setdefault("directory", str(path.with_suffix(".checkpoints")))
    sections.setdefault("kafka", {"poll_timeout_ms": 1000, "fetch_max_wait_ms": 10})
    sections["kafka"].setdefault("session_timeout_ms", 2000)  # a group join takes about half
    return write_config(path, bootstrap, names, **sections)


def memory_run(broker: Broker, n: int, workdir: pathlib.Path, seed: int) -> list[tuple[int, float]]:
    """Resident memory of a service process, sampled every 10% of an `n`-event stream."""
    bootstrap = broker.bootstrap_servers
    names = topics(bootstrap=bootstrap)
    print(f"producing {n:,} events for the memory run ...", flush=True)
    produce(bootstrap, names, n, seed)
    config = bench_config(
        workdir / "memory.toml",
        bootstrap,
        names,
        checkpoint={"every_events": 50_000, "every_seconds": 30.0},
    )
    process = start_process(config, workdir / "memory.log")
    samples = []
    for mark in passing(bootstrap, names["predictions"], [int(n * k / 10) for k in range(1, 11)]):
        samples.append((mark, rss_mb(process.pid)))
        print(f"  {mark:>9,} predictions  RSS {samples[-1][1]:.0f} MB", flush=True)
    process.terminate()
    process.wait(60)
    return samples


def scale_out_run(
    broker: Broker, n: int, workdir: pathlib.Path, seed: int, model_file: pathlib.Path
) -> list[dict]:
    """Predictions/s of one, then two scorer processes on a 2-partition topic of `n` events
    (2% labelled, inline) that one learner, started from `model_file`, has read: the scorers
    share the cores with the broker only. The rate is taken from the predictions' record
    timestamps, between the last partition assignment of the scorers and the end of the
    earliest-finishing partition; the cores each process used in that window, from its CPU
    time sampled twice a second."""
    bootstrap = broker.bootstrap_servers
    names = topics(partitions=2, bootstrap=bootstrap)
    print(f"producing {n:,} events on 2 partitions for the scale-out run ...", flush=True)
    produce(bootstrap, names, n, seed, late_share=0.0, labelled_share=0.02)
    learner = start_process(
        scale_config(
            workdir / "scale-learner.toml", bootstrap, names, "learner", "scale", model_file
        ),
        workdir / "scale-learner.log",
    )
    try:
        wait_for_learner(bootstrap, names, n)
        runs = []
        for scorers in (1, 2):
            outputs = topics(partitions=2, labels=False, bootstrap=bootstrap)
            run_names = names | {k: outputs[k] for k in ("predictions", "dead_letters")}
            group = f"scale-{scorers}-{uuid.uuid4().hex[:6]}"
            logs = [workdir / f"{group}-{i}.log" for i in range(scorers)]
            processes = [
                start_process(
                    scale_config(
                        log.with_suffix(".toml"), bootstrap, run_names, "scorer", group, model_file
                    ),
                    log,
                )
                for log in logs
            ]
            watched = {"scorers": processes, "learner": [learner], "broker": [broker.process]}
            try:
                samples = wait_for_messages(bootstrap, run_names["predictions"], n, watched)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(60)
            rate, counted, start, end = scored_rate(bootstrap, run_names["predictions"], logs)
            cores = {name: cpu_between(samples[name], start, end) for name in watched}
            runs.append({"scorers": scorers, "rate": rate, "counted": counted, "cores": cores})
    finally:
        learner.terminate()
        learner.wait(60)
    return runs


def scale_config(
    path: pathlib.Path, bootstrap: str, names: dict, role: str, group: str, model_file: pathlib.Path
) -> pathlib.Path:
    return bench_config(
        path,
        bootstrap,
        names,
        model={"preset": "default", "init": str(model_file)},
        logging={"json": True},
        # the service's default fetch wait (100 ms): a backlog is fetched at once all the same
        kafka={"poll_timeout_ms": 1000, "fetch_max_wait_ms": KafkaSection.fetch_max_wait_ms}
        | {"group_id": group},
        scale={"role": role},
    )


def wait_for_learner(bootstrap: str, names: dict, n: int, timeout: float = 600.0) -> None:
    """Until the learner's progress on the model topic has read all `n` events."""
    key = key_from_environment(SIGNING_KEY_ENV)
    reader = SnapshotReader(KafkaSettings(bootstrap), f"{names['events']}.model", key)
    deadline = time.monotonic() + timeout
    try:
        while sum(reader.positions.values()) < n or reader.latest is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the learner read {reader.positions} of {n:,} events")
            reader.poll(500)
    finally:
        reader.close()


def wait_for_messages(
    bootstrap: str, topic: str, n: int, watched: dict[str, list], timeout: float = 600.0
) -> dict[str, list[tuple[float, float]]]:
    """Until `topic` holds about `n` messages and has stopped growing, by its end offsets
    every half second, then by its records once they stand still (Tansu's end offsets lag a
    batch behind: a batch is more than 2% of a short run). Returns, per name of `watched`,
    (wall time, CPU seconds of its processes) samples."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    deadline, last, still = time.monotonic() + timeout, -1, 0
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in watched}
    try:
        while still < 4:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{topic} did not reach {n:,} messages")
            for name, processes in watched.items():
                samples[name].append((time.time(), sum(cpu_seconds(p.pid) for p in processes)))
            time.sleep(0.5)
            count = sum(consumer.end_offsets(partitions).values())
            still = still + 1 if count == last else 0
            last = count
            if still == 4 and count < 0.98 * n and records_in(bootstrap, topic) < 0.98 * n:
                still = 0
    finally:
        consumer.close()
    return samples


def records_in(bootstrap: str, topic: str) -> int:
    """The records of `topic`, counted by reading it to its end (two empty polls in a row)."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    count = empty = 0
    try:
        while empty < 2:
            batch = consumer.poll(timeout_ms=1000, max_records=5000)
            count += sum(len(records) for records in batch.values())
            empty = 0 if batch else empty + 1
    finally:
        consumer.close()
    return count


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process `pid` so far."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_between(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """Cores used on average between wall times `start` and `end`, interpolating `samples`."""
    times, cpu = zip(*samples, strict=True)

    def at(t: float) -> float:
        i = min(max(bisect.bisect_left(times, t), 1), len(times) - 1)
        (t0, c0), (t1, c1) = samples[i - 1], samples[i]
        return c0 + (c1 - c0) * (t - t0) / (t1 - t0)

    return (at(end) - at(start)) / (end - start)


def scored_rate(
    bootstrap: str, topic: str, logs: list[pathlib.Path]
) -> tuple[float, int, float, float]:
    """Predictions/s on `topic` while every scorer held its partitions, how many, and the
    window's wall-clock start and end."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    stamps: dict[int, list[float]] = {}
    try:
        while True:
            batch = consumer.poll(timeout_ms=2000, max_records=10_000)
            if not batch:
                break
            for partition, records in batch.items():
                stamps.setdefault(partition.partition, []).extend(
                    r.timestamp / 1000 for r in records
                )
    finally:
        consumer.close()
    start = max(assigned_at(log) for log in logs)
    end = min(max(times) for times in stamps.values())
    counted = sum(start <= t <= end for times in stamps.values() for t in times)
    return counted / (end - start), counted, start, end


def assigned_at(log: pathlib.Path) -> float:
    """The wall-clock time of a service process's last non-empty partition assignment."""
    entries = (orjson.loads(line) for line in log.read_text().splitlines() if line[:1] == "{")
    times = [
        datetime.datetime.fromisoformat(e["time"]).timestamp()
        for e in entries
        if e["message"] == "partitions assigned" and e["partitions"]
    ]
    if not times:
        raise RuntimeError(f"{log.name}: the scorer was never assigned a partition")
    return times[-1]


def learner_rate(broker: Broker, n: int, workdir: pathlib.Path, seed: int) -> float:
    """Labelled events/s learnt by a learner alone with the default model (labels inline)."""
    bootstrap = broker.bootstrap_servers
    names = topics(partitions=2, labels=False, bootstrap=bootstrap)
    produce(bootstrap, names, n, seed, late_share=0.0)
    config = bench_config(workdir / "learner.toml", bootstrap, names, scale={"role": "learner"})
    rate, _, _ = service_rate(config, n)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--memory-events", type=int, default=1_000_000)
    parser.add_argument("--scale-out-events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--labelled-share", type=float, default=0.02)
    parser.add_argument("--trained-events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="of (c) and (b), in turn")
    args = parser.parse_args()
    rounds = args.rounds
    os.environ.setdefault(SIGNING_KEY_ENV, "benchmark-signing-key-0123456789")
    broker = Broker()
    broker.start()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="stream-imbal-bench-"))
    try:
        bootstrap = broker.bootstrap_servers
        names = topics(bootstrap=bootstrap)
        models = {  # trained on other events than those measured: another seed
            preset: trained_model(
                workdir / f"{preset}.model", preset, args.trained_events, args.seed + 1
            )
            for preset in ("logistic-regression", "default")
        }
        # labels inline, so that (a), (b) and (c) read the very same messages
        produce(bootstrap, names, args.events, args.seed, late_share=0.0)
        rows = [
            ("kafka-python + decode (a)", [raw_rate(bootstrap, names, args.events)], None, None),
            *service_rows(
                bootstrap, names, args.events, workdir, "every event labelled", rounds, models
            ),
        ]
        sparse = topics(bootstrap=bootstrap)
        share = args.labelled_share
        produce(bootstrap, sparse, args.events, args.seed, late_share=0.0, labelled_share=share)
        rows += service_rows(
            bootstrap, sparse, args.events, workdir, f"{share:.0%} labelled", rounds, models
        )
        raw = rows[0][1][0]
        print(
            f"\n# Service benchmark ({platform.machine()}, {os.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d')}, {args.events:,} events, {N_FEATURES} features, "
            f"{rounds} round(s): medians, and the range of the ratio to (c) over the rounds)\n"
        )
        print(
            "| path | messages/s | vs (a) | vs (c) | vs (c), range | p50 latency (us) "
            "| p99 latency (us) | scored |"
        )
        print("|---|---:|---:|---:|---|---:|---:|---:|")
        ceiling: list[float] = []
        for name, rates, latencies, scored in rows:
            rate = statistics.median(rates)
            if latencies is None:
                ceiling = rates if name.startswith("(a) + send") else ceiling
                print(f"| {name} | {rate:,.0f} | {rate / raw:.2f} | | | | | |")
                continue
            ratios = [b / c for b, c in zip(rates, ceiling, strict=True)]
            cuts = statistics.quantiles(latencies, n=100)
            p50, p99 = cuts[49] * 1e6, cuts[98] * 1e6
            print(
                f"| {name} | {rate:,.0f} | {rate / raw:.2f} | {statistics.median(ratios):.2f} "
                f"| {min(ratios):.2f}-{max(ratios):.2f} | {p50:.0f} | {p99:.0f} | {scored:.0%} |"
            )
        if args.scale_out_events:
            runs = scale_out_run(
                broker, args.scale_out_events, workdir, args.seed, models["default"]
            )
            print(
                "\n| scorers, 2 partitions the learner has read | predictions/s | counted "
                "| cores: scorers | broker | learner (idle) | predictions per scorer CPU-s |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for run in runs:
                cores = run["cores"]
                print(
                    f"| {run['scorers']} | {run['rate']:,.0f} | {run['counted']:,} "
                    f"| {cores['scorers']:.2f} | {cores['broker']:.2f} | {cores['learner']:.2f} "
                    f"| {run['rate'] / cores['scorers']:,.0f} |"
                )
            print(f"\nscale-out: {runs[1]['rate'] / runs[0]['rate']:.2f}x with two scorers")
            rate = learner_rate(broker, args.events, workdir, args.seed)
            print(f"learner alone, default model: {rate:,.0f} labelled events/s")
        if args.memory_events:
            samples = memory_run(broker, args.memory_events, workdir, args.seed)
            print("\n| predictions | service RSS (MB) |\n|---:|---:|")
            for count, mb in samples:
                print(f"| {count:,} | {mb:.0f} |")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
