"""Benchmark strategies against each other, prequentially, on the same imbalanced streams.

`load_suite` gives the streams, `STRATEGIES` the named strategies, `run_bench` runs every pair
in parallel and returns `BenchResults` (tables, ranks, plots); `cost_ratios` measures the
per-event cost serially. The `stream-imbal bench` command does all of it.

"""

from __future__ import annotations

from stream_imbal.bench.cost import COST_STRATEGIES, COST_STREAMS, cost_ratios, seconds_per_event
from stream_imbal.bench.moa import MOAClassifier, moa_missing, votes_to_proba
from stream_imbal.bench.results import BenchResults
from stream_imbal.bench.runner import METRICS, BenchJob, available_cores, run_bench, run_job
from stream_imbal.bench.strategies import (
    MOA,
    OURS,
    RIVER,
    STRATEGIES,
    Strategy,
    build_strategy,
    resolve_strategies,
)
from stream_imbal.bench.suite import (
    SCENARIOS,
    SUITES,
    BenchStream,
    load_suite,
    select_streams,
)

__all__ = [
    "COST_STRATEGIES",
    "COST_STREAMS",
    "METRICS",
    "MOA",
    "OURS",
    "RIVER",
    "SCENARIOS",
    "STRATEGIES",
    "SUITES",
    "BenchJob",
    "BenchResults",
    "BenchStream",
    "MOAClassifier",
    "Strategy",
    "available_cores",
    "build_strategy",
    "cost_ratios",
    "load_suite",
    "moa_missing",
    "resolve_strategies",
    "run_bench",
    "run_job",
    "seconds_per_event",
    "select_streams",
    "votes_to_proba",
]
