"""Concept-drift alarms of a model on stationary imbalanced streams, and its delay on real drifts.

Two kinds of stream, each from river's generators with the labels drawn first at a fixed
minority share (`stream_imbal.simulation.Scenario`):

  - stationary: one concept, 150,000 events; every concept-drift report is false;
  - drift: one abrupt concept drift at 50,000 of 60,000 events; the delay is from the drift to
    the first report after it (none within the 10,000 events after it: not detected).

Each run counts the detector's alarms (each one a concept-drift report under
`DriftPolicy(confirm_delta=None)`; the model learns the same either way) and the reports (the
alarms the events after them confirmed).
The `tune` streams are those the confirmation's confidence was chosen on; the `report` streams
(other generators and functions, other seeds) were run once, after.

    python benchmarks/drift_alarms.py --suite report --kind stationary --out runs.csv
    python benchmarks/drift_alarms.py --table runs.csv drift.csv   # the markdown summary
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import statistics
import time

from stream_imbal.drift import CONCEPT
from stream_imbal.presets import build_preset
from stream_imbal.simulation import Concept, Drift, Scenario

RATIOS = (100, 300, 1000)
STATIONARY_EVENTS = 150_000
DRIFT_AT, DRIFT_EVENTS = 50_000, 60_000
BOUND = 5_000  # the delay a real drift must be reported within

_RBF10 = {"n_features": 10, "n_centroids": 50}
_RBF8 = {"n_features": 8, "n_centroids": 20}
_RBF6 = {"n_features": 6, "n_centroids": 30}
_NO_NOISE = {"noise_percentage": 0.0}


#: suite -> kind -> (name, generator, first concept's params, second's or None).
STREAMS = {
    "tune": {
        "stationary": [
            ("SEA 0", "SEA", {"variant": 0}, None),
            ("Agrawal 2", "Agrawal", {"classification_function": 2}, None),
            ("RandomRBF 10x50", "RandomRBF", _RBF10, None),
            ("Hyperplane, 5% noise", "Hyperplane", {}, None),
        ],
        "drift": [
            ("SEA 2->3", "SEA", {"variant": 2}, {"variant": 3}),
            (
                "Agrawal 2->5",
                "Agrawal",
                {"classification_function": 2},
                {"classification_function": 5},
            ),
            (
                "RandomRBF 10x50, new centroids",
                "RandomRBF",
                _RBF10 | {"seed_model": 11},
                _RBF10 | {"seed_model": 12},
            ),
        ],
    },
    "report": {
        "stationary": [
            ("Sine 0", "Sine", {"classification_function": 0}, None),
            ("Mixed 1", "Mixed", {"classification_function": 1}, None),
            ("Agrawal 6", "Agrawal", {"classification_function": 6}, None),
            ("RandomRBF 8x20", "RandomRBF", _RBF8, None),
        ],
        "drift": [
            ("SEA 2->0", "SEA", {"variant": 2}, {"variant": 0}),
            (
                "Agrawal 1->4",
                "Agrawal",
                {"classification_function": 1},
                {"classification_function": 4},
            ),
            # Two concepts of one family get seeds of their own: the plane is rotated.
            ("Hyperplane rotated", "Hyperplane", _NO_NOISE, _NO_NOISE),
            ("Sine 0->2", "Sine", {"classification_function": 0}, {"classification_function": 2}),
        ],
    },
}
# Run once, after the confirmation against the model frozen at the alarm was chosen on `tune`
# and first reported on `report`: generators' functions and seeds neither has.
STREAMS["holdout"] = {
    "stationary": [
        ("SEA 1", "SEA", {"variant": 1}, None),
        ("Agrawal 9", "Agrawal", {"classification_function": 9}, None),
        ("Sine 1", "Sine", {"classification_function": 1}, None),
        ("Hyperplane 20", "Hyperplane", {"n_features": 20} | _NO_NOISE, None),
    ],
    "drift": [
        ("SEA 1->3", "SEA", {"variant": 1}, {"variant": 3}),
        (
            "Agrawal 3->7",
            "Agrawal",
            {"classification_function": 3},
            {"classification_function": 7},
        ),
        ("Mixed 0->1", "Mixed", {"classification_function": 0}, {"classification_function": 1}),
        (
            "RandomRBF 6x30, new centroids",
            "RandomRBF",
            _RBF6 | {"seed_model": 21},
            _RBF6 | {"seed_model": 22},
        ),
        ("Sine 1->3", "Sine", {"classification_function": 1}, {"classification_function": 3}),
    ],
}
SEEDS = {"tune": (1, 2), "report": (3, 4), "holdout": (5, 6)}


def scenario(generator: str, first: dict, second: dict | None, ratio: int, seed: int) -> Scenario:
    concepts = [Concept(generator, first)]
    if second is not None:
        concepts.append(Concept(generator, second))
    return Scenario(
        concepts=concepts,
        minority=1 / (1 + ratio),
        n_events=STATIONARY_EVENTS if second is None else DRIFT_EVENTS,
        drifts=[Drift(DRIFT_AT, "abrupt", 0)] if second is not None else [],
        seed=seed,
    )


def run(stream: Scenario, preset: str, seed: int) -> tuple[list[int], list[int], float]:
    """Event indices of the alarms and of the concept-drift reports, and the seconds taken."""
    model = build_preset(preset, seed)
    alarms, n_alarms = [], 0
    started = time.perf_counter()
    for i, (x, y) in enumerate(stream):
        model.predict_one(x)
        model.learn_one(x, y)
        if model.n_drift_alarms != n_alarms:
            n_alarms = model.n_drift_alarms
            alarms.append(i)
    reports = [event.index for event in model.drift_events if event.kind == CONCEPT]
    return alarms, reports, time.perf_counter() - started


def measure(args: argparse.Namespace) -> None:
    seeds = args.seeds or SEEDS[args.suite]
    new = not args.out.exists()
    with args.out.open("a", newline="") as file:
        writer = csv.writer(file)
        if new:
            writer.writerow(
                [
                    "suite",
                    "kind",
                    "stream",
                    "ratio",
                    "seed",
                    "events",
                    "alarms",
                    "reports",
                    "seconds",
                ]
            )
        for stream_name, generator, first, second in STREAMS[args.suite][args.kind]:
            if args.streams and stream_name not in args.streams:
                continue
            for ratio in args.ratios:
                for seed in seeds:
                    stream = scenario(generator, first, second, ratio, seed)
                    alarms, reports, seconds = run(stream, args.preset, seed)
                    row = [args.suite, args.kind, stream_name, ratio, seed]
                    row += [
                        stream.n_events,
                        json.dumps(alarms),
                        json.dumps(reports),
                        f"{seconds:.0f}",
                    ]
                    writer.writerow(row)
                    file.flush()
                    print(*row, flush=True)


def table(paths: list[pathlib.Path]) -> None:
    """Print the markdown summary of result files: per stream and ratio, over seeds.

    The detector's alarms are what the old rule reported; the reports are the confirmed ones.
    """
    rows = [row for path in paths for row in csv.DictReader(path.open())]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (row["suite"], row["kind"], row["stream"], int(row["ratio"]))
        groups.setdefault(key, []).append(row)
    first_seen = {key[:3]: i for i, key in reversed(list(enumerate(groups)))}
    groups = dict(sorted(groups.items(), key=lambda item: (first_seen[item[0][:3]], item[0][3])))
    print("| suite | stream | ratio | seeds | alarms / 100k (old rule) | reports / 100k |")
    print("|---|---|---|---|---|---|")
    for (suite, kind, stream, ratio), runs in groups.items():
        if kind == "stationary":
            rates = [[_per_100k(run, column) for run in runs] for column in ("alarms", "reports")]
            spreads = " | ".join(_spread(rate) for rate in rates)
            print(f"| {suite} | {stream} | 1:{ratio} | {len(runs)} | {spreads} |")
    for suite in sorted({row["suite"] for row in rows}):
        runs = [r for r in rows if r["suite"] == suite and r["kind"] == "stationary"]
        if runs:
            rates = [[_per_100k(run, column) for run in runs] for column in ("alarms", "reports")]
            spreads = " | ".join(_spread(rate) for rate in rates)
            print(f"| {suite} | **every stationary stream** | | {len(runs)} | {spreads} |")
    print()
    print(
        "| suite | stream | ratio | seeds | false before the drift: alarms, reports "
        "| delay: alarm (old rule) | delay: report | reported within 5,000 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (suite, kind, stream, ratio), runs in groups.items():
        if kind == "drift":
            false = [
                sum(_before_drift(run, column) for run in runs) for column in ("alarms", "reports")
            ]
            delays = [[_delay(run, column) for run in runs] for column in ("alarms", "reports")]
            within = sum(d is not None and d <= BOUND for d in delays[1])
            print(
                f"| {suite} | {stream} | 1:{ratio} | {len(runs)} | {false[0]}, {false[1]} | "
                f"{_delays(delays[0])} | {_delays(delays[1])} | {within} of {len(runs)} |"
            )


def _per_100k(run: dict, column: str) -> float:
    return len(json.loads(run[column])) * 100_000 / int(run["events"])


def _before_drift(run: dict, column: str) -> int:
    return sum(i < DRIFT_AT for i in json.loads(run[column]))


def _delay(run: dict, column: str) -> int | None:
    """Events from the drift to the first index of `column` after it; None if none follows."""
    after = [i - DRIFT_AT for i in json.loads(run[column]) if i >= DRIFT_AT]
    return min(after) if after else None


def _spread(values: list[float]) -> str:
    """Mean, and the range over seeds."""
    return f"{statistics.mean(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def _delays(values: list[int | None]) -> str:
    """Each seed's delay, `-` for none within the 10,000 events after the drift."""
    return ", ".join("-" if v is None else str(v) for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=tuple(STREAMS), default="report")
    parser.add_argument("--kind", choices=("stationary", "drift"), default="stationary")
    parser.add_argument("--streams", nargs="+", help="only these streams, by name")
    parser.add_argument("--ratios", type=int, nargs="+", default=list(RATIOS))
    parser.add_argument("--seeds", type=int, nargs="+", help="default: the suite's")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("drift_alarms.csv"))
    parser.add_argument("--table", type=pathlib.Path, nargs="+", help="summarise these files")
    args = parser.parse_args()
    if args.table:
        table(args.table)
    else:
        measure(args)


if __name__ == "__main__":
    main()
