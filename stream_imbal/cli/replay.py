"""`stream-imbal replay`: replay a historical stream from a file, in-process or to Kafka.

The Kafka side lives in `consumers.replay_producer`, imported only with `--to-kafka`, so the
library itself never imports Kafka. As in `evaluate`, the options, the file and its first rows
are checked before river is imported and the model built.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pathlib
import time
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from stream_imbal.cli import UserError
from stream_imbal.cli.outputs import run_outputs
from stream_imbal.cli.report import report_option, write_run_report
from stream_imbal.cli.run import (
    build_model,
    choose_columns,
    feature_options,
    first_read,
    in_file,
    missing_values,
    model_file_options,
    report_run,
    run_options,
    save_trained,
)
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import TS_UNITS, ColumnMap, count_rows, file_format
from stream_imbal.join import JoinSettings
from stream_imbal.missing import MissingValueError
from stream_imbal.pending import PENDING_MAX
from stream_imbal.progress import progress
from stream_imbal.replay.delay import LabelDelay, parse_duration

if TYPE_CHECKING:
    from stream_imbal.replay.reader import BadRowError, FileReader

__all__ = ["replay"]

SHOWN_BAD_ROWS = 20  # skipped rows printed one by one; the rest are counted
DIRECT_ONLY = (
    "out",
    "window",
    "seed",
    "model_spec",
    "pending_max",
    "pending_ttl",
    "report_dir",
    "init_model",
    "save_model",
    "missing",
)
KAFKA_ONLY = ("labels_topic", "speed")


class _Delay(click.ParamType):
    name = "DELAY"

    def convert(self, value, param, ctx):
        try:
            return value if isinstance(value, LabelDelay) else LabelDelay.parse(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)


class _Duration(click.ParamType):
    name = "DURATION"

    def convert(self, value, param, ctx):
        try:
            return value if isinstance(value, float) else parse_duration(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path))
@click.option("--id-column", default="id", show_default=True, help="Column of the event ids.")
@click.option(
    "--ts-column",
    default="ts",
    show_default=True,
    help="Column of the event times: epoch times or date-time strings (UTC if no zone).",
)
@click.option(
    "--ts-unit",
    type=click.Choice(list(TS_UNITS)),
    help="The unit of numeric times (also of --label-time-column). Default: that of the first "
    "time, by its magnitude (from 1e11, milliseconds; 1e14, microseconds; 1e17, nanoseconds); "
    "a later time of another magnitude is a bad row.",
)
@click.option(
    "--target",
    "--label-column",
    "label_column",
    default="label",
    show_default=True,
    help="Column of the labels.",
)
@feature_options
@click.option(
    "--label-delay",
    type=_Delay(),
    help="Labels come this many events later (500), or this much event time later "
    "(30s, 15m, 2h, 1d). Default: each event carries its label.",
)
@click.option(
    "--label-time-column",
    help="Column giving when each label became known (as --ts-column); an empty cell: never.",
)
@click.option(
    "--on-bad-row",
    type=click.Choice(["skip", "fail"]),
    default="fail",
    show_default=True,
    help="Stop at the first bad row, or skip (and count) bad rows.",
)
@click.option(
    "--start-row",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Skip the first N data rows (to resume a replay).",
)
@click.option(
    "--reorder-window",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Rows held back to put late rows in event-time order; a row older than one already "
    "replayed is a bad row.",
)
@click.option("--chunk-size", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option(
    "--pending-max",
    type=click.IntRange(min=1),
    default=PENDING_MAX,
    show_default=True,
    help="Direct mode: events waiting for their label; beyond, the oldest is evicted "
    "(about 0.5 kB each with 30 features).",
)
@click.option(
    "--pending-ttl",
    type=_Duration(),
    default="90d",
    show_default=True,
    help="Direct mode: evict an event waiting longer than this (event time, e.g. 7d).",
)
@click.option("--to-kafka", "events_topic", help="Send the events to this Kafka topic instead.")
@click.option("--labels-topic", help="With --to-kafka: the topic of the delayed labels.")
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True),
    help="With --to-kafka: times real time (event-time gaps divided by it); default: at once.",
)
@click.option(
    "--bootstrap-servers",
    envvar="STREAM_IMBAL_BOOTSTRAP_SERVERS",
    default="localhost:9092",
    show_default=True,
    help="With --to-kafka: the Kafka brokers (env STREAM_IMBAL_BOOTSTRAP_SERVERS).",
)
@run_options
@model_file_options
@report_option
@click.pass_context
def replay(ctx: click.Context, file: pathlib.Path, **options) -> None:
    """Replay a CSV, Parquet or JSONL FILE in event-time order.

    By default the classifier runs in-process: each event is scored when it arrives and learnt
    when its label comes, and that prediction is scored against the label; predictions.csv,
    the per-window metrics, drift events and summary are written to --out. With --to-kafka the
    events (and, with a delay, the labels on --labels-topic) are sent to Kafka instead.

    Rows must be in event-time order: a row older than an earlier one is a bad row (unless
    --reorder-window holds enough rows back to put it in place), as are rows with a missing
    id, a bad timestamp (or an epoch time of another unit than the file's), a non-numeric or
    infinite feature or a label that is not a bool, an integer or a string. A missing label is
    not an error: the event is replayed unlabelled; a missing feature (an empty cell, null or
    NaN) goes through --missing.
    """
    _check_mode(ctx, options)
    outputs = (
        contextlib.nullcontext((None, None))
        if options["events_topic"]
        else run_outputs(options["out"], file_format(file).stem, options["report_dir"])
    )
    with outputs as (options["out"], options["report_dir"]):
        _replay(file, options)


def _replay(file: pathlib.Path, options: dict) -> None:
    delay = options["label_delay"] or LabelDelay()
    if options["label_time_column"]:
        delay = LabelDelay(column=options["label_time_column"])
    columns = ColumnMap(
        id=options["id_column"],
        ts=options["ts_column"],
        label=options["label_column"],
        label_time=options["label_time_column"],
    )
    chosen = choose_columns(file, columns.roles, options["features"], options["ignore"])
    columns = dataclasses.replace(columns, features=tuple(chosen))
    from stream_imbal.replay.reader import BadRowError, BadRows, FileReader  # pandas

    bad_rows = BadRows(options["on_bad_row"], report=_BadRowPrinter())
    try:
        reader = FileReader(
            file,
            columns,
            start_row=options["start_row"],
            reorder_window=options["reorder_window"],
            on_bad_row=bad_rows,
            chunk_size=options["chunk_size"],
            ts_unit=options["ts_unit"],
        )
        total = max(count_rows(file) - options["start_row"], 0)
        rows = first_read(progress(reader, total, unit="rows", enabled=options["progress"]))
        click.echo(_times_said(reader, columns.ts))
        from stream_imbal.replay.timeline import LabelTimeline  # imports river

        timeline = LabelTimeline(delay, on_bad_row=bad_rows)
        if options["events_topic"]:
            counts = _to_kafka(timeline(rows), options)
        else:
            counts, result, model = _direct(timeline(rows), chosen, options)
    except BadRowError as error:
        raise UserError(f"{file}: {error} (--on-bad-row skip skips bad rows)") from None
    except MissingValueError as error:
        raise in_file(file, error) from None
    counts = {
        "rows read": reader.rows_read,
        "events replayed": timeline.events,
        "labelled": timeline.labelled,
        "unlabelled": timeline.unlabelled,
        "skipped bad rows": bad_rows.skipped,
    } | counts
    width = max(map(len, counts))
    for name, value in counts.items():
        click.echo(f"{name:<{width}}  {value:>10,{'.1f' if isinstance(value, float) else ''}}")
    if bad_rows.skipped:
        click.echo(f"skipped by reason: {dict(bad_rows.by_kind)}")
    if not options["events_topic"]:
        result.summary |= {
            "rows_read": reader.rows_read,
            "unlabelled": timeline.unlabelled,
            "skipped_bad_rows": bad_rows.skipped,
        }
        report_run(result, options["out"], file, model)
        if options["report_dir"]:
            write_run_report(options["out"], options["report_dir"])


def _times_said(reader: FileReader, column: str) -> str:
    """How the event times of the file are read, for the header of a run."""
    if reader.ts_unit is None:
        return f"{column}: date-time strings (UTC without a time zone)"
    unit = TS_UNITS[reader.ts_unit][1]
    if reader.ts_unit_given:
        return f"{column}: epoch {unit} (--ts-unit)"
    return f"{column}: epoch {unit}, from their magnitude (--ts-unit to set)"


def _check_mode(ctx: click.Context, options: dict) -> None:
    """Refuse options of the other mode, and labels that have no topic to go to."""
    given = {
        name for name in options if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }
    to_kafka = options["events_topic"] is not None
    wrong = [n for n in (DIRECT_ONLY if to_kafka else KAFKA_ONLY) if n in given]
    if wrong:
        mode = "direct mode (without --to-kafka)" if to_kafka else "--to-kafka"
        flag = next(p.opts[0] for p in ctx.command.params if p.name == wrong[0])
        raise click.UsageError(f"{flag} applies to {mode} only")
    if options["label_delay"] and options["label_time_column"]:
        raise click.UsageError("give --label-delay or --label-time-column, not both")
    delayed = options["label_delay"] is not None or options["label_time_column"] is not None
    if to_kafka and delayed and not options["labels_topic"]:
        raise click.UsageError("--labels-topic is needed for labels that come later")
    if to_kafka and options["labels_topic"] and not delayed:
        raise click.UsageError(
            "--labels-topic needs --label-delay or --label-time-column "
            "(without a delay each event carries its label)"
        )


def _direct(timeline, features: list[str], options: dict):
    out = options["out"]
    trained = build_model(options["model_spec"], options["seed"], options["init_model"])
    from stream_imbal.replay.direct import DirectReplay, PredictionsCSV  # river

    replay = DirectReplay(
        trained.model,
        window_size=options["window"],
        join=JoinSettings(
            pending_max=options["pending_max"], pending_ttl_seconds=options["pending_ttl"]
        ),
        missing=missing_values(options["missing"], features, trained),
    )
    replay.core.resume(trained.class_counts, trained.learned)
    learnt_before = replay.learnt
    with PredictionsCSV(out / "predictions.csv") as predictions:
        result = replay.run(timeline, on_prediction=predictions.add)
    click.echo(f"predictions written to {predictions.path}")
    trained.class_counts = {}  # the core's counts include the file's
    save_trained(
        options["save_model"], trained, replay.core.class_counts, replay.learnt - learnt_before
    )
    counts = {
        "learnt": replay.learnt - learnt_before,
        "evicted (store full)": replay.pending.evictions["full"],
        "evicted (expired)": replay.pending.evictions["expired"],
        "labels unmatched": replay.unmatched,
        "skipped (missing values)": replay.core.missing.skipped,
    }
    return counts, result, trained.description


def _to_kafka(timeline, options: dict) -> dict:
    from kafka.errors import KafkaError

    from consumers.kafka_io import KafkaSettings
    from consumers.replay_producer import ReplayProducer

    started = time.monotonic()
    try:
        producer = ReplayProducer(
            KafkaSettings(options["bootstrap_servers"]),
            options["events_topic"],
            options["labels_topic"],
            speed=options["speed"],
        )
    except KafkaError as error:
        raise click.ClickException(
            f"cannot reach Kafka at {options['bootstrap_servers']}: {error!r}"
        ) from error
    try:
        producer.check_topics()
        producer.run(timeline)
    except KafkaError as error:
        raise click.ClickException(f"Kafka: {error!r}") from error
    except KeyboardInterrupt:
        click.echo(f"interrupted: {producer.events:,} events and {producer.labels:,} labels sent")
        raise click.exceptions.Exit(130) from None
    finally:
        producer.close()
    counts = {f"events sent to {options['events_topic']}": producer.events}
    if options["labels_topic"]:
        counts[f"labels sent to {options['labels_topic']}"] = producer.labels
    return counts | {"seconds": time.monotonic() - started}


class _BadRowPrinter:
    """Print the first skipped rows on stderr; the rest are only counted."""

    def __init__(self, limit: int = SHOWN_BAD_ROWS) -> None:
        self.limit = limit
        self.seen = 0

    def __call__(self, error: BadRowError) -> None:
        if self.seen < self.limit:
            click.echo(f"skipped {error}", err=True)
        elif self.seen == self.limit:
            click.echo("(further bad rows are counted, not shown)", err=True)
        self.seen += 1
