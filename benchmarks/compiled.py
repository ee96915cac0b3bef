"""The default's per-event cost against the bare logistic regression and river's ARF(10), over
several runs of `benchmarks.harness.cost.cost_ratios`, with their spread.

Each run interleaves the strategies on the first 10,000 events of `rbf5-prior` and
`agrawal2-prior` (report suite, seed 1), each strategy's best of 3 rounds (ARF's of 1); this
repeats that run `--runs` times and prints, per stream and ratio, the median and the range.
Run it on the code to measure, e.g. the code before the compiled kernels in another directory:

    PYTHONPATH=. python benchmarks/compiled.py --label compiled
    PYTHONPATH=/path/to/before python benchmarks/compiled.py --label before
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

import pandas as pd

# Last, so that a PYTHONPATH naming the code to measure keeps its own stream_imbal.
sys.path.append(str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.harness.cost import cost_ratios  # noqa: E402
from benchmarks.harness.suites import load_suite  # noqa: E402

RATIOS = (
    "bare learner (us/event)",
    "default / bare",
    "linear / bare",
    "default speed / river-arf10 speed",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="this code")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    streams = load_suite("report")
    runs = [
        cost_ratios(streams, strategies=("default", "linear", "river-arf10"))
        for _ in range(args.runs)
    ]
    rows = []
    for stream in runs[0]["stream"]:
        row = {"code": args.label, "stream": stream}
        for ratio in RATIOS:
            values = [float(run.loc[run["stream"] == stream, ratio].iloc[0]) for run in runs]
            row[ratio] = f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
        rows.append(row)
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
