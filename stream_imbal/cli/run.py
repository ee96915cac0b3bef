"""`stream-imbal simulate` and `evaluate`: prequential runs of a model preset.

The options, the file's format, header and columns and its first rows are checked before river
is imported (it takes seconds, pandas a fraction of one) and the model built: a mistake in the
input shows at once.
"""

from __future__ import annotations

import contextlib
import itertools
import pathlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import click

from stream_imbal import heap
from stream_imbal.cli import UserError
from stream_imbal.cli.outputs import run_outputs
from stream_imbal.cli.report import report_option, write_run_report
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import (
    choose_features,
    count_rows,
    file_columns,
    file_format,
    read_labelled_events,
)
from stream_imbal.missing import POLICIES, MissingValueError, MissingValues, describe_counts
from stream_imbal.model_file import TrainedModel, load_model, save_model
from stream_imbal.presets import PRESETS, ModelSpec

if TYPE_CHECKING:
    from stream_imbal.evaluate import EvaluationResult

T = TypeVar("T")
#: Events (or a replay's rows) read before the model is built, so that the errors of a file's
#: first rows show at once.
READ_AHEAD = 1000

SUMMARY_ROWS = [
    ("events evaluated", "n_events", "{:,.0f}"),
    ("G-mean (of the class recalls)", "gmean", "{:.3f}"),
    ("windowed G-mean (mean of windows)", "gmean_windowed", "{:.3f}"),
    ("minority recall", "minority_recall", "{:.3f}"),
    ("minority precision", "minority_precision", "{:.3f}"),
    ("alert rate (share flagged)", "alert_rate", "{:.2%}"),
    ("false-positive rate", "false_positive_rate", "{:.2%}"),
    ("minority F1", "f1", "{:.3f}"),
    ("balanced accuracy", "balanced_accuracy", "{:.3f}"),
    ("kappa", "kappa", "{:.3f}"),
    ("PR-AUC (windowed mean)", "pr_auc", "{:.3f}"),
    ("recall at 1% alerts (windowed mean)", "recall_at_budget", "{:.3f}"),
    ("events/s", "events_per_s", "{:,.0f}"),
]


class ModelOption(click.ParamType):
    """`--model`: a preset name or a TOML model file, checked before the run."""

    name = "PRESET|FILE.toml"

    def convert(self, value, param, ctx) -> ModelSpec:
        if isinstance(value, ModelSpec):
            return value
        try:
            return ModelSpec.parse(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)


def build_model(spec: ModelSpec, seed: int, init: pathlib.Path | None = None) -> TrainedModel:
    """The run's classifier, said in the run's header: a new one, or the one of a model file
    (`--init-model`), with what it has learnt. What is alive then lives as long as the run:
    the collector is settled (`stream_imbal.heap`)."""
    if init is None:
        click.echo(f"model: {spec.describe()}; seed {seed}")
        trained = TrainedModel(spec.build(seed), {}, 0, f"{spec.describe()}; seed {seed}")
    else:
        trained = load_model(init)
        learnt = f"{trained.learned:,} events learnt"
        click.echo(f"model: {trained.description}, from {init} ({learnt})")
    heap.settle()
    return trained


def model_file_options(function):
    """`--init-model` and `--save-model`, the same in `evaluate` and `replay`."""
    function = click.option(
        "--save-model",
        type=click.Path(dir_okay=False, path_type=pathlib.Path),
        help="At the end, save the model to this file (signed with $STREAM_IMBAL_CHECKPOINT_KEY), "
        "to start another run (--init-model) or the service ([model] init) from.",
    )(function)
    return click.option(
        "--init-model",
        type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
        help="Start from the model in this file (from --save-model) instead of a new one; "
        "--model and --seed are then not used.",
    )(function)


def save_trained(path: pathlib.Path | None, trained: TrainedModel, counts: dict, n: int) -> None:
    """With `--save-model`, save `trained` having learnt `n` more events, `counts` per class."""
    if path is None:
        return
    for label, count in counts.items():
        trained.class_counts[label] = trained.class_counts.get(label, 0) + count
    trained.learned += n
    save_model(path, trained)
    click.echo(f"model saved to {path} ({trained.learned:,} events learnt)")


def run_options(function):
    function = click.option(
        "--window",
        default=1000,
        show_default=True,
        type=click.IntRange(min=10),
        help="Events per evaluation window.",
    )(function)
    function = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=pathlib.Path),
        help="Directory for windows.csv, drift_events.csv and summary.json  "
        "[default: a new runs/NAME-TIME, linked from runs/latest]",
    )(function)
    function = click.option("--seed", default=0, show_default=True, help="Seed of the model.")(
        function
    )
    function = click.option(
        "--model",
        "model_spec",
        default="default",
        show_default=True,
        type=ModelOption(),
        help="A model preset, or a TOML file with a [model] table (preset, learner, balancing, "
        "threshold, drift; see stream_imbal.presets). Presets: "
        + "; ".join(f"{name}: {text}" for name, (_, text) in PRESETS.items()),
    )(function)
    return click.option(
        "--progress/--no-progress", default=True, show_default=True, help="Show a progress bar."
    )(function)


def feature_options(function):
    """`--feature`, `--ignore` and `--missing`, the same in `evaluate` and `replay`."""
    function = click.option(
        "--missing",
        type=click.Choice(POLICIES),
        default="impute",
        show_default=True,
        help="A missing feature value (an empty cell, null or NaN): fill it in with the "
        "feature's running mean and set a <feature>__missing indicator (impute), skip the row "
        "(skip, counted), or stop (error).",
    )(function)
    function = click.option(
        "--ignore", multiple=True, help="Column that is not a feature (repeatable)."
    )(function)
    return click.option(
        "--feature",
        "features",
        multiple=True,
        help="Feature column (repeatable, or comma-separated); default: every other column "
        "whose name does not say id or time (id, *_id, ts, *_time, *_at...).",
    )(function)


