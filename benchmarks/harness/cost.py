"""The per-event cost of strategies relative to the bare learner, measured serially, interleaved.

The parallel benchmark's events/s depend on what else runs on the machine; this measures, one
model at a time, the cost of predicting (score and decision) then learning one event, relative
to `river-bare`, the standardised logistic regression the linear strategies are built around.
The strategies are interleaved: each round times every strategy once on the same events, and
each keeps its best round, so that a change of machine load hits all of them alike. MOA's
learners start a Java virtual machine in the process that imports CapyMOA, so the whole
measurement then runs in a worker process of its own.

"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence

import pandas as pd
from river import base

from benchmarks.harness.strategies import JVM_ARGS, MOA
from stream_imbal.bench import STRATEGIES, BenchStream, build_strategy
from stream_imbal.classifier import OnlineImbalancedClassifier

__all__ = ["COST_STRATEGIES", "COST_STREAMS", "cost_ratios", "seconds_per_event", "seconds_so_far"]

#: Compared with the bare learner, and the default with each: the default, the linear preset,
#: the bare learner with our threshold alone, river's ARF with 10 trees and MOA's OnlineAdaC2
#: on Hoeffding trees.
COST_STRATEGIES = ("default", "linear", "threshold-only", "river-arf10", "moa-adac2")
#: The streams measured when the suite has them: 3, 10 and 8 features (tune suite), 5 and 9
#: (report suite).
COST_STREAMS = ("sea-abrupt", "hyperplane-incremental", "abalone19", "rbf5-prior", "agrawal2-prior")


def seconds_per_event(model: base.Classifier, events: Sequence[tuple], repeats: int = 3) -> float:
    """Best-of-`repeats` cost of predicting then learning one event, on fresh clones of `model`.

    The decision (`predict_one`) is paid for only where it is not the argmax of the scores, as
    in `stream_imbal.evaluate.prequential`.

    Examples
    --------
    >>> from river import linear_model
    >>> from benchmarks.harness.cost import seconds_per_event
    >>> events = [({"a": float(i % 7)}, i % 7 == 0) for i in range(200)]
    >>> 0 < seconds_per_event(linear_model.LogisticRegression(), events, repeats=1) < 0.01
    True

    """
    return min(_once(model.clone(), events) for _ in range(repeats)) / len(events)


def _once(model: base.Classifier, events: Sequence[tuple]) -> float:
    return seconds_so_far(model, events, len(events), time.perf_counter)[-1]


def seconds_so_far(
    model: base.Classifier,
    events: Sequence[tuple],
    every: int,
    clock: Callable[[], float] = time.thread_time,
) -> list[float]:
    """The time `model` has taken to predict then learn the `events` so far, read on `clock`
    after every `every` events and after the last: the loop `seconds_per_event` times (thread
    CPU time by default, as MOA's `EvaluatePrequential` measures its own). The garbage of what
    came before (the events just made) is collected first: a full collection it would start
    during the loop costs a Python learner 3-4 us per event over a whole stream, and is not its
    work (`docs/benchmarks.md`).

    >>> from river import linear_model
    >>> from benchmarks.harness.cost import seconds_so_far
    >>> events = [({"a": float(i % 7)}, i % 7 == 0) for i in range(250)]
    >>> times = seconds_so_far(linear_model.LogisticRegression(), events, every=100)
    >>> len(times), times == sorted(times)
    (3, True)

    """
    decides = isinstance(model, OnlineImbalancedClassifier)
    marks = []
    gc.collect()
    start = clock()
    for i, (x, y, *_) in enumerate(events, 1):
        model.predict_proba_one(x)
        if decides:
            model.predict_one(x)
        model.learn_one(x, y)
        if not i % every:
            marks.append(clock() - start)
    if len(events) % every or not events:
        marks.append(clock() - start)
    return marks


def cost_ratios(
    streams: Sequence[BenchStream],
    seed: int = 1,
    strategies: Sequence[str] = COST_STRATEGIES,
    max_events: int = 10_000,
    repeats: int = 3,
) -> pd.DataFrame:
    """Per-event cost of `strategies` relative to `river-bare`, interleaved, on a few `streams`.

    Measured on the first `max_events` events of the streams named in `COST_STREAMS`, or of the
    first three streams when none is: `repeats` rounds, each timing every strategy once on a
    fresh model (ARF and MOA's learners, slow, only in the first round), each strategy's best
    round kept.

    Returns
    -------
    One row per stream: the bare learner's microseconds per event, each strategy's cost over
    the bare learner's, and, when `default` is measured, how many times faster than each other
    strategy the default is.

    """
    if any(STRATEGIES[name].family == MOA for name in strategies):
        os.environ.setdefault("CAPYMOA_JVM_ARGS", JVM_ARGS)
        with multiprocessing.Pool(1, maxtasksperchild=1) as pool:
            return pool.apply(_cost_ratios, (streams, seed, strategies, max_events, repeats))
    return _cost_ratios(streams, seed, strategies, max_events, repeats)


def _cost_ratios(streams, seed, strategies, max_events, repeats) -> pd.DataFrame:
    chosen = [s for s in streams if s.name in COST_STREAMS] or list(streams[:3])
    names = ["river-bare", *[name for name in strategies if name != "river-bare"]]
    rows = []
    for stream in chosen:
        events = stream.with_seed(seed).events()[:max_events]
        _once(build_strategy(names[-1], seed), events[:200])  # loads the code (and the JVM)
        best = dict.fromkeys(names, float("inf"))
        for round_ in range(repeats):
            for name in names:
                if round_ and (STRATEGIES[name].family == MOA or "arf" in name):
                    continue
                best[name] = min(best[name], _once(build_strategy(name, seed), events))
        bare = best["river-bare"] / len(events)
        row = {"stream": stream.name, "bare learner (us/event)": bare * 1e6}
        row |= {f"{name} / bare": best[name] / len(events) / bare for name in names[1:]}
        if "default" in best:
            row |= {
                f"default speed / {name} speed": best[name] / best["default"]
                for name in names[1:]
                if name != "default"
            }
        rows.append(row)
    return pd.DataFrame(rows)
