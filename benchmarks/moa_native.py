"""The default's per-event cost against MOA's learners run by MOA itself, inside Java.

`benchmarks/compiled.py` and `bench.py`'s cost table call MOA through CapyMOA, one instance at a
time from Python: each call converts an instance for the Java VM, which costs more than MOA's
own work, and flatters the default. Here MOA runs its own prequential loop
(`moa.DoTask EvaluatePrequential`: predict, then learn, each instance) on the same events,
written to an ARFF file, and reports the CPU time of its thread every `--window` events. The
default runs the same loop in this process (`predict_proba_one`, `predict_one`, `learn_one`),
timed on the thread's CPU clock too. Both therefore count CPU time, not wall time, on one
thread each: MOA's just-in-time compiler threads are not counted, nor is the reading of the
file in Python.

MOA's first window includes its warm-up (the Java VM interprets the code until it has compiled
it), so the table gives both the whole stream and the stream after its first window (`steady`),
where MOA runs compiled. Streams: `benchmarks.harness.cost.COST_STREAMS`, each in full, seeds 1-3
by default; the table gives each ratio's median over the seeds and its range.

    python benchmarks/moa_native.py --learners moa-adac2,moa-arf10
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

import pandas as pd

sys.path.append(str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.harness.cost import COST_STREAMS, seconds_so_far  # noqa: E402
from benchmarks.harness.moa import moa_class, moa_command, moa_missing  # noqa: E402
from benchmarks.harness.strategies import JVM_ARGS, MOA_LEARNERS  # noqa: E402
from benchmarks.harness.suites import load_suite  # noqa: E402
from stream_imbal.bench import BenchStream, build_strategy  # noqa: E402


def write_arff(events: Sequence[tuple], path: pathlib.Path) -> None:
    """`events` as an ARFF file: the first event's features (numeric, in its order; a feature
    an event lacks is MOA's missing value), then the class, `False` or `True`, as
    `MOAClassifier` maps them."""
    names = list(events[0][0])
    lines = ["@relation stream"]
    lines += [f"@attribute 'f{i}' numeric" for i in range(len(names))]
    lines += ["@attribute class {False,True}", "@data"]
    for x, y, *_ in events:
        if y not in (False, True):
            raise ValueError(f"label {y!r}: MOA's learners here take the labels False and True")
        values = (repr(float(x[name])) if name in x else "?" for name in names)
        lines.append(",".join([*values, str(bool(y))]))
    path.write_text("\n".join(lines) + "\n")


def moa_seconds(learner: str, arff: pathlib.Path, window: int) -> list[float]:
    """MOA's CPU seconds so far, every `window` instances of `arff` and at its end, for the MOA
    learner `learner` (a key of `MOA_LEARNERS`)."""
    name, options, _ = MOA_LEARNERS[learner]
    task = (
        f"EvaluatePrequential -l ({moa_class(name)} {options}) "
        f"-s (ArffFileStream -f {arff} -c -1) -f {window} -q {window}"
    )
    command = moa_command()
    run = subprocess.run(
        [*command[:1], *JVM_ARGS.split(), *command[1:], task],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split(",") for line in run.stdout.splitlines() if line[:1].isdigit()]
    return [float(row[1]) for row in rows]  # "evaluation time (cpu seconds)"


def per_event(seconds: list[float], n: int, window: int) -> tuple[float, float]:
    """Microseconds per event over the whole stream, and after its first window."""
    steady = (seconds[-1] - seconds[0]) / (n - window) if n > window else float("nan")
    return seconds[-1] / n * 1e6, steady * 1e6


def measure(
    stream: BenchStream, seed: int, learners: Sequence[str], window: int, workdir: pathlib.Path
) -> dict:
    events = stream.with_seed(seed).events()
    arff = workdir / f"{stream.name}-{seed}.arff"
    write_arff(events, arff)
    n = len(events)
    row = {"stream": stream.name, "seed": seed, "events": n}
    ours = seconds_so_far(build_strategy("default", seed), events, window)
    row["default"] = per_event(ours, n, window)
    for learner in learners:
        row[learner] = per_event(moa_seconds(learner, arff, window), n, window)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="moa-adac2", help="keys of MOA_LEARNERS")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--window", type=int, default=2_000)
    args = parser.parse_args()
    missing = moa_missing()
    if missing:
        sys.exit(missing)
    learners = args.learners.split(",")
    unknown = [learner for learner in learners if learner not in MOA_LEARNERS]
    if unknown:
        sys.exit(f"unknown learners {unknown}: choose among {sorted(MOA_LEARNERS)}")
    seeds = [int(seed) for seed in args.seeds.split(",")]
    streams = [s for suite in ("tune", "report") for s in load_suite(suite)]
    streams = [s for s in streams if s.name in COST_STREAMS]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for stream in streams:
            for seed in seeds:
                rows.append(measure(stream, seed, learners, args.window, pathlib.Path(workdir)))
                print(f"measured {stream.name}, seed {seed}", file=sys.stderr, flush=True)
    table = []
    for stream in streams:
        runs = [row for row in rows if row["stream"] == stream.name]
        line = {"stream": stream.name, "events": runs[0]["events"]}
        for part, label in ((0, "whole"), (1, "steady")):
            line[f"default us/event, {label}"] = statistics.median(r["default"][part] for r in runs)
            for learner in learners:
                ratios = [r[learner][part] / r["default"][part] for r in runs]
                line[f"{learner} us/event, {label}"] = statistics.median(
                    r[learner][part] for r in runs
                )
                line[f"default speed / {learner} speed, {label}"] = (
                    f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
                )
        table.append(line)
    print(pd.DataFrame(table).to_markdown(index=False, floatfmt=".1f"))


if __name__ == "__main__":
    main()
