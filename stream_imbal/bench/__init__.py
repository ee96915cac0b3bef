"""Benchmark strategies against each other, prequentially, on the same imbalanced streams.

`STRATEGIES` names the strategies (this library's and river's), `LabelledFile` and
`load_suite_file` give the streams (a user's labelled file, the scenarios of a TOML file),
`run_bench` runs every pair for every seed in parallel and returns `BenchResults` (tables, ranks
with ties, spread over seeds, drift detection, speed ratios, plots). The `stream-imbal bench`
command does all of it.

The research harness built on it (the tune and report suites, KEEL tables, MOA's and
scikit-learn's strategies, cost measurements) is the repository's `benchmarks/harness/`, not
part of the installed library.

"""

from __future__ import annotations

from stream_imbal.bench.detection import DETECTION_COLUMNS, detection_quality
from stream_imbal.bench.results import REACH, BenchResults, gmean_ranks
from stream_imbal.bench.runner import METRICS, BenchJob, available_cores, run_bench, run_job
from stream_imbal.bench.strategies import (
    OURS,
    RIVER,
    STRATEGIES,
    Strategy,
    build_strategy,
    register_spec,
    resolve_strategies,
)
from stream_imbal.bench.streams import (
    BenchStream,
    LabelledFile,
    Table,
    load_suite_file,
    select_streams,
)

__all__ = [
    "DETECTION_COLUMNS",
    "METRICS",
    "OURS",
    "REACH",
    "RIVER",
    "STRATEGIES",
    "BenchJob",
    "BenchResults",
    "BenchStream",
    "LabelledFile",
    "Strategy",
    "Table",
    "available_cores",
    "build_strategy",
    "detection_quality",
    "gmean_ranks",
    "load_suite_file",
    "register_spec",
    "resolve_strategies",
    "run_bench",
    "run_job",
    "select_streams",
]
