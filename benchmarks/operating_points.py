"""What each threshold objective and warm-up does to the alerts an operator must work.

Each stream is an imbalanced stream of a river generator whose minority share is multiplied
by `--shift` half-way (a prior shift), with labels inline. The model is scored through the one
online core (`ScoreThenLearn`), as replay and the service score it; per run it reports the
G-mean, the minority recall and precision, the false-positive rate, the share of events flagged
overall, in the first 20,000 events (the early flood) and its lowest and highest share over the
5,000-event windows after the first 10,000 (an alert budget must hold there).

    python benchmarks/operating_points.py                        # every objective, 3 seeds
    python benchmarks/operating_points.py --models alert_rate --events 60000
    python benchmarks/operating_points.py --warm-up 1 5 10 20   # the warm-up, gmean
"""

from __future__ import annotations

import argparse
import math
import pathlib
import statistics
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stream_imbal.online import SCORED, Event, ScoreThenLearn  # noqa: E402
from stream_imbal.presets import ModelSpec  # noqa: E402
from stream_imbal.simulation import Concept, PriorSchedule, Scenario  # noqa: E402

#: Name -> (generator, params): streams of every kind of concept, none of them the suites'.
STREAMS = {
    "hyperplane-30": ("Hyperplane", {"n_features": 30, "noise_percentage": 0.02}),
    "rbf-20": ("RandomRBF", {"n_features": 20, "n_centroids": 30}),
    "agrawal-3": ("Agrawal", {"classification_function": 3}),
}
#: Name -> the [model] keys of the objective.
MODELS = {
    "gmean": {},
    "alert_rate": {"threshold": "alert_rate", "alert_rate": 0.01},
    "precision": {"threshold": "precision", "min_precision": 0.3},
    "recall": {"threshold": "recall", "min_recall": 0.7},
    "cost": {"threshold": "cost", "cost_fn": 100.0, "cost_fp": 1.0},
    "fbeta": {"threshold": "fbeta", "beta": 2.0},
}
WINDOW, SKIP, EARLY = 5000, 10_000, 20_000


def stream(name: str, seed: int, n: int, share: float, shift: float) -> Scenario:
    generator, params = STREAMS[name]
    return Scenario(
        concepts=[Concept(generator, params)],
        minority=PriorSchedule([(0, share, "step"), (n // 2, share * shift, "step")]),
        n_events=n,
        seed=seed,
    )


def run(spec: ModelSpec, events: Scenario, seed: int) -> dict[str, float]:
    core = ScoreThenLearn(spec.build(seed))
    flags: list[bool] = []
    tp = fp = fn = tn = 0
    for i, (x, y) in enumerate(events):
        prediction = core.on_event(Event(i, float(i), x, label=y)).prediction
        flagged = prediction.status == SCORED and prediction.decision is True
        flags.append(flagged)
        # Every event counts: a model that abstains raises no alarm (as `prequential` scores it).
        tp, fp = tp + (flagged and y), fp + (flagged and not y)
        fn, tn = fn + (not flagged and y), tn + (not flagged and not y)
    windows = [
        sum(flags[start : start + WINDOW]) / WINDOW
        for start in range(SKIP, len(flags) - WINDOW + 1, WINDOW)
    ]
    recall, fpr = tp / max(tp + fn, 1), fp / max(fp + tn, 1)
    return {
        "gmean": math.sqrt(recall * (1 - fpr)),
        "recall": recall,
        "precision": tp / max(tp + fp, 1),
        "fpr": fpr,
        "flagged": sum(flags) / len(flags),
        "early": sum(flags[:EARLY]) / EARLY,
        "window_min": min(windows),
        "window_max": max(windows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", nargs="+", default=list(STREAMS), choices=list(STREAMS))
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--warm-up", nargs="+", type=int, default=[0])
    parser.add_argument("--preset", default="default")
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--share", type=float, default=0.003)
    parser.add_argument("--shift", type=float, default=4.0)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    args = parser.parse_args()
    keys = ["gmean", "recall", "precision", "fpr", "flagged", "early", "window_min", "window_max"]
    print("| stream | model | warm_up | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 3) + "|")
    for name in args.streams:
        for model in args.models:
            for warm_up in args.warm_up:
                spec = ModelSpec.parse({"preset": args.preset, **MODELS[model], "warm_up": warm_up})
                runs = [
                    run(spec, stream(name, seed, args.events, args.share, args.shift), seed)
                    for seed in args.seeds
                ]
                cells = []
                for key in keys:
                    values = [r[key] for r in runs]
                    spread = statistics.pstdev(values)
                    if key == "window_min":
                        cells.append(f"{min(values):.2%}")
                    elif key == "window_max":
                        cells.append(f"{max(values):.2%}")
                    elif key in ("flagged", "early", "fpr"):
                        cells.append(f"{statistics.mean(values):.2%} ± {spread:.2%}")
                    else:
                        cells.append(f"{statistics.mean(values):.3f} ± {spread:.3f}")
                row = f"| {name} | {model} | {warm_up or 'default'} | " + " | ".join(cells) + " |"
                print(row, flush=True)


if __name__ == "__main__":
    main()
