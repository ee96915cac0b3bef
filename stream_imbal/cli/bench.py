"""`stream-imbal bench`: every strategy on every stream of a suite, prequentially, in parallel."""

from __future__ import annotations

import importlib.metadata
import pathlib
import platform
import time

import click
import pandas as pd

from stream_imbal.bench import (
    MOA,
    STRATEGIES,
    SUITES,
    BenchResults,
    available_cores,
    cost_ratios,
    load_suite,
    resolve_strategies,
    run_bench,
    select_streams,
)
from stream_imbal.exceptions import ConfigError


@click.command()
@click.option(
    "--suite",
    default="standard",
    show_default=True,
    help=f"{' or '.join(SUITES)} (the same streams, scenarios a quarter as long), "
    "or a TOML suite file of [[scenario]] tables.",
)
@click.option("--streams", help="Comma-separated names of the suite's streams to run [all].")
@click.option("--strategies", help="Comma-separated strategy names [all]; see --list.")
@click.option(
    "--seed", default=1, show_default=True, help="Seed of the models and the built-in streams."
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [all cores].")
@click.option(
    "--out",
    default=pathlib.Path("runs/bench"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Directory for results.csv, results.md, windows.csv and plots/.",
)
@click.option(
    "--moa/--no-moa",
    default=True,
    show_default=True,
    help="Include MOA's imbalance learners (needs stream-imbal[moa] and Java).",
)
@click.option(
    "--cost/--no-cost",
    default=False,
    show_default=True,
    help="Also measure, serially, the per-event cost relative to the bare learner.",
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.option(
    "--list", "show_list", is_flag=True, help="List the strategies and streams, and exit."
)
def bench(
    suite: str,
    streams: str | None,
    strategies: str | None,
    seed: int,
    jobs: int | None,
    out: pathlib.Path,
    moa: bool,
    cost: bool,
    progress: bool,
    show_list: bool,
) -> None:
    """Benchmark strategies prequentially on the same streams; write tables and plots to OUT.

    Reports per (stream, strategy) G-mean, windowed G-mean, minority recall, precision and F1,
    PR-AUC, kappa, events/s and peak memory, and each strategy's mean G-mean rank.
    """
    try:
        chosen = load_suite(suite, seed=seed)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--suite") from error
    if show_list:
        _list(chosen)
        return
    try:
        if streams:
            chosen = select_streams(chosen, _names(streams))
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--streams") from error
    try:
        names, skipped = resolve_strategies(_names(strategies) if strategies else None, moa=moa)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--strategies") from error
    if skipped:
        click.echo(f"MOA: {skipped}", err=True)
    if not names:
        raise click.UsageError("no strategy left to run")

    jobs = jobs or available_cores()
    click.echo(f"{len(chosen)} streams x {len(names)} strategies, {jobs} worker processes")
    started = time.perf_counter()
    results = run_bench(chosen, names, seed=seed, jobs=jobs, progress=progress)
    wall = time.perf_counter() - started
    ratios = cost_ratios(chosen, seed=seed) if cost else None
    command = _command(suite, streams, strategies, seed, moa, cost)
    header = _header(results, suite, seed, jobs, wall, command)
    results.save(out, header, _notes(names, skipped, ratios))
    summary = results.summary()[["gmean", "gmean_windowed", "minority_recall", "gmean_rank"]]
    click.echo(summary.round(3).to_string())
    click.echo(f"results written to {out}/ (results.md, results.csv, windows.csv, plots/)")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _list(streams) -> None:
    click.echo("strategies:")
    for name, strategy in STRATEGIES.items():
        click.echo(f"  {name:<20} {strategy.family:<6} {strategy.description}")
    click.echo("streams:")
    for stream in streams:
        click.echo(f"  {stream.name:<28} {len(stream):>7,} events")


def _command(suite, streams, strategies, seed, moa, cost) -> str:
    parts = ["stream-imbal bench", f"--suite {suite}", f"--seed {seed}"]
    parts += [f"--streams {streams}"] if streams else []
    parts += [f"--strategies {strategies}"] if strategies else []
    parts += [] if moa else ["--no-moa"]
    parts += ["--cost"] if cost else []
    return " ".join(parts)


def _header(results: BenchResults, suite, seed, jobs, wall: float, command: str) -> list[str]:
    versions = ", ".join(
        f"{package} {_version(package)}"
        for package in ("stream-imbal", "river", "capymoa")
        if _version(package)
    )
    return [
        "# Benchmark",
        f"{platform.machine()}, {available_cores()} cores ({jobs} worker processes), "
        f"{time.strftime('%Y-%m-%d')}, suite `{suite}`, seed {seed}; {versions}; "
        f"wall time {_duration(wall)}.",
        f"Reproduce with `{command}`: every score is the same on every run; events/s and peak "
        "memory are measurements. Per (stream, strategy): `results.csv`; windowed G-mean over "
        "time: `plots/<stream>.png` (data in `windows.csv`).",
    ]


def _notes(names: list[str], skipped: str | None, ratios: pd.DataFrame | None) -> list[str]:
    legend = pd.DataFrame(
        [(name, STRATEGIES[name].family, STRATEGIES[name].description) for name in names],
        columns=["strategy", "family", "what it is"],
    )
    notes = ["## Strategies", legend.to_markdown(index=False)]
    if any(STRATEGIES[name].family == MOA for name in names):
        notes.append(
            "MOA's learners run through CapyMOA with their own defaults but for the base "
            "learner (a Hoeffding tree) and the ensemble size (10); they predict MOA's "
            "argmax, without threshold tuning, and take True as the positive class (index 1)."
        )
    if skipped:
        notes.append(f"MOA: {skipped}.")
    if ratios is not None:
        notes += [
            "## Per-event cost (serial, first 10,000 events, relative to `river-bare`)",
            ratios.to_markdown(index=False, floatfmt=".2f"),
        ]
    return notes


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
