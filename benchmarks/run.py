"""Benchmark: stream-imbal's default and each strategy against river's baselines.

Every (stream, strategy) pair is evaluated prequentially (test-then-train) on the same events:
synthetic scenarios mixing concept drift and prior shift at 1:50 to 1:500, and real KEEL
tables. The report gives G-mean, minority recall, PR-AUC and events/s per pair, the mean over
streams, and, measured in one serial run, the per-event cost of the default and of the
ensemble relative to the bare base learner and to river's ARF.

    python benchmarks/run.py                 # full run, results in benchmarks/results/
    python benchmarks/run.py --quick         # a smaller smoke run

"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import pathlib
import platform
import time

import pandas as pd
from river import forest, imblearn, linear_model, preprocessing
from tqdm import tqdm

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.balancing import (
    ClassWeights,
    NoBalancing,
    OnlineSMOTE,
    Resample,
    Reweight,
    ReweightResample,
)
from stream_imbal.datasets import KeelTable
from stream_imbal.ensemble import OOBClassifier, UOBClassifier
from stream_imbal.evaluate import prequential
from stream_imbal.simulation import get_scenario

SCENARIOS = (
    "sea-abrupt",
    "agrawal-gradual",
    "hyperplane-incremental",
    "rbf-prior-shift",
    "sine-abrupt-prior",
    "stagger-abrupt",
    "prior-shift",
    "mixed-500",
)
KEEL = ("abalone19", "shuttle-2_vs_5", "kddcup-rootkit-imap_vs_back", "yeast6")
BALANCED = {False: 0.5, True: 0.5}


def linear() -> preprocessing.StandardScaler:
    return preprocessing.StandardScaler() | linear_model.LogisticRegression()


def ours(seed: int, **parts) -> OnlineImbalancedClassifier:
    return OnlineImbalancedClassifier(seed=seed, **parts)


STRATEGIES = {
    "default": lambda s: OnlineImbalancedClassifier(seed=s),
    "reweight-inverse": lambda s: ours(s, balancing=Reweight()),
    "reweight-sqrt": lambda s: ours(s, balancing=Reweight(ClassWeights("sqrt_inverse"))),
    "reweight-effnum": lambda s: ours(s, balancing=Reweight(ClassWeights("effective_number"))),
    "resample-over": lambda s: ours(s, balancing=Resample("over")),
    "resample-under": lambda s: ours(s, balancing=Resample("under")),
    "resample-balanced": lambda s: ours(s, balancing=Resample("balanced")),
    "reweight+resample": lambda s: ours(s, balancing=ReweightResample()),
    "online-smote": lambda s: ours(s, balancing=OnlineSMOTE()),
    "ours-oob10": lambda s: ours(
        s, learner=OOBClassifier(linear(), n_models=10, seed=s), balancing=NoBalancing()
    ),
    "ours-uob10": lambda s: ours(
        s, learner=UOBClassifier(linear(), n_models=10, seed=s), balancing=NoBalancing()
    ),
    "oob10": lambda s: OOBClassifier(linear(), n_models=10, seed=s),
    "uob10": lambda s: UOBClassifier(linear(), n_models=10, seed=s),
    "river-bare": lambda s: linear(),
    "river-ros": lambda s: imblearn.RandomOverSampler(linear(), desired_dist=BALANCED, seed=s),
    "river-rus": lambda s: imblearn.RandomUnderSampler(linear(), desired_dist=BALANCED, seed=s),
    "river-rs": lambda s: imblearn.RandomSampler(
        linear(), desired_dist=BALANCED, sampling_rate=0.1, seed=s
    ),
    "river-arf10": lambda s: forest.ARFClassifier(n_models=10, seed=s),
}


def load_stream(name: str, seed: int, quick: bool) -> list:
    if name in KEEL:
        return [(x, y, None) for x, y in KeelTable(name, seed=seed)]
    scenario = get_scenario(name, seed=seed)
    events = list(scenario.iter_truth())
    return events[: len(events) // 4] if quick else events


def run_one(job: tuple[str, str], seed: int, quick: bool) -> dict:
    stream_name, strategy = job
    events = load_stream(stream_name, seed, quick)
    model = STRATEGIES[strategy](seed)
    window = 500 if stream_name in KEEL else 1000
    summary = prequential(model, events, window_size=window).summary
    return {
        "stream": stream_name,
        "strategy": strategy,
        "gmean": summary["gmean"],
        "gmean_windowed": summary["gmean_windowed"],
        "minority_recall": summary["minority_recall"],
        "minority_precision": summary["minority_precision"],
        "pr_auc": summary["pr_auc"],
        "events_per_s": summary["events_per_s"],
    }


def seconds_per_event(model, events: list, repeats: int = 3) -> float:
    """Best-of-`repeats` cost of predict (score and decision) then learn, per event."""
    best = float("inf")
    decides = isinstance(model, OnlineImbalancedClassifier)
    for _ in range(repeats):
        fresh = model.clone()
        start = time.perf_counter()
        for x, y, _ in events:
            fresh.predict_proba_one(x)
            if decides:
                fresh.predict_one(x)
            fresh.learn_one(x, y)
        best = min(best, time.perf_counter() - start)
    return best / len(events)


def cost_ratios(seed: int, quick: bool) -> pd.DataFrame:
    """Per-event cost relative to the bare learner, serial, on a few streams."""
    rows = []
    for name in ("sea-abrupt", "hyperplane-incremental", "abalone19"):
        events = load_stream(name, seed, quick=True)
        bare = seconds_per_event(linear(), events)
        row = {"stream": name, "bare learner (us/event)": bare * 1e6}
        for label in ("default", "ours-oob10", "river-arf10"):
            cost = seconds_per_event(STRATEGIES[label](seed), events, 1 if "arf" in label else 3)
            row[f"{label} / bare"] = cost / bare
        row["default speed / ARF speed"] = row["river-arf10 / bare"] / row["default / bare"]
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--quick", action="store_true", help="a quarter of each scenario")
    parser.add_argument("--strategies", nargs="*", default=list(STRATEGIES))
    parser.add_argument("--no-cost", action="store_true", help="skip the serial cost run")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("benchmarks/results"))
    args = parser.parse_args()

    jobs = [(s, k) for s in SCENARIOS + KEEL for k in args.strategies]
    work = functools.partial(run_one, seed=args.seed, quick=args.quick)
    with multiprocessing.Pool(args.jobs) as pool:
        rows = list(tqdm(pool.imap_unordered(work, jobs), total=len(jobs), desc="benchmark"))
    results = pd.DataFrame(rows).sort_values(["stream", "strategy"])
    args.out.mkdir(parents=True, exist_ok=True)
    results.to_csv(args.out / "results.csv", index=False)

    means = results.groupby("strategy")[["gmean", "minority_recall", "pr_auc", "events_per_s"]]
    table = means.mean().sort_values("gmean", ascending=False)
    table["gmean rank (mean)"] = (
        results.pivot(index="stream", columns="strategy", values="gmean")
        .rank(axis=1, ascending=False)
        .mean()
    )
    ratios = cost_ratios(args.seed, args.quick) if not args.no_cost else pd.DataFrame()
    per_stream = results.pivot(index="stream", columns="strategy", values="gmean")
    report = "\n\n".join(
        [
            f"# Benchmark ({platform.machine()}, {multiprocessing.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d')}, seed {args.seed}{', quick' if args.quick else ''})",
            "## Mean over streams\n\n" + table.round(3).to_markdown(),
            "## G-mean per stream\n\n" + per_stream[table.index].round(3).to_markdown(),
            "## Per-event cost (serial run)\n\n" + ratios.round(2).to_markdown(index=False),
        ]
    )
    (args.out / "results.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