def missing_values(policy: str, features: list[str], trained: TrainedModel) -> MissingValues:
    """The run's missing-value policy over the file's `features`, going on from a model file's
    (`--init-model`: its feature means); the model file will keep it (`--save-model`)."""
    if trained.missing is None:
        trained.missing = MissingValues(policy, features)
    else:
        trained.missing = MissingValues.resumed(trained.missing, policy)
    return trained.missing


def in_file(file: pathlib.Path, error: MissingValueError) -> MissingValueError:
    """`error`, naming `file`: a row refused by `--missing error`."""
    return MissingValueError(f"{file}: {error}", error.missing)


def first_read(items: Iterable[T]) -> Iterator[T]:
    """`items`, the first `READ_AHEAD` of them read already (see `READ_AHEAD`)."""
    items = iter(items)
    return itertools.chain(list(itertools.islice(items, READ_AHEAD)), items)


def choose_columns(file: pathlib.Path, roles: dict[str, str], features, ignore) -> list[str]:
    """The feature columns of `file` by the one rule (`choose_features`), said in one line after
    the file's format."""
    named = tuple(f for given in features for f in given.split(",") if f)
    click.echo(f"{file}: {file_format(file).describe()}")
    columns = file_columns(file)  # its errors name the file
    try:
        choice = choose_features(columns, roles, named, ignore)
    except ConfigError as error:
        raise ConfigError(f"{file}: {error}") from None
    label = next(column for column, role in roles.items() if role == "label")
    click.echo(f"{file}: label {label!r}; {choice.describe()}")
    return choice.features


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path))
@click.option("--target", "--label-column", "target", required=True, help="Column of the labels.")
@feature_options
@run_options
@model_file_options
@report_option
@click.option(
    "--predictions",
    "write_predictions",
    is_flag=True,
    help="Also write predictions.csv: each event's prediction (its id is its data row) and label.",
)
def evaluate(file, target, features, ignore, window, out, seed, model_spec, progress, **options):
    """Evaluate a model preset prequentially on a CSV, Parquet or JSONL FILE.

    Event N is data row N; rows with missing feature values go through --missing.
    """
    report_dir = options["report_dir"]
    chosen = choose_columns(file, {target: "label"}, features, ignore)
    with run_outputs(out, file_format(file).stem, report_dir) as (out, report_dir):
        events = first_read(read_labelled_events(file, target, features=chosen))
        trained = build_model(model_spec, seed, options["init_model"])
        total = count_rows(file)
        # imported once the input is checked: river takes seconds
        from stream_imbal.evaluate import prequential
        from stream_imbal.replay.direct import PredictionsCSV, PrequentialPredictions

        with contextlib.ExitStack() as stack:
            on_prediction = None
            if options["write_predictions"]:
                sink = stack.enter_context(PredictionsCSV(out / "predictions.csv"))
                on_prediction = PrequentialPredictions(trained.model, sink, trained.class_counts)
            try:
                result = prequential(
                    trained.model,
                    events,
                    window,
                    progress=progress,
                    total=total,
                    learnt=trained.class_counts,
                    missing=missing_values(options["missing"], chosen, trained),
                    on_prediction=on_prediction,
                )
            except MissingValueError as error:
                raise in_file(file, error) from None
        if on_prediction is not None:
            click.echo(f"predictions written to {sink.path}")
        report_run(result, out, file, trained.description)
        n = result.summary["n_events"]
        save_trained(options["save_model"], trained, result.class_counts, n)
        if report_dir:
            write_run_report(out, report_dir)


def report_run(result: EvaluationResult, out: pathlib.Path, source: object, model: str) -> None:
    """Print the run's scores and write its files into `out`, its summary naming the `model`
    and the `source`; a run that cannot be scored (no labelled event, or one class only) is a
    `UserError` naming `source`."""
    import pandas as pd

    counts = result.class_counts
    if len(counts) < 2:
        found = f"only class {next(iter(counts))!r}" if counts else "no labelled event"
        raise UserError(
            f"{source}: {found} in {result.summary['n_events']:,} events; the minority-class "
            "scores need two classes (is the label column right? are there rows left?)"
        )
    summary = result.summary
    table = pd.DataFrame(
        {"value": [fmt.format(summary[key]) for _, key, fmt in SUMMARY_ROWS]},
        index=[label for label, _, _ in SUMMARY_ROWS],
    )
    click.echo(table.to_string(header=False))
    shown = ", ".join(f"{label!r}: {n:,}" for label, n in counts.items())
    click.echo(f"classes: {shown}; minority: {result.minority_class!r}")
    if len(counts) > 2:
        click.echo("(minority recall, precision and F1: the minority class against the rest)")
    kinds = result.drift_events["kind"].value_counts().to_dict() if len(result.drift_events) else {}
    click.echo(f"drift events: {kinds or 'none'}")
    if "missing_values" in summary:
        missing, unknown = summary["missing_values"], summary["unknown_features"]
        click.echo(
            f"missing values: {describe_counts(missing)}; unknown features: "
            f"{describe_counts(unknown)}; rows skipped: {summary['skipped_missing']:,}"
        )
    result.summary |= {"model": model, "input": str(source)}
    result.to_csv(out)
    click.echo(f"per-window metrics written to {out / 'windows.csv'}")
