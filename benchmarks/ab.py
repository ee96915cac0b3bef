"""A/B of two versions of the code: each strategy's per-event cost under each, interleaved.

A speed-up measured by running the old code, then the new one, is at the mercy of the machine's
load in between: on this shared machine a change that saved nothing once looked 4.5% faster. Here
every round runs each version once, in a fresh process, one after the other, on the same events
(the first `--events` of a report-suite stream, seed 1: predict, decide, learn each), and each
version keeps its best round; the ratio of the bests, and its range over the rounds, compare the
versions under the same conditions. The other version is a checkout with its extensions built,
e.g. a worktree:

    git worktree add --detach /tmp/before <commit>
    (cd /tmp/before && python setup.py build_ext --inplace)
    python benchmarks/ab.py --base /tmp/before --strategies default,linear --rounds 5
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent

#: Run in a fresh process with the version's directory first on the path.
TIMER = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import stream_imbal
assert stream_imbal.__file__.startswith(sys.argv[1]), stream_imbal.__file__
from benchmarks.harness.suites import load_suite
from stream_imbal.bench import build_strategy
stream = {s.name: s for s in load_suite("report")}[sys.argv[2]]
events = stream.with_seed(1).events()[: int(sys.argv[4])]
model = build_strategy(sys.argv[3], 1)
gc.collect()  # the events' garbage is not the model's to collect
started = time.perf_counter()
for x, y, *_ in events:
    model.predict_proba_one(x)
    model.predict_one(x)
    model.learn_one(x, y)
print(json.dumps((time.perf_counter() - started) / len(events) * 1e6))
"""


def us_per_event(code: pathlib.Path, stream: str, strategy: str, events: int) -> float:
    """One timing of `strategy` on `stream` under the version of the code at `code`."""
    run = subprocess.run(
        [sys.executable, "-c", TIMER, str(code), stream, strategy, str(events)],
        capture_output=True,
        text=True,
        cwd=code,
        check=False,
    )
    if run.returncode:
        raise SystemExit(f"{code}: {strategy} on {stream} failed:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=pathlib.Path, required=True, help="the other version")
    parser.add_argument("--new", type=pathlib.Path, default=REPO, help="this repository")
    parser.add_argument("--streams", default="rbf5-prior,agrawal2-prior")
    parser.add_argument("--strategies", default="default,linear")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    versions = {"base": args.base.resolve(), "new": args.new.resolve()}
    print(f"base: {versions['base']}\nnew: {versions['new']}\n")
    print("| stream | strategy | base (us/event) | new (us/event) | new / base | range |")
    print("|---|---|---:|---:|---:|---|")
    for stream in args.streams.split(","):
        for strategy in args.strategies.split(","):
            times: dict[str, list[float]] = {name: [] for name in versions}
            for _ in range(args.rounds):
                for name, code in versions.items():
                    times[name].append(us_per_event(code, stream, strategy, args.events))
            ratios = [new / base for new, base in zip(times["new"], times["base"], strict=True)]
            print(
                f"| {stream} | {strategy} | {min(times['base']):.1f} | {min(times['new']):.1f} "
                f"| {min(times['new']) / min(times['base']):.3f} "
                f"| {min(ratios):.3f}-{max(ratios):.3f} (median {statistics.median(ratios):.3f}) |"
            )


if __name__ == "__main__":
    main()
