"""`stream-imbal report`: the HTML report of a run, from the files the run wrote.

`report_option` and `write_run_report` give any command that writes a run directory the same
`--report DIR` option. matplotlib is imported only when a report is written.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import click

from stream_imbal.cli.outputs import RUN_REPORT
from stream_imbal.exceptions import ConfigError

__all__ = ["report", "report_option", "write_run_report"]


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=pathlib.Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Directory of the report  [default: RUN_DIR/report]",
)
def report(run_dir: pathlib.Path, out: pathlib.Path | None) -> None:
    """Write report.html and its PNG figures for the run in RUN_DIR (the --out of a run).

    Scores, minority share and threshold over time with the drifts marked, and confusion
    counts per segment between detected drifts.
    """
    write_run_report(run_dir, out)


def report_option(function: Callable) -> Callable:
    """Add `--report [DIR]` to a command; it arrives as the `report_dir` parameter: None, a
    directory, or `RUN_REPORT` for the run directory's `report/` (a bare `--report`)."""
    return click.option(
        "--report",
        "report_dir",
        is_flag=False,
        flag_value=RUN_REPORT,
        help="Also write an HTML report of the run, into DIR or else into the run's report/.",
        metavar="[DIR]",
    )(function)


def write_run_report(run_dir: pathlib.Path, out: pathlib.Path | None) -> pathlib.Path:
    """Write the report of `run_dir` into `out` (default `run_dir/report`) and say where.

    A missing or malformed run file is a usage error.
    """
    from stream_imbal.report import write_report

    try:
        page = write_report(run_dir, out)
    except ConfigError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"report written to {page}")
    return page
