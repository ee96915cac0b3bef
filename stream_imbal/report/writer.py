"""`write_report`: the HTML report of a run, from the files the run wrote."""

from __future__ import annotations

import os
import pathlib

from stream_imbal.report.figures import FIGURES, to_png
from stream_imbal.report.page import render_page
from stream_imbal.report.run_files import RunFiles
from stream_imbal.report.segments import segment_table

__all__ = ["REPORT_FILE", "write_report"]

REPORT_FILE = "report.html"


def write_report(
    run_dir: str | os.PathLike, out_dir: str | os.PathLike | None = None
) -> pathlib.Path:
    """Write `report.html` and its PNG figures for the run in `run_dir`.

    The page is self-contained (the figures are embedded), so it can be mailed or opened
    anywhere; the PNG files next to it are the same figures, for slides and documents.

    Parameters
    ----------
    run_dir
        A directory written by a run (`EvaluationResult.to_csv`, `stream-imbal simulate`...):
        `windows.csv`, and when present `drift_events.csv`, `summary.json` and
        `scenario.json`.
    out_dir
        Where to write the report; `run_dir/report` by default.

    Returns
    -------
    The path of `report.html`. A missing or malformed run file raises `ConfigError`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from stream_imbal import OnlineImbalancedClassifier
    >>> from stream_imbal.evaluate import prequential
    >>> from stream_imbal.report import ScenarioRecord, write_report
    >>> from stream_imbal.simulation import get_scenario

    >>> scenario = get_scenario("demo", n_events=2_000)
    >>> result = prequential(OnlineImbalancedClassifier(), scenario.iter_truth(), 500)
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     _ = result.to_csv(directory)
    ...     _ = ScenarioRecord.from_scenario(scenario).write(directory)
    ...     page = write_report(directory)
    ...     sorted(path.name for path in page.parent.iterdir())
    ['candidates.png', 'prior.png', 'report.html', 'scores.png', 'threshold.png']

    """
    run = RunFiles.read(run_dir)
    out = pathlib.Path(out_dir) if out_dir is not None else run.path / "report"
    out.mkdir(parents=True, exist_ok=True)
    images = {}
    for name, build in FIGURES.items():
        images[name] = to_png(build(run))
        (out / f"{name}.png").write_bytes(images[name])
    page = out / REPORT_FILE
    page.write_text(
        render_page(run, images, segment_table(run.windows, run.drift_events)), encoding="utf-8"
    )
    return page
