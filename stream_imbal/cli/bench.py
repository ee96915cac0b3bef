"""`stream-imbal bench`: every strategy on every stream, prequentially, in parallel.

The streams are the user's labelled file (`--data`) or the scenarios of a TOML suite file
(`--suite`), the strategies this library's and river's (`stream_imbal.bench.STRATEGIES`). The
research benchmarks, `python benchmarks/bench.py` in the repository, are this command with the
tune and report suites, MOA's and scikit-learn's strategies and cost measurements: they share
its options (`bench_options`) and its run (`run_command`), adding theirs through a `Harness`.

The library (river, pandas) is imported when the command runs, not for its `--help`.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import pathlib
import platform
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import click

from stream_imbal.cli.run import choose_columns, feature_options
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import file_format

if TYPE_CHECKING:
    from stream_imbal.bench import BenchResults, BenchStream


def _load_suite_file(suite: str, seed: int) -> list[BenchStream]:
    from stream_imbal.bench import load_suite_file

    return load_suite_file(suite)  # a file's scenarios keep their own seeds


@dataclasses.dataclass(frozen=True)
class Harness:
    """What a benchmark command adds to the run `stream-imbal bench` shares with it.

    Attributes
    ----------
    program
        The command, as the reports' line to reproduce a run starts.
    load
        (`--suite` value, first seed) -> the suite's streams.
    keep
        Whether a strategy name stays among those to run (e.g. MOA's, unless `--no-moa`).
    flags
        The command's own options, as given, for the line to reproduce the run.
    notes
        (strategies run, streams, seeds) -> more sections of `results.md`, after the legend.
    roles
        Suite name -> what it is, for the report's header.
    packages
        The packages whose versions the report's header gives, when installed.

    """

    program: str = "stream-imbal bench"
    load: Callable[[str, int], list[BenchStream]] = _load_suite_file
    keep: Callable[[str], bool] = lambda name: True
    flags: tuple[str, ...] = ()
    notes: Callable[[list[str], list[BenchStream], list[int]], list[str]] = lambda *_: []
    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    packages: tuple[str, ...] = ("stream-imbal", "river")


_OPTIONS = (
    click.option(
        "--data",
        type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
        help="Your own labelled CSV, Parquet or JSONL file, instead of a suite (needs --target).",
    ),
    click.option("--target", "--label-column", "target", help="With --data: the label column."),
    feature_options,
    click.option(
        "--model",
        "models",
        multiple=True,
        help="Also run this model specification (a preset or a TOML model file; repeatable), "
        "named after it.",
    ),
    click.option("--streams", help="Comma-separated names of the suite's streams to run [all]."),
    click.option("--strategies", help="Comma-separated strategy names [all]; see --list."),
    click.option(
        "--seed", default=1, show_default=True, help="Seed of the models and the built-in streams."
    ),
    click.option(
        "--seeds",
        "seeds_text",
        help="Several seeds, each regenerating the streams and seeding the models: a list "
        "(1,2,3) or a count (5 means 1..5). Overrides --seed.",
    ),
    click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [all cores]."),
    click.option(
        "--out",
        default=pathlib.Path("runs/bench"),
        show_default=True,
        type=click.Path(file_okay=False, path_type=pathlib.Path),
        help="Directory for results.csv, results.md, windows.csv and plots/.",
    ),
    click.option("--progress/--no-progress", default=True, show_default=True),
    click.option(
        "--list", "show_list", is_flag=True, help="List the strategies and streams, and exit."
    ),
)


def bench_options(command):
    """The options of every benchmark command but `--suite`: the data, the models, the streams
    and strategies to run, the seeds, the workers, the output."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


@click.command()
@click.option(
    "--suite",
    help="A TOML suite file of [[scenario]] tables (as `stream-imbal simulate` reads), instead "
    "of --data.",
)
@bench_options
def bench(suite: str | None, **options) -> None:
    """Benchmark strategies prequentially on the same streams; write tables and plots to OUT.

    Reports per (stream, strategy) G-mean, windowed G-mean, minority recall, precision and F1,
    PR-AUC, kappa, events/s and peak memory, and each strategy's mean G-mean rank. The streams
    are your labelled file (--data, --target) or a suite file (--suite); the strategies, this
    library's and river's. The research suites, MOA's and scikit-learn's strategies: `python
    benchmarks/bench.py` in the repository.
    """
    if options["data"] is None and suite is None:
        raise click.UsageError("give --data FILE (with --target) or --suite FILE.toml")
    run_command(options, suite)


def run_command(options: dict, suite: str | None, harness: Harness = Harness()) -> None:
    """Run a benchmark command: `bench_options`' values, `--suite`'s, and what `harness` adds."""
    from stream_imbal.bench import (
        available_cores,
        register_spec,
        resolve_strategies,
        run_bench,
        select_streams,
    )
    from stream_imbal.presets import ModelSpec

    seeds_text, seed, data = options["seeds_text"], options["seed"], options["data"]
    streams, strategies, models = options["streams"], options["strategies"], options["models"]
    try:
        seeds = _seeds(seeds_text) if seeds_text else [seed]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--seeds") from error
    if data is not None:
        if options["target"] is None:
            raise click.UsageError("--data needs --target, the column of the labels")
        chosen = _data_stream(data, options)
        named = ",".join(chosen[0].source.features)
        source = f"--data {data} --target {options['target']} --feature {named}"
    else:
        try:
            chosen = harness.load(suite, seeds[0])
        except ConfigError as error:
            raise click.BadParameter(str(error), param_hint="--suite") from error
        source = f"--suite {suite}"
    if options["show_list"]:
        _list(chosen, harness.keep)
        return
    try:
        if streams:
            chosen = select_streams(chosen, _names(streams))
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--streams") from error
    try:
        names, skipped = resolve_strategies(_names(strategies) if strategies else None)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--strategies") from error
    names = [name for name in names if harness.keep(name)]
    if skipped:
        click.echo(skipped, err=True)
    try:
        names += [register_spec(ModelSpec.parse(model)) for model in models]
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--model") from error
    if not names:
        raise click.UsageError("no strategy left to run")

    jobs = options["jobs"] or available_cores()
    click.echo(
        f"{len(chosen)} streams x {len(names)} strategies x {len(seeds)} seeds, "
        f"{jobs} worker processes"
    )
    started = time.perf_counter()
    results = run_bench(chosen, names, seeds=seeds, jobs=jobs, progress=options["progress"])
    wall = time.perf_counter() - started
    command = _command(harness, source, streams, strategies, seeds, models)
    about = f"{source.split()[0][2:]} `{suite or data}`{_role(harness, suite)}"
    header = _header(results, about, seeds, jobs, wall, command, harness.packages)
    notes = _notes(names, skipped) + harness.notes(names, chosen, seeds)
    out = options["out"]
    results.save(out, header, notes)
    shown = ["gmean", "gmean_windowed", "pr_auc", "recall_at_budget", "minority_recall"]
    summary = results.summary()[[*shown, "gmean_rank"]]
    click.echo(summary.round(3).to_string())
    click.echo(f"results written to {out}/ (results.md, results.csv, windows.csv, plots/)")


def _data_stream(data: pathlib.Path, options: dict) -> list[BenchStream]:
    """The user's file as the benchmark's one stream, its missing values by the policy
    `--missing`; says which columns are features and which class is the minority (True for
    every strategy)."""
    from stream_imbal.bench import BenchStream, LabelledFile

    target = options["target"]
    chosen = choose_columns(data, {target: "label"}, options["features"], options["ignore"])
    source = LabelledFile(str(data), target, tuple(chosen), options["missing"])
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


def _list(streams, keep: Callable[[str], bool]) -> None:
    from stream_imbal.bench import STRATEGIES

    click.echo("strategies:")
    for name, strategy in STRATEGIES.items():
        if keep(name):
            click.echo(f"  {name:<20} {strategy.family:<6} {strategy.description}")
    click.echo("streams:")
    for stream in streams:
        click.echo(f"  {stream.name:<28} {len(stream):>7,} events")


def _command(harness: Harness, source: str, streams, strategies, seeds, models) -> str:
    many = f"--seeds {','.join(map(str, seeds))}"
    seed_option = f"--seed {seeds[0]}" if len(seeds) == 1 else many
    parts = [harness.program, source, seed_option]
    parts += [f"--streams {streams}"] if streams else []
    parts += [f"--strategies {strategies}"] if strategies else []
    parts += list(harness.flags)
    parts += [f"--model {model}" for model in models]
    return " ".join(parts)


def _header(
    results: BenchResults, about: str, seeds, jobs, wall: float, command: str, packages
) -> list[str]:
    from stream_imbal.bench import available_cores

    versions = ", ".join(
        f"{package} {_version(package)}" for package in packages if _version(package)
    )
    return [
        "# Benchmark",
        f"{platform.machine()}, {available_cores()} cores ({jobs} worker processes), "
        f"{time.strftime('%Y-%m-%d')}, {about}, "
        f"seed(s) {', '.join(map(str, seeds))}; {versions}; "
        f"wall time {_duration(wall)}.",
        f"Reproduce with `{command}`: every score is the same on every run; events/s and peak "
        "memory are measurements. Per (stream, strategy): `results.csv`; windowed G-mean over "
        "time: `plots/<stream>.png` (data in `windows.csv`).",
    ]


def _role(harness: Harness, suite: str | None) -> str:
    role = harness.roles.get(str(suite))
    return f" ({role})" if role else ""


def _notes(names: list[str], skipped: str | None) -> list[str]:
    import pandas as pd

    from stream_imbal.bench import STRATEGIES

    legend = pd.DataFrame(
        [(name, STRATEGIES[name].family, STRATEGIES[name].description) for name in names],
        columns=["strategy", "family", "what it is"],
    )
    notes = ["## Strategies", legend.to_markdown(index=False)]
    return notes + ([f"{skipped}."] if skipped else [])


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
