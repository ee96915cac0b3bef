"""Run every (stream, strategy) pair prequentially, in parallel, each in a fresh process.

Each job loads its stream's events, builds its strategy's classifier and evaluates it
test-then-train with `stream_imbal.evaluate.prequential`, in a worker process that serves that
job alone (`maxtasksperchild=1`), so that its peak memory is its own and a Java virtual machine
started for MOA ends with it. With the same seed, every score is the same on every run; only the
measurements (`events_per_s`, `peak_memory_mib`) change.

Peak memory is the peak resident set size (RSS) of the worker while it builds the model and runs
it, above the worker's RSS once the events are loaded and a short warm-up run (`WARM_UP` events,
on a model of its own) has loaded the code and, for MOA's learners, started the Java virtual
machine. On Linux the peak is reset just before the model is built (`/proc/self/clear_refs`) and
read from `VmHWM`; elsewhere it is `getrusage`'s `ru_maxrss`, which may still hold an earlier
peak. It counts what the model and the evaluation allocate (the Java heap's growth too), not the
events nor the code.

"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import resource
import sys
import tempfile
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd
from tqdm import tqdm

from stream_imbal.bench.results import BenchResults
from stream_imbal.bench.strategies import MOA, STRATEGIES, build_strategy
from stream_imbal.bench.suite import BenchStream
from stream_imbal.evaluate import prequential
from stream_imbal.exceptions import ConfigError

__all__ = ["JVM_ARGS", "METRICS", "BenchJob", "available_cores", "run_bench", "run_job"]

#: The scores kept from `prequential`'s summary, then the measurements.
METRICS = (
    "gmean",
    "gmean_windowed",
    "minority_recall",
    "minority_precision",
    "f1",
    "pr_auc",
    "kappa",
)
WARM_UP = 300  # events


#: The Java VM of MOA's learners collects its garbage on the job's own thread, so that a job
#: uses one core, as the others do (unless CAPYMOA_JVM_ARGS says otherwise).
JVM_ARGS = "-Xmx8g -Xss10M -XX:+UseSerialGC -XX:CICompilerCount=2"


class BenchJob(NamedTuple):
    """One strategy on one stream, its events read from `events_file` when given."""

    stream: BenchStream
    strategy: str
    seed: int
    events_file: str | None = None


def run_job(job: BenchJob) -> tuple[dict, pd.DataFrame]:
    """Evaluate one job: its row of scores, and its windows (`end`, `gmean`)."""
    if STRATEGIES[job.strategy].family == MOA:
        os.environ.setdefault("CAPYMOA_JVM_ARGS", JVM_ARGS)
    if job.events_file:
        with open(job.events_file, "rb") as file:
            events = pickle.load(file)
    else:
        events = job.stream.events()
    # A short warm-up run loads the code (and starts MOA's Java virtual machine) before the
    # memory baseline, so that the measured increase is the model's and the evaluation's data.
    prequential(build_strategy(job.strategy, job.seed), events[:WARM_UP], WARM_UP)
    gc.collect()
    memory = _PeakMemory()
    model = build_strategy(job.strategy, job.seed)
    result = prequential(model, events, window_size=job.stream.window_size)
    peak = memory.increase_mib()
    summary = result.summary
    row = {
        "stream": job.stream.name,
        "strategy": job.strategy,
        "family": STRATEGIES[job.strategy].family,
        "n_events": summary["n_events"],
        **{metric: summary[metric] for metric in METRICS},
        "events_per_s": summary["events_per_s"],
        "peak_memory_mib": peak,
    }
    windows = result.windows[["end", "gmean"]].assign(stream=job.stream.name, strategy=job.strategy)
    return row, windows


def run_bench(
    streams: Sequence[BenchStream],
    strategies: Sequence[str],
    seed: int = 1,
    jobs: int | None = None,
    progress: bool = True,
) -> BenchResults:
    """Evaluate every strategy on every stream, `jobs` at a time.

    Parameters
    ----------
    streams
        The streams, e.g. from `load_suite`.
    strategies
        Names in `STRATEGIES`; an unknown name raises `ConfigError`.
    seed
        Seed of every model.
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
    >>> results.table[["strategy", "gmean", "minority_recall"]].round(3)
         strategy  gmean  minority_recall
    0  river-bare  0.709            0.503
    1   river-ros  0.959            0.930

    """
    for name in strategies:
        if name not in STRATEGIES:
            raise ConfigError(f"unknown strategy {name!r}; valid names: {', '.join(STRATEGIES)}")
    if not streams or not strategies:
        raise ConfigError("nothing to run: no stream or no strategy")
    jobs = jobs or available_cores()
    # Longest streams first, so that the last jobs to finish are short ones.
    order = sorted(streams, key=len, reverse=True)
    with (
        tempfile.TemporaryDirectory(prefix="stream-imbal-bench-") as cache,
        multiprocessing.Pool(jobs, maxtasksperchild=1) as pool,
    ):
        # Each stream's events are made once, then read by each of its jobs.
        files = [os.path.join(cache, f"{i}.pickle") for i in range(len(order))]
        list(pool.imap_unordered(_write_events, zip(order, files, strict=True)))
        work = [
            BenchJob(stream, name, seed, file)
            for stream, file in zip(order, files, strict=True)
            for name in strategies
        ]
        done = pool.imap_unordered(run_job, work)
        outputs = list(tqdm(done, total=len(work), desc="bench", disable=not progress))
    rows, windows = zip(*outputs, strict=True)
    return BenchResults.from_runs(
        rows,
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
