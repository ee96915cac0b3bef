"""The per-event cost of a strategy relative to the bare learner, measured serially.

The parallel benchmark's events/s depend on what else runs on the machine; this measures, one
model at a time and best of a few repeats, the cost of predicting (score and decision) then
learning one event, relative to `river-bare`, the standardised logistic regression the linear
strategies are built around.

"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
from river import base

from stream_imbal.bench.strategies import build_strategy
from stream_imbal.bench.suite import BenchStream
from stream_imbal.classifier import OnlineImbalancedClassifier

__all__ = ["COST_STRATEGIES", "COST_STREAMS", "cost_ratios", "seconds_per_event"]

#: Compared with the bare learner: the default, our OOB ensemble and river's ARF.
COST_STRATEGIES = ("default", "ours-oob10", "river-arf10")
#: The streams measured when the suite has them: 3, 10 and 8 features.
COST_STREAMS = ("sea-abrupt", "hyperplane-incremental", "abalone19")


def seconds_per_event(model: base.Classifier, events: Sequence[tuple], repeats: int = 3) -> float:
    """Best-of-`repeats` cost of predicting then learning one event, on fresh clones of `model`.

    The decision (`predict_one`) is paid for only where it is not the argmax of the scores, as
    in `stream_imbal.evaluate.prequential`.

    Examples
    --------
    >>> from river import linear_model
    >>> from stream_imbal.bench import seconds_per_event
    >>> events = [({"a": float(i % 7)}, i % 7 == 0) for i in range(200)]
    >>> 0 < seconds_per_event(linear_model.LogisticRegression(), events, repeats=1) < 0.01
    True

    """
    decides = isinstance(model, OnlineImbalancedClassifier)
    best = float("inf")
    for _ in range(repeats):
        fresh = model.clone()
        start = time.perf_counter()
        for x, y, *_ in events:
            fresh.predict_proba_one(x)
            if decides:
                fresh.predict_one(x)
            fresh.learn_one(x, y)
        best = min(best, time.perf_counter() - start)
    return best / len(events)


def cost_ratios(
    streams: Sequence[BenchStream],
    seed: int = 1,
    strategies: Sequence[str] = COST_STRATEGIES,
    max_events: int = 10_000,
) -> pd.DataFrame:
    """Per-event cost of `strategies` relative to `river-bare`, on a few of `streams`.

    Measured on the first `max_events` events of the streams named in `COST_STREAMS`, or of the
    first three streams when none is. ARF is timed once, the others best of three.

    Returns
    -------
    One row per stream: the bare learner's microseconds per event, each strategy's cost over
    the bare learner's, and how many times faster than ARF the default is (when both ran).

    """
    chosen = [s for s in streams if s.name in COST_STREAMS] or list(streams[:3])
    rows = []
    for stream in chosen:
        events = stream.events()[:max_events]
        bare = seconds_per_event(build_strategy("river-bare", seed), events)
        row = {"stream": stream.name, "bare learner (us/event)": bare * 1e6}
        for name in strategies:
            repeats = 1 if "arf" in name else 3
            cost = seconds_per_event(build_strategy(name, seed), events, repeats)
            row[f"{name} / bare"] = cost / bare
        if {"default", "river-arf10"} <= set(strategies):
            row["default speed / ARF speed"] = row["river-arf10 / bare"] / row["default / bare"]
        rows.append(row)
    return pd.DataFrame(rows)
