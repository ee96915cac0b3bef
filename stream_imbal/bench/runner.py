"""Run every (stream, strategy) pair prequentially, in parallel, each in a fresh process.

Each job is one strategy on one stream for every seed: for each seed it loads that seed's events
of the stream, builds the strategy's classifier with that seed and evaluates it test-then-train
with `stream_imbal.evaluate.prequential`, in a worker process that serves that job alone
(`maxtasksperchild=1`), so that its peak memory is its own and a Java virtual machine started
for MOA (the research benchmarks' strategies) ends with it (one start per job, not per seed:
starting it costs seconds). Jobs are queued stream by stream, so that the strategies on one
stream run close together in time and their events/s are comparable. With the same seeds, every
score is the same on every run; only the measurements (`events_per_s`, `peak_memory_mib`)
change.

Peak memory is the peak resident set size (RSS) of the worker while it builds the model and runs
it, above the worker's RSS once the events are loaded and a short warm-up run (`WARM_UP` events,
on a model of its own) has loaded the code and, for MOA's learners, started the Java virtual
machine. On Linux the peak is reset just before the model is built (`/proc/self/clear_refs`) and
read from `VmHWM`; elsewhere it is `getrusage`'s `ru_maxrss`, which may still hold an earlier
peak. It counts what the model and the evaluation allocate (the Java heap's growth too), not the
events nor the code. From the second seed on, memory freed by the previous seed's model but kept
by the process (the Java heap does not shrink) is not counted again: the reports take the
largest peak over the seeds.

For the models that report drift events (`drift_events`, as `OnlineImbalancedClassifier`),
each row also holds the quality of its concept-drift alarms against the stream's known concept
drifts (`stream_imbal.bench.detection`); for the others those columns are empty.

"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import pickle
import resource
import sys
import tempfile
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from stream_imbal.bench.detection import DETECTION_COLUMNS, detection_quality
from stream_imbal.bench.results import BenchResults
from stream_imbal.bench.strategies import STRATEGIES, build_strategy
from stream_imbal.bench.streams import BenchStream
from stream_imbal.drift.events import CONCEPT
from stream_imbal.evaluate import prequential
from stream_imbal.exceptions import ConfigError
from stream_imbal.progress import progress as show_progress

__all__ = ["METRICS", "BenchJob", "available_cores", "run_bench", "run_job"]

#: The scores kept from `prequential`'s summary, then the measurements.
METRICS = (
    "gmean",
    "gmean_windowed",
    "minority_recall",
    "minority_precision",
    "f1",
    "pr_auc",
    "recall_at_budget",
    "alert_rate",
    "kappa",
)
WARM_UP = 300  # events


class BenchJob(NamedTuple):
    """One strategy on one stream for each of `seeds`; seed k's events read from `events_files[k]`
    when given."""

    stream: BenchStream
    strategy: str
    seeds: tuple[int, ...]
    events_files: tuple[str, ...] | None = None


def run_job(job: BenchJob) -> tuple[list[dict], pd.DataFrame]:
    """Evaluate one job: a row of scores per seed, and its windows (`seed`, `end`, `gmean`)."""
    rows, windows = [], []
    for k, seed in enumerate(job.seeds):
        stream = job.stream.with_seed(seed)
        if job.events_files:
            with open(job.events_files[k], "rb") as file:
                events = pickle.load(file)
        else:
            events = stream.events()
        if k == 0:
            # A short warm-up run loads the code (and starts MOA's Java virtual machine) before
            # the memory baseline, so that the measured increase is the model's and the data's.
            prequential(build_strategy(job.strategy, seed), events[:WARM_UP], WARM_UP)
        gc.collect()
        memory = _PeakMemory()
        model = build_strategy(job.strategy, seed)
        result = prequential(model, events, window_size=stream.window_size)
        peak = memory.increase_mib()
        summary = result.summary
        rows.append(
            {
                "stream": stream.name,
                "strategy": job.strategy,
                "seed": seed,
                "family": STRATEGIES[job.strategy].family,
                "n_events": summary["n_events"],
                **{metric: summary[metric] for metric in METRICS},
                "events_per_s": summary["events_per_s"],
                "peak_memory_mib": peak,
                **_detection(model, result.drift_events, stream, summary["n_events"]),
            }
        )
        windows.append(
            result.windows[["end", "gmean"]].assign(
                stream=stream.name, strategy=job.strategy, seed=seed
            )
        )
        del model, result, events
    return rows, pd.concat(windows)


def _detection(model, drift_events: pd.DataFrame, stream: BenchStream, n_events: int) -> dict:
    """The quality of `model`'s concept-drift alarms, or NaNs when it reports no drift events."""
    if not hasattr(model, "drift_events"):
        return dict.fromkeys(DETECTION_COLUMNS, math.nan)
    alarms = drift_events.loc[drift_events["kind"] == CONCEPT, "index"].tolist()
    return detection_quality(stream.concept_drift_starts, alarms, n_events)


