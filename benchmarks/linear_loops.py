"""The `linear` preset's cost over the bare logistic regression it wraps, in two loops.

  - model only: the events are generated first, then each strategy predicts and learns each
    one (`stream_imbal.bench.cost_ratios`'s loop): the ratio of the models' own costs;
  - river's loop: `river.evaluate.progressive_val_score` on a river generator, with a river
    metric, as a harness outside this repository runs a learner: the stream's generation, the
    metric and the loop are paid per event by both, and dilute the ratio.

Strategies are interleaved, `--rounds` rounds, each one's best kept.

    python benchmarks/linear_loops.py --events 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import itertools
import time

from river import datasets, evaluate, metrics
from river.datasets import synth

from stream_imbal.bench.strategies import build_strategy

STRATEGIES = ("river-bare", "linear")


def stream(name: str, n: int) -> datasets.base.Dataset:
    if name == "sea":
        return itertools.islice(synth.SEA(variant=0, seed=1), n)
    return itertools.islice(synth.Agrawal(classification_function=2, seed=1), n)


def model_only(name: str, n: int, strategy: str) -> float:
    events = list(stream(name, n))
    model = build_strategy(strategy, 1)
    started = time.perf_counter()
    for x, y in events:
        model.predict_proba_one(x)
        model.learn_one(x, y)
    return time.perf_counter() - started


def river_loop(name: str, n: int, strategy: str) -> float:
    model = build_strategy(strategy, 1)
    started = time.perf_counter()
    evaluate.progressive_val_score(stream(name, n), model, metrics.GeometricMean())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| stream | loop | bare (us/event) | linear (us/event) | linear / bare |")
    print("|---|---|---:|---:|---:|")
    for name in ("sea", "agrawal"):
        for label, loop in (
            ("model only", model_only),
            ("river's progressive_val_score", river_loop),
        ):
            best = dict.fromkeys(STRATEGIES, float("inf"))
            for _ in range(args.rounds):
                for strategy in STRATEGIES:
                    best[strategy] = min(best[strategy], loop(name, args.events, strategy))
            bare, linear = (best[s] / args.events * 1e6 for s in STRATEGIES)
            print(f"| {name} | {label} | {bare:.1f} | {linear:.1f} | {linear / bare:.2f} |")


if __name__ == "__main__":
    main()
