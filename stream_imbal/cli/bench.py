"""`stream-imbal bench`: every strategy on every stream of a suite, prequentially, in parallel."""

from __future__ import annotations

import importlib.metadata
import pathlib
import platform
import time

import click
import pandas as pd

from stream_imbal.bench import (
    COST_STRATEGIES,
    MOA,
    STRATEGIES,
    BenchResults,
    BenchStream,
    LabelledFile,
    available_cores,
    cost_ratios,
    load_suite,
    register_spec,
    resolve_strategies,
    run_bench,
    select_streams,
)
from stream_imbal.cli.run import choose_columns, feature_options
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import file_format
from stream_imbal.presets import ModelSpec


@click.command()
@click.option(
    "--suite",
    default="standard",
    show_default=True,
    help="tune (alias standard: the streams the default was tuned on), quick (tune, scenarios "
    "a quarter as long), report (held-out streams: the README's table), dev-tables (more KEEL "
    "tables to tune on), dev-wide (wide KEEL tables to tune on), or a TOML suite file of "
    "[[scenario]] tables.",
)
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
    help="Your own labelled CSV, Parquet or JSONL file, instead of a suite (needs --target).",
)
@click.option("--target", "--label-column", "target", help="With --data: the label column.")
@feature_options
@click.option(
    "--model",
    "models",
    multiple=True,
    help="Also run this model specification (a preset or a TOML model file; repeatable), "
    "named after it.",
)
@click.option("--streams", help="Comma-separated names of the suite's streams to run [all].")
@click.option("--strategies", help="Comma-separated strategy names [all]; see --list.")
@click.option(
    "--seed", default=1, show_default=True, help="Seed of the models and the built-in streams."
)
@click.option(
    "--seeds",
    "seeds_text",
    help="Several seeds, each regenerating the streams and seeding the models: a list "
    "(1,2,3) or a count (5 means 1..5). Overrides --seed.",
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
    data: pathlib.Path | None,
    target: str | None,
    features: tuple[str, ...],
    ignore: tuple[str, ...],
    missing: str,
    models: tuple[str, ...],
    streams: str | None,
    strategies: str | None,
    seed: int,
    seeds_text: str | None,
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
        seeds = _seeds(seeds_text) if seeds_text else [seed]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--seeds") from error
    if data is not None:
        if target is None:
            raise click.UsageError("--data needs --target, the column of the labels")
        chosen = _data_stream(data, target, features, ignore, missing)
        named = ",".join(chosen[0].source.features)
        suite = f"--data {data} --target {target} --feature {named}"
    else:
        try:
            chosen = load_suite(suite, seed=seeds[0])
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
        click.echo(skipped, err=True)
    try:
        names += [register_spec(ModelSpec.parse(model)) for model in models]
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--model") from error
    if not names:
        raise click.UsageError("no strategy left to run")

    jobs = jobs or available_cores()
    click.echo(
        f"{len(chosen)} streams x {len(names)} strategies x {len(seeds)} seeds, "
        f"{jobs} worker processes"
    )
    started = time.perf_counter()
    results = run_bench(chosen, names, seeds=seeds, jobs=jobs, progress=progress)
    wall = time.perf_counter() - started
    ratios = None
    if cost:
        timed = [name for name in COST_STRATEGIES if name in names or name == "default"]
        ratios = cost_ratios(chosen, seed=seeds[0], strategies=timed)
    command = _command(suite, streams, strategies, seeds, moa, cost, models)
    header = _header(results, suite, seeds, jobs, wall, command)
    results.save(out, header, _notes(names, skipped, ratios))
    shown = ["gmean", "gmean_windowed", "pr_auc", "recall_at_budget", "minority_recall"]
    summary = results.summary()[[*shown, "gmean_rank"]]
    click.echo(summary.round(3).to_string())
    click.echo(f"results written to {out}/ (results.md, results.csv, windows.csv, plots/)")


def _data_stream(
    data: pathlib.Path, target: str, features, ignore, missing: str
) -> list[BenchStream]:
    """The user's file as the benchmark's one stream, its missing values by the policy
    `missing`; says which columns are features and which class is the minority (True for every
    strategy)."""
    chosen = choose_columns(data, {target: "label"}, features, ignore)
    source = LabelledFile(str(data), target, tuple(chosen), missing)
    click.echo(f"{len(source):,} events; minority class {source.minority!r} (scored as True)")
    return [BenchStream(file_format(data).stem, source)]


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _seeds(text: str) -> list[int]:
    """`1,2,3` -> [1, 2, 3]; `5` -> [1, ..., 5]."""
    try:
        values = [int(part) for part in _names(text)]
    except ValueError:
        raise ValueError(f"seeds must be integers, got {text!r}") from None
    if len(values) == 1:
        if values[0] < 1:
            raise ValueError(f"a count of seeds must be >= 1, got {values[0]}")
        return list(range(1, values[0] + 1))
    if len(set(values)) != len(values):
        raise ValueError(f"repeated seeds in {text!r}")
    return values


def _list(streams) -> None:
    click.echo("strategies:")
    for name, strategy in STRATEGIES.items():
        click.echo(f"  {name:<20} {strategy.family:<6} {strategy.description}")
    click.echo("streams:")
    for stream in streams:
        click.echo(f"  {stream.name:<28} {len(stream):>7,} events")


def _command(suite, streams, strategies, seeds, moa, cost, models=()) -> str:
    many = f"--seeds {','.join(map(str, seeds))}"
    seed_option = f"--seed {seeds[0]}" if len(seeds) == 1 else many
    source = suite if str(suite).startswith("--data") else f"--suite {suite}"
    parts = ["stream-imbal bench", source, seed_option]
    parts += [f"--streams {streams}"] if streams else []
    parts += [f"--strategies {strategies}"] if strategies else []
    parts += [] if moa else ["--no-moa"]
    parts += ["--cost"] if cost else []
    parts += [f"--model {model}" for model in models]
    return " ".join(parts)


def _header(results: BenchResults, suite, seeds, jobs, wall: float, command: str) -> list[str]:
    versions = ", ".join(
        f"{package} {_version(package)}"
        for package in ("stream-imbal", "river", "capymoa")
        if _version(package)
    )
    return [
        "# Benchmark",
        f"{platform.machine()}, {available_cores()} cores ({jobs} worker processes), "
        f"{time.strftime('%Y-%m-%d')}, suite `{suite}`{_suite_role(suite)}, "
        f"seed(s) {', '.join(map(str, seeds))}; {versions}; "
        f"wall time {_duration(wall)}.",
        f"Reproduce with `{command}`: every score is the same on every run; events/s and peak "
        "memory are measurements. Per (stream, strategy): `results.csv`; windowed G-mean over "
        "time: `plots/<stream>.png` (data in `windows.csv`).",
    ]


def _suite_role(suite) -> str:
    roles = {
        "report": " (held-out streams, never used to choose the default's settings)",
        "tune": " (the streams the default's settings were chosen on)",
        "standard": " (= tune: the streams the default's settings were chosen on)",
        "quick": " (the tune streams, cut short)",
        "dev-tables": " (KEEL tables to tune on, in neither the tune nor the report suite)",
        "dev-wide": " (wide KEEL tables to tune on, in neither the tune nor the report suite)",
    }
    return roles.get(str(suite), "")


def _notes(names: list[str], skipped: str | None, ratios: pd.DataFrame | None) -> list[str]:
    legend = pd.DataFrame(
        [(name, STRATEGIES[name].family, STRATEGIES[name].description) for name in names],
        columns=["strategy", "family", "what it is"],
    )
    notes = ["## Strategies", legend.to_markdown(index=False)]
    if any(STRATEGIES[name].family == MOA for name in names):
        notes.append(
            "MOA's learners run through CapyMOA: AdaptiveRandomForest with 10 trees, the "
            "imbalance learners with their own defaults but for the base learner (a Hoeffding "
            "tree) and the ensemble size (10); they predict MOA's argmax, without threshold "
            "tuning, and take True as the positive class (index 1)."
        )
    if skipped:
        notes.append(f"{skipped}.")
    if ratios is not None:
        notes += [
            "## Per-event cost (serial, interleaved, first 10,000 events, relative to "
            "`river-bare`)",
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
