"""The `stream-imbal` command line: one module per command."""

from __future__ import annotations

import click

from stream_imbal.cli import bench, replay, report, run, serve


@click.group()
@click.version_option(package_name="stream-imbal")
def main() -> None:
    """Online classification of imbalanced, drifting event streams."""


for command in (run.simulate, run.evaluate, serve.serve, bench.bench, replay.replay):
    main.add_command(command)
main.add_command(report.report)

__all__ = ["main"]