def run_bench(
    streams: Sequence[BenchStream],
    strategies: Sequence[str],
    seeds: int | Sequence[int] = (1,),
    jobs: int | None = None,
    progress: bool = True,
) -> BenchResults:
    """Evaluate every strategy on every stream for every seed, `jobs` at a time.

    Parameters
    ----------
    streams
        The streams, e.g. from `load_suite_file`; each seed regenerates them
        (`BenchStream.with_seed`).
    strategies
        Names in `STRATEGIES`; an unknown name raises `ConfigError`.
    seeds
        The seeds (or one seed): each regenerates the streams and seeds the models.
    jobs
        Worker processes; all available cores by default.
    progress
        Show a progress bar.

    Examples
    --------
    >>> from stream_imbal.bench import BenchStream, run_bench
    >>> from stream_imbal.simulation import get_scenario
    >>> stream = BenchStream("prior-shift", get_scenario("prior-shift", n_events=3_000))
    >>> results = run_bench([stream], ["river-bare", "river-ros"], jobs=1, progress=False)
    >>> results.table[["strategy", "seed", "gmean", "minority_recall"]].round(3)
         strategy  seed  gmean  minority_recall
    0  river-bare     1  0.743            0.552
    1   river-ros     1  0.962            0.930

    """
    for name in strategies:
        if name not in STRATEGIES:
            raise ConfigError(f"unknown strategy {name!r}; valid names: {', '.join(STRATEGIES)}")
    seeds = (seeds,) if isinstance(seeds, int) else tuple(seeds)
    if not streams or not strategies or not seeds:
        raise ConfigError("nothing to run: no stream, no strategy or no seed")
    jobs = jobs or available_cores()
    # Longest streams first, so that the last jobs to finish are short ones.
    order = sorted(streams, key=len, reverse=True)
    with (
        tempfile.TemporaryDirectory(prefix="stream-imbal-bench-") as cache,
        multiprocessing.Pool(jobs, maxtasksperchild=1) as pool,
    ):
        # Each stream's events are made once per seed, then read by each of its jobs.
        made = [(s.with_seed(seed), i, seed) for i, s in enumerate(order) for seed in seeds]
        files = {(i, seed): os.path.join(cache, f"{i}-{seed}.pickle") for _, i, seed in made}
        items = [(stream, files[i, seed]) for stream, i, seed in made]
        list(pool.imap_unordered(_write_events, items))
        work = [
            BenchJob(stream, name, seeds, tuple(files[i, seed] for seed in seeds))
            for i, stream in enumerate(order)
            for name in strategies
        ]
        done = pool.imap_unordered(run_job, work)
        outputs = list(show_progress(done, len(work), unit="jobs", desc="bench", enabled=progress))
    rows, windows = zip(*outputs, strict=True)
    return BenchResults.from_runs(
        [row for job_rows in rows for row in job_rows],
        windows,
        stream_order=[stream.name for stream in streams],
        strategy_order=list(strategies),
        drift_points={stream.name: stream.drift_points for stream in streams},
    )


def _write_events(item: tuple[BenchStream, str]) -> None:
    stream, path = item
    with open(path, "wb") as file:
        pickle.dump(stream.events(), file, protocol=pickle.HIGHEST_PROTOCOL)


def available_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _PeakMemory:
    """The peak resident set size reached from now on, above the current one."""

    def __init__(self):
        self._reset = _reset_peak_rss()
        self._baseline = _status_kib("VmRSS") if self._reset else _maxrss_kib()

    def increase_mib(self) -> float:
        peak = _status_kib("VmHWM") if self._reset else _maxrss_kib()
        return max(peak - self._baseline, 0) / 1024


def _reset_peak_rss() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux), and tell whether it was."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
        return _status_kib("VmHWM") > 0
    except OSError:
        return False


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as file:
        for line in file:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def _maxrss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS
