"""`stream-imbal simulate`: a model on a built-in scenario or a scenario TOML file.

Its own module, so that the other commands do not import the scenario generators (river's
datasets import scikit-learn); those, and the evaluation loop, load only once a scenario runs.
"""

from __future__ import annotations

import pathlib

import click

from stream_imbal import simulation
from stream_imbal.cli import UserError
from stream_imbal.cli.outputs import run_outputs
from stream_imbal.cli.report import report_option, write_run_report
from stream_imbal.cli.run import build_model, report_run, run_options
from stream_imbal.simulation import SCENARIOS


@click.command(epilog="Built-in scenarios: " + ", ".join(SCENARIOS) + ".")
@click.argument("scenario", default="demo")
@click.option(
    "--events",
    type=click.IntRange(min=100),
    help="Override a built-in scenario's length (a TOML file sets its own n_events).",
)
@run_options
@report_option
def simulate(
    scenario: str, events: int | None, window, out, seed: int, model_spec, progress, report_dir
):
    """Run a model preset on SCENARIO: a built-in name or a TOML file (default: demo)."""
    from stream_imbal.evaluate import prequential
    from stream_imbal.report.scenario_file import ScenarioRecord

    if scenario.endswith(".toml"):
        if events is not None:
            raise UserError(f"--events does not apply to {scenario}: set n_events in the file")
        stream = simulation.load_scenario_file(scenario)
    else:
        stream = simulation.get_scenario(scenario, seed=seed, n_events=events)
    with run_outputs(out, pathlib.Path(scenario).stem, report_dir) as (out, report_dir):
        click.echo(stream.describe())
        trained = build_model(model_spec, seed)
        result = prequential(
            trained.model, stream.iter_truth(), window, progress=progress, total=stream.n_events
        )
        report_run(result, out, scenario, trained.description)
        ScenarioRecord.from_scenario(stream).write(out)  # the true drift points, for reports
        if report_dir:
            write_run_report(out, report_dir)
