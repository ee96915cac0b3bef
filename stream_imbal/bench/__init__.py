"""Benchmark strategies against each other, prequentially, on the same imbalanced streams.

`load_suite` gives the streams (the `tune` suite the default was tuned on, the held-out `report`
suite), `STRATEGIES` the named strategies, `run_bench` runs every pair for every seed in
parallel and returns `BenchResults` (tables, ranks with ties, spread over seeds, drift
detection, speed ratios, plots); `cost_ratios` measures the per-event cost serially.
The `stream-imbal bench` command does all of it.

"""

from __future__ import annotations

from stream_imbal.bench.cost import COST_STRATEGIES, COST_STREAMS, cost_ratios, seconds_per_event
from stream_imbal.bench.detection import DETECTION_COLUMNS, detection_quality
from stream_imbal.bench.moa import MOAClassifier, moa_missing, votes_to_proba
from stream_imbal.bench.results import REACH, BenchResults, gmean_ranks
from stream_imbal.bench.runner import METRICS, BenchJob, available_cores, run_bench, run_job
from stream_imbal.bench.strategies import (
    BATCH,
    MOA,
    OURS,
    RIVER,
    STRATEGIES,
    Strategy,
    build_strategy,
    register_spec,
    resolve_strategies,
    sklearn_missing,
)
from stream_imbal.bench.suite import (
    DEV_TABLES,
    DEV_WIDE_TABLES,
    REPORT_SCENARIOS,
    REPORT_TABLES,
    SCENARIOS,
    SUITES,
    BenchStream,
    LabelledFile,
    load_suite,
    select_streams,
)
from stream_imbal.bench.windowed_refit import WindowedRefitClassifier

__all__ = [
    "BATCH",
    "COST_STRATEGIES",
    "COST_STREAMS",
    "DETECTION_COLUMNS",
    "DEV_TABLES",
    "DEV_WIDE_TABLES",
    "METRICS",
    "MOA",
    "OURS",
    "REACH",
    "REPORT_SCENARIOS",
    "REPORT_TABLES",
    "RIVER",
    "SCENARIOS",
    "STRATEGIES",
    "SUITES",
    "BenchJob",
    "BenchResults",
    "BenchStream",
    "MOAClassifier",
    "Strategy",
    "WindowedRefitClassifier",
    "available_cores",
    "build_strategy",
    "register_spec",
    "cost_ratios",
    "detection_quality",
    "gmean_ranks",
    "LabelledFile",
    "load_suite",
    "moa_missing",
    "resolve_strategies",
    "run_bench",
    "run_job",
    "seconds_per_event",
    "select_streams",
    "sklearn_missing",
    "votes_to_proba",
]
