"""Where the default's time per event goes: its spread over events, and the rare steps that
carry the tail.

The default predicts then learns each of the first `--events` events of report-suite streams
(seed 1; the first `--skip` events, while the trees are young, are left out). Each event is
timed, and so are, within it, the steps that run only now and then:

  - `size check`: a tree's size check (`_estimate_model_size`, every 2,000 learning calls per
    tree), which measures the whole tree;
  - `split attempt`: river's `_attempt_to_split`, every `grace_period` of weight at a leaf;
  - `reference copy`: the pickling of the learner that may confirm a drift alarm (every 2,000
    events learnt; `bounded_tree.pickle_to_predict`);
  - `gc gen 0/1/2`: Python's cyclic garbage collector, by generation;

and the candidates' learning (`forest learns`, `linear learns`). The balancing learns a
majority event with a weight below 1 only now and then: an event the pool does not learn pays
for scoring and the classifier's bookkeeping only.

It prints, per stream, the mean, median, p90, p99 and p99.9 cost per event, each step's share of
the time, and its share within the slowest 1% and the next 9% of events, and within the events
the pool learnt and those it did not.

    python benchmarks/where_time_goes.py --events 20000
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gc
import pathlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from river.tree.hoeffding_tree_classifier import HoeffdingTreeClassifier  # noqa: E402

from benchmarks.harness.suites import load_suite  # noqa: E402
from stream_imbal import _classifier, _hoeffding, bounded_tree  # noqa: E402
from stream_imbal.bench import build_strategy  # noqa: E402
from stream_imbal.ensemble import CandidatePool, SubspaceForest  # noqa: E402
from stream_imbal.small_steps import SmallSteps  # noqa: E402

STREAMS = ("rbf5-prior", "agrawal2-prior", "sea-prior-abrupt")
POOL_LEARNS = "pool learns"  # a step that marks the events the pool learnt


class StepClock:
    """Seconds spent in each instrumented step since the last `clear`."""

    def __init__(self) -> None:
        self.spent: collections.Counter[str] = collections.Counter()
        self._gc_started = 0.0

    def timed(self, step: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[step] += time.perf_counter() - started

        return wrapper

    def on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.spent[f"gc gen {info['generation']}"] += time.perf_counter() - self._gc_started


@contextlib.contextmanager
def instrumented(clock: StepClock) -> Iterator[None]:
    """Time the rare steps into `clock` while inside."""
    patched = [
        (bounded_tree._SizeCheckedPerCall, "_estimate_model_size", "size check"),
        (HoeffdingTreeClassifier, "_attempt_to_split", "split attempt"),
        (_classifier, "pickle_to_predict", "reference copy"),
        (SubspaceForest, "learn_one", "forest learns"),
        (SmallSteps, "learn_one", "linear learns"),
        (CandidatePool, "learn_one", POOL_LEARNS),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    # `_hoeffding.attempt_may_change` decides an attempt itself only where the tree's method is
    # river's own: the timed one must pass for it, or every attempt would go to river.
    originals.append((_hoeffding, "_RIVER_ATTEMPT", _hoeffding._RIVER_ATTEMPT))
    for owner, name, step in patched:
        setattr(owner, name, clock.timed(step, getattr(owner, name)))
    _hoeffding._RIVER_ATTEMPT = HoeffdingTreeClassifier._attempt_to_split
    gc.callbacks.append(clock.on_gc)
    try:
        yield
    finally:
        gc.callbacks.remove(clock.on_gc)
        for owner, name, function in originals:
            setattr(owner, name, function)


def measure(events: list, skip: int) -> list[tuple[float, dict[str, float]]]:
    """(seconds, seconds per step) of each event after the first `skip`."""
    model = build_strategy("default", 1)
    clock = StepClock()
    rows = []
    with instrumented(clock):
        for x, y, *_ in events:
            clock.spent.clear()
            started = time.perf_counter()
            model.predict_proba_one(x)
            model.predict_one(x)
            model.learn_one(x, y)
            rows.append((time.perf_counter() - started, dict(clock.spent)))
    return rows[skip:]


def shares(rows: list[tuple[float, dict[str, float]]]) -> dict[str, float]:
    total = sum(seconds for seconds, _ in rows)
    spent: collections.Counter[str] = collections.Counter()
    for _, steps in rows:
        spent.update(steps)
    return {step: seconds / total for step, seconds in spent.most_common()}


def report(name: str, rows: list[tuple[float, dict[str, float]]]) -> None:
    costs = [seconds * 1e6 for seconds, _ in rows]
    cuts = statistics.quantiles(costs, n=1000)
    print(
        f"\n## {name} ({len(rows):,} events)\n\n"
        f"us per event: mean {statistics.mean(costs):.0f}, median {cuts[499]:.0f}, "
        f"p90 {cuts[899]:.0f}, p99 {cuts[989]:.0f}, p99.9 {cuts[998]:.0f}\n"
    )
    by_cost = sorted(rows, key=lambda row: -row[0])
    top, next_nine = by_cost[: len(rows) // 100], by_cost[len(rows) // 100 : len(rows) // 10]
    groups = {
        "all events": rows,
        "slowest 1%": top,
        "next 9%": next_nine,
        "learnt by the pool": [row for row in rows if POOL_LEARNS in row[1]],
        "not learnt": [row for row in rows if POOL_LEARNS not in row[1]],
    }
    table = {group: shares(members) for group, members in groups.items()}
    steps = [step for step in table["all events"] if step != POOL_LEARNS]
    print("| events | count | us each | time share | " + " | ".join(steps) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(steps))
    total = sum(costs)
    for group, members in groups.items():
        spent = sum(seconds for seconds, _ in members) * 1e6
        cells = " | ".join(f"{table[group].get(step, 0.0):.0%}" for step in steps)
        print(
            f"| {group} | {len(members):,} | {spent / len(members):.0f} | {spent / total:.0%} "
            f"| {cells} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--skip", type=int, default=2_000)
    parser.add_argument("--streams", nargs="+", default=list(STREAMS))
    args = parser.parse_args()
    suite = {stream.name: stream for stream in load_suite("report")}
    for name in args.streams:
        events = suite[name].with_seed(1).events()[: args.events]
        report(name, measure(events, args.skip))


if __name__ == "__main__":
    main()
