"""Benchmark of the Kafka service on a real Kafka-protocol broker (Tansu, started here).

Measured in one run, on the same events:
  (a) kafka-python alone consuming and decoding them with the service's decoder;
  (b) the service end to end (consume, validate, score, produce the prediction, learn), with
      the logistic-regression preset and with the default classifier;
  p50/p99 per-message processing latency of the service; and, over a long run in a child
  process, the service's resident memory sampled as the stream goes by.

    python benchmarks/service.py                      # 100k events, memory over 1M events
    python benchmarks/service.py --events 20000 --memory-events 100000   # a quick run
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

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kafka import KafkaConsumer  # noqa: E402

from consumers import Service, load_config  # noqa: E402
from consumers.kafka_io import KafkaSettings, MessageProducer  # noqa: E402
from consumers.messages import MessageSchema, decode_event, encode_event, encode_label  # noqa: E402
from tests.kafka_broker import Broker  # noqa: E402
from tests.service_harness import SIGNING_KEY_ENV, start_process, topics, write_config  # noqa: E402

N_FEATURES = 20


def produce(bootstrap: str, names: dict, n: int, seed: int, late_share: float = 0.5) -> None:
    """`n` events at 1:100; `late_share` of them get their label 1000 events later."""
    rng = random.Random(seed)
    producer = MessageProducer(KafkaSettings(bootstrap), acks=1)
    due = []
    for i in range(n):
        y = rng.random() < 0.01
        x = {f"f{j}": rng.gauss(0.8 if y and j < 5 else 0.0, 1.0) for j in range(N_FEATURES)}
        late = rng.random() < late_share
        key = str(i).encode()
        producer.send(names["events"], encode_event(i, float(i), x, None if late else y), key=key)
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


def raw_rate(bootstrap: str, topic: str, n: int) -> float:
    """Events/s of kafka-python polling 500 at a time and decoding with the service's decoder."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        session_timeout_ms=3000,
        heartbeat_interval_ms=500,
    )
    schema, seen, start = MessageSchema(), 0, None
    while seen < n:
        for records in consumer.poll(timeout_ms=1000, max_records=500).values():
            start = start or time.perf_counter()
            for record in records:
                decode_event(record.value, schema, record.timestamp / 1000)
            seen += len(records)
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


def memory_run(broker: Broker, n: int, workdir: pathlib.Path, seed: int) -> list[tuple[int, float]]:
    """Resident memory of a service process, sampled every 10% of an `n`-event stream."""
    names = topics(bootstrap=broker.bootstrap_servers)
    print(f"producing {n:,} events for the memory run ...", flush=True)
    produce(broker.bootstrap_servers, names, n, seed)
    config = write_config(
        workdir / "memory.toml",
        broker.bootstrap_servers,
        names,
        checkpoint={
            "every_events": 50_000,
            "every_seconds": 30.0,
            "directory": str(workdir / "mem-checkpoints"),
        },
    )
    log = workdir / "memory.log"
    process = start_process(config, log)
    samples, marks = [], [int(n * k / 10) for k in range(1, 11)]
    consumer = KafkaConsumer(
        names["predictions"],
        bootstrap_servers=broker.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    seen = 0
    while marks:
        seen += sum(len(r) for r in consumer.poll(timeout_ms=500, max_records=5000).values())
        while marks and seen >= marks[0]:
            samples.append((marks.pop(0), rss_mb(process.pid)))
            print(f"  {samples[-1][0]:>9,} predictions  RSS {samples[-1][1]:.0f} MB", flush=True)
    process.terminate()
    process.wait(60)
    consumer.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--memory-events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault(SIGNING_KEY_ENV, "benchmark-signing-key-0123456789")
    broker = Broker()
    broker.start()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="stream-imbal-bench-"))
    try:
        names = topics(bootstrap=broker.bootstrap_servers)
        # labels inline, so that (a) and (b) read the very same messages
        produce(broker.bootstrap_servers, names, args.events, args.seed, late_share=0.0)
        rows = [
            (
                "kafka-python + decode (a)",
                raw_rate(broker.bootstrap_servers, names["events"], args.events),
                None,
            )
        ]
        for preset in ("logistic-regression", "default"):
            config = write_config(
                workdir / f"{preset}.toml",
                broker.bootstrap_servers,
                names,
                model={"preset": preset},
                checkpoint={
                    "every_events": 10_000,
                    "every_seconds": 30.0,
                    "directory": str(workdir / f"ck-{preset}"),
                },
                kafka={"poll_timeout_ms": 1000, "fetch_max_wait_ms": 10},
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
                print(f"| {name} | {rate:,.0f} | 1.00 | | |")
                continue
            cuts = statistics.quantiles(latencies, n=100)
            p50, p99 = cuts[49] * 1e6, cuts[98] * 1e6
            print(f"| {name} | {rate:,.0f} | {rate / raw:.2f} | {p50:.0f} | {p99:.0f} |")
        if args.memory_events:
            samples = memory_run(broker, args.memory_events, workdir, args.seed)
            print("\n| predictions | service RSS (MB) |\n|---:|---:|")
            for count, mb in samples:
                print(f"| {count:,} | {mb:.0f} |")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
