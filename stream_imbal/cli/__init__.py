"""The `stream-imbal` command line: one module per command, imported only when it runs.

`stream-imbal --help` lists the commands from `COMMANDS` without importing them (river and
pandas take seconds to import); `tests/test_cli.py` checks that each listed summary is the
command's own.

Every error about the user's input (`StreamImbalError`, or an `OSError` on a named path) ends the
command with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib

import click

from stream_imbal.exceptions import StreamImbalError

#: Command name -> (module:attribute, one-line summary for `stream-imbal --help`).
COMMANDS = {
    "simulate": (
        "stream_imbal.cli.simulate:simulate",
        "Run a model preset on SCENARIO: a built-in name or a TOML file (default: demo).",
    ),
    "evaluate": (
        "stream_imbal.cli.run:evaluate",
        "Evaluate a model preset prequentially on a CSV, Parquet or JSONL FILE.",
    ),
    "replay": (
        "stream_imbal.cli.replay:replay",
        "Replay a CSV, Parquet or JSONL FILE in event-time order.",
    ),
    "serve": (
        "consumers.cli:serve",
        "Serve predictions from a Kafka events topic, learning from labels as they come.",
    ),
    "bench": (
        "stream_imbal.cli.bench:bench",
        "Benchmark strategies prequentially on the same streams; write tables and plots to OUT.",
    ),
    "report": (
        "stream_imbal.cli.report:report",
        "Write report.html and its PNG figures for the run in RUN_DIR (the --out of a run).",
    ),
}


class UserError(click.ClickException):
    """A mistake in the user's input: `Error: <message>` on stderr, exit code 2."""

    exit_code = 2


class LazyGroup(click.Group):
    """A group whose commands are imported when they are run or asked for their own help."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StreamImbalError as error:
            raise UserError(str(error)) from None
        except OSError as error:
            if error.filename is None:
                raise
            raise UserError(f"{error.filename}: {error.strerror or error}") from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])


@click.group(cls=LazyGroup)
@click.version_option(package_name="stream-imbal")
def main() -> None:
    """Online classification of imbalanced, drifting event streams."""


__all__ = ["COMMANDS", "UserError", "main"]
