"""Benchmark of the Kafka service on a real Kafka-protocol broker (Tansu, started here).

Measured in one run, on the same events:
  (a) kafka-python alone consuming and decoding them with the service's decoder;
  (c) (a) plus one prediction-sized message sent per event with the service's producer and its
      settings, and no model: the ceiling of any kafka-python service with one prediction
      message per event;
  (b) the service end to end (consume, validate, score, produce the prediction, learn), with
      the logistic-regression preset and with the default classifier;
  p50/p99 per-message processing latency of the service; the predictions/s of one, then two
  scorer processes sharing a 2-partition topic beside one learner (2% of the events labelled,
  so that the learner, which reads every event, leaves the cores to the scorers), and the
  learner's own rate in labelled events/s; and, over a long run in a child process, the
  service's resident memory sampled as the stream goes by.

    python benchmarks/service.py                      # 100k events, memory over 1M events
    python benchmarks/service.py --events 20000 --scale-out-events 50000 --memory-events 100000
"""

from __future__ import annotations

import argparse
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
from kafka import KafkaConsumer  # noqa: E402

from consumers import Service, load_config  # noqa: E402
from consumers.config import KafkaSection  # noqa: E402
from consumers.kafka_io import KafkaSettings, MessageProducer  # noqa: E402
from consumers.messages import MessageSchema, decode_event, encode_event, encode_label  # noqa: E402
from tests.kafka_broker import Broker  # noqa: E402
from tests.service_harness import SIGNING_KEY_ENV, start_process, topics, write_config  # noqa: E402

N_FEATURES = 20


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
    for i in range(n):
        y = rng.random() < 0.01
        x = {f"f{j}": rng.gauss(0.8 if y and j < 5 else 0.0, 1.0) for j in range(N_FEATURES)}
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


def service_rate(config_path: pathlib.Path, n_messages: int) -> tuple[float, list[float]]:
    """Messages/s of the service from its first message to its last, and per-message latency."""
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
    return n_messages / elapsed, latencies


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


def all_assigned(logs: list[pathlib.Path]) -> bool:
    """Whether every service process has logged a non-empty partition assignment."""

    def assigned(log: pathlib.Path) -> bool:
        lines = log.read_text().splitlines()
        entries = (orjson.loads(line) for line in lines if line.startswith("{"))
        return any(e["message"] == "partitions assigned" and e["partitions"] for e in entries)

    return all(log.exists() and assigned(log) for log in logs)


def scale_out_run(broker: Broker, n: int, workdir: pathlib.Path, seed: int) -> list[tuple]:
    """Predictions/s of one, then two scorer processes beside one learner on a 2-partition
    topic, counted from when every process owns its partitions to the `n`th prediction."""
    bootstrap = broker.bootstrap_servers
    names = topics(partitions=2, bootstrap=bootstrap)
    print(f"producing {n:,} events on 2 partitions for the scale-out run ...", flush=True)
    produce(bootstrap, names, n, seed, late_share=0.0, labelled_share=0.02)
    rates = []
    for scorers in (1, 2):
        outputs = topics(partitions=2, labels=False, bootstrap=bootstrap)
        run_names = {
            **names,
            "predictions": outputs["predictions"],
            "dead_letters": outputs["dead_letters"],
        }
        group = {"group_id": f"scale-{scorers}-{uuid.uuid4().hex[:6]}"}
        roles = ["learner"] + ["scorer"] * scorers
        logs = [workdir / f"scale-{scorers}-{i}.log" for i in range(len(roles))]
        processes = []
        for role, log in zip(roles, logs, strict=True):
            config = bench_config(
                log.with_suffix(".toml"),
                bootstrap,
                run_names,
                logging={"json": True},
                kafka={"poll_timeout_ms": 1000, "fetch_max_wait_ms": 10} | group,
                scale={"role": role},
            )
            processes.append(start_process(config, log))
        marks = list(range(n // 100, n + 1, n // 100))
        start = None
        for mark in passing(bootstrap, run_names["predictions"], marks):
            if start is None and all_assigned(logs[1:]):
                start = (mark, time.perf_counter())
        if start is None:
            raise RuntimeError(
                f"the {scorers} scorers did not all own a partition before the stream ended: "
                "give --scale-out-events more events"
            )
        rates.append((scorers, (n - start[0]) / (time.perf_counter() - start[1]), n - start[0]))
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(60)
    return rates


def learner_rate(broker: Broker, n: int, workdir: pathlib.Path, seed: int) -> float:
    """Labelled events/s learnt by a learner alone with the default model (labels inline)."""
    bootstrap = broker.bootstrap_servers
    names = topics(partitions=2, labels=False, bootstrap=bootstrap)
    produce(bootstrap, names, n, seed, late_share=0.0)
    config = bench_config(workdir / "learner.toml", bootstrap, names, scale={"role": "learner"})
    rate, _ = service_rate(config, n)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--memory-events", type=int, default=1_000_000)
    parser.add_argument("--scale-out-events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault(SIGNING_KEY_ENV, "benchmark-signing-key-0123456789")
    broker = Broker()
    broker.start()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="stream-imbal-bench-"))
    try:
        bootstrap = broker.bootstrap_servers
        names = topics(bootstrap=bootstrap)
        # labels inline, so that (a), (b) and (c) read the very same messages
        produce(bootstrap, names, args.events, args.seed, late_share=0.0)
        rows = [
            ("kafka-python + decode (a)", raw_rate(bootstrap, names, args.events), None),
            (
                "(a) + send one message per event, no model (c)",
                raw_rate(bootstrap, names, args.events, relay=True),
                None,
            ),
        ]
        for preset in ("logistic-regression", "default"):
            config = bench_config(
                workdir / f"{preset}.toml", bootstrap, names, model={"preset": preset}
            )
            rate, latencies = service_rate(config, args.events)
            rows.append((f"service, {preset} (b)", rate, latencies))
        raw = rows[0][1]
        print(
            f"\n# Service benchmark ({platform.machine()}, {os.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d')}, {args.events:,} labelled events, "
            f"{N_FEATURES} features)\n"
        )
        print("| path | messages/s | vs (a) | p50 latency (us) | p99 latency (us) |")
        print("|---|---:|---:|---:|---:|")
        for name, rate, latencies in rows:
            if latencies is None:
                print(f"| {name} | {rate:,.0f} | {rate / raw:.2f} | | |")
                continue
            cuts = statistics.quantiles(latencies, n=100)
            p50, p99 = cuts[49] * 1e6, cuts[98] * 1e6
            print(f"| {name} | {rate:,.0f} | {rate / raw:.2f} | {p50:.0f} | {p99:.0f} |")
        if args.scale_out_events:
            rates = scale_out_run(broker, args.scale_out_events, workdir, args.seed)
            print("\n| scorers beside one learner, 2 partitions | predictions/s | counted |")
            print("|---:|---:|---:|")
            for scorers, rate, counted in rates:
                print(f"| {scorers} | {rate:,.0f} | {counted:,} |")
            print(f"\nscale-out: {rates[1][1] / rates[0][1]:.2f}x with two scorers")
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
