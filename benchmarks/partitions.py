"""Quality of the service as its input topic is split into more partitions.

The same stream (labels inline) is produced to a topic of P partitions (keyed by event id, as
a hash partitioner deals them) and served by one `stream-imbal serve` process, with one model
for every partition (`[model] scope = "global"`, the default) and with one model per partition
(`scope = "partition"`). Its predictions, put back in the stream's order, are scored exactly as
the library's in-process run of the same model on the same events (`stream_imbal.evaluate.
prequential`, every event scored): G-mean over the run and the mean windowed PR-AUC.

    python benchmarks/partitions.py                          # rbf-prior-shift, 60k, P = 4, 16
    python benchmarks/partitions.py --streams sea-abrupt agrawal2-prior --events 20000
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from river import base  # noqa: E402

from benchmarks.harness.kafka_broker import Broker  # noqa: E402
from benchmarks.harness.service_process import read_topic, start_process, topics, write_config  # noqa: E402
from consumers import load_config  # noqa: E402
from consumers.kafka_io import KafkaSettings, MessageProducer  # noqa: E402
from consumers.messages import encode_event  # noqa: E402
from consumers.model_state import prediction_message  # noqa: E402
from stream_imbal.evaluate import prequential  # noqa: E402
from stream_imbal.online import Event, ScoreThenLearn  # noqa: E402
from stream_imbal.simulation.named import get_scenario  # noqa: E402


class Recorded(base.Classifier):
    """Replays the predictions a service made, one per event in the stream's order, so that
    `prequential` scores them exactly as it scores a live model."""

    def __init__(self, predictions: list[dict]) -> None:
        self.predictions = predictions
        self._next = 0
        self._decision = None

    def learn_one(self, x, y) -> None:
        pass

    def predict_proba_one(self, x) -> dict:
        prediction = self.predictions[self._next]
        self._next += 1
        self._decision = prediction["decision"]
        if prediction["score"] is None:  # warming up
            return {}
        # the minority (True) score, and the rest on the majority
        return {True: prediction["score"], False: 1.0 - prediction["score"]}

    def predict_one(self, x):
        return self._decision


def served(bootstrap: str, events: list, partitions: int, scope: str, work: pathlib.Path):
    """The predictions of one `serve` process on `events` produced to `partitions` partitions,
    in the events' order, and the seconds it took from the first to the last."""
    names = topics(partitions=partitions, labels=False, bootstrap=bootstrap)
    config = write_config(
        work / f"{scope}-{partitions}.toml", bootstrap, names, model={"scope": scope}
    )
    producer = MessageProducer(KafkaSettings(bootstrap), acks=1)
    for i, (x, y) in enumerate(events):
        producer.send(names["events"], encode_event(i, float(i), x, bool(y)), key=str(i).encode())
    producer.flush()
    producer.close()
    started = time.perf_counter()
    process = start_process(config, work / f"{scope}-{partitions}.log")
    try:
        found = read_topic(bootstrap, names["predictions"], len(events), timeout_s=600)
    finally:
        process.terminate()
        process.wait(60)
    seconds = time.perf_counter() - started
    first = {}
    for prediction in found:
        first.setdefault(prediction["id"], prediction)  # at least once: keep the first
    assert len(first) == len(events), f"{len(first)} of {len(events)} events predicted"
    return [first[i] for i in range(len(events))], seconds


def jittered(spec, events: list, width: float, seed: int) -> list[dict]:
    """The predictions of the library's online core (as the service runs it) on `events` read
    in a slightly different order (each moved by up to `width` places), in the events' order:
    how much the order alone moves the scores."""
    rng = random.Random(seed)
    order = sorted(range(len(events)), key=lambda i: i + rng.uniform(-width, width))
    core = ScoreThenLearn(spec.spec.build(spec.seed))
    made = {}
    for i in order:
        x, y = events[i]
        made[i] = prediction_message(core.on_event(Event(i, float(i), x, y)).prediction, "lib")
    return [made[i] for i in range(len(events))]


def scores(model, events: list) -> dict:
    summary = prequential(model, iter(events), window_size=1000).summary
    return {"gmean": summary["gmean"], "pr_auc": summary["pr_auc"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", nargs="+", default=["rbf-prior-shift"])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--partitions", type=int, nargs="*", default=[4, 16])
    parser.add_argument("--scopes", nargs="+", default=["global", "partition"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--jitter",
        type=float,
        default=15.0,
        help="also score the library on the events each moved by up to this many places (0: not)",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, default=REPO / "benchmarks/results/partitions.md"
    )
    args = parser.parse_args()
    spec = load_config(
        environ={
            "STREAM_IMBAL__TOPICS__EVENTS": "e",
            "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
            "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
        }
    ).model
    rows = []
    broker = Broker()
    broker.start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            work = pathlib.Path(directory)
            for name in args.streams:
                stream = get_scenario(name, args.seed, args.events)
                events = [({str(k): v for k, v in x.items()}, bool(y)) for x, y in stream]
                library = scores(spec.spec.build(spec.seed), events)
                rows.append((name, "library, one model", "-", library))
                print(rows[-1], flush=True)
                if args.jitter:
                    made = jittered(spec, events, args.jitter, args.seed)
                    run = f"library, order jittered by up to {args.jitter:g} events"
                    rows.append((name, run, "-", scores(Recorded(made), events)))
                    print(rows[-1], flush=True)
                for partitions in args.partitions:
                    for scope in args.scopes:
                        predictions, seconds = served(
                            broker.bootstrap_servers, events, partitions, scope, work
                        )
                        rows.append(
                            (
                                name,
                                f"service, scope={scope}",
                                partitions,
                                scores(Recorded(predictions), events),
                            )
                        )
                        print(rows[-1], f"{len(events) / seconds:.0f} events/s", flush=True)
    finally:
        broker.stop()
    lines = [
        f"# Service quality by partitions ({args.events:,} events, labels inline, "
        f"seed {args.seed})",
        "",
        "Produced with `python benchmarks/partitions.py "
        + " ".join(sys.argv[1:])
        + "`; one `serve` process, default model.",
        "",
        "| stream | run | partitions | G-mean | PR-AUC (windowed) |",
        "|---|---|---|---|---|",
    ]
    for name, run, partitions, score in rows:
        lines.append(
            f"| {name} | {run} | {partitions} | {score['gmean']:.3f} | {score['pr_auc']:.3f} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
