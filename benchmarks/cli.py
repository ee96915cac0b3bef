"""Benchmark of the command line as a user runs it: `replay` against `evaluate`, and start-up.

Measured in one run, each command a fresh process, interleaved (a round runs every command
once; each keeps its best round, so a change of machine load hits all of them alike):

  - `stream-imbal evaluate FILE --target label` and `stream-imbal replay FILE` (labels carried
    by the rows: no delay) on the same generated CSV file, for each model preset: wall and
    user-CPU seconds, and the ratio replay / evaluate;
  - `stream-imbal --help`, and `stream-imbal simulate --events 100` (its start-up overhead:
    the run itself is a few milliseconds).

    python benchmarks/cli.py                     # 100k rows x 10 features, 3 rounds
    python benchmarks/cli.py --rows 20000 --rounds 5 --models linear
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def make_file(path: pathlib.Path, rows: int, seed: int = 0) -> None:
    """A CSV of `rows` events: id, ts, 10 Gaussian features, a label at about 1.7%."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, 10))
    noise = rng.normal(size=rows) * 0.5
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(10)])
    frame.insert(0, "id", [f"e{i}" for i in range(rows)])
    frame.insert(1, "ts", np.arange(rows, dtype=float))
    frame["label"] = (values[:, 0] + 0.5 * values[:, 1] + noise > 2.6).astype(int)
    frame.to_csv(path, index=False)


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, user + system CPU) seconds of one run of `command` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", default="linear,default", help="comma-separated presets")
    args = parser.parse_args()
    cli = [sys.executable, "-c", "from stream_imbal.cli import main; main()"]
    with tempfile.TemporaryDirectory() as work:
        file = pathlib.Path(work) / "events.csv"
        make_file(file, args.rows)
        out = ["--out", str(pathlib.Path(work) / "run"), "--no-progress"]
        commands = {"--help": [*cli, "--help"]}
        commands["simulate --events 100"] = [*cli, "simulate", "--events", "100", *out]
        for model in args.models.split(","):
            spec = ["--model", model]
            commands[f"evaluate {model}"] = [*cli, "evaluate", str(file), "--target", "label"]
            commands[f"evaluate {model}"] += [*spec, *out]
            commands[f"replay {model}"] = [*cli, "replay", str(file), *spec, *out]
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for name, command in commands.items():
                wall, cpu = timed(command)
                old = best.get(name, (float("inf"),) * 2)
                best[name] = (min(old[0], wall), min(old[1], cpu))
    print(f"# CLI benchmark: {args.rows:,} rows x 10 features, best of {args.rounds} rounds")
    print(f"# {platform.python_version()}, {os.cpu_count()} cores, {platform.platform()}\n")
    print("| command | wall (s) | CPU (s) |\n|:--|--:|--:|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print("\n| model | replay / evaluate, wall | replay / evaluate, CPU |\n|:--|--:|--:|")
    for model in args.models.split(","):
        (rw, rc), (ew, ec) = best[f"replay {model}"], best[f"evaluate {model}"]
        print(f"| {model} | {rw / ew:.2f} | {rc / ec:.2f} |")


if __name__ == "__main__":
    main()
