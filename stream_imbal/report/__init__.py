"""An HTML report of a run, drawn from the files the run wrote.

`write_report(run_dir)` reads `windows.csv`, `drift_events.csv`, `summary.json` and, for a
simulated run, `scenario.json`, and writes a self-contained `report.html` with its figures as
PNG files: the windowed scores, the minority share against its estimate, the decision threshold
(each with the detected and true drifts marked) and confusion counts per segment between
detected drifts.

"""

from __future__ import annotations

from stream_imbal.report.figures import FIGURES, prior_figure, scores_figure, threshold_figure
from stream_imbal.report.page import render_page
from stream_imbal.report.run_files import RunFiles
from stream_imbal.report.scenario_file import SCENARIO_FILE, ScenarioRecord
from stream_imbal.report.segments import segment_table
from stream_imbal.report.writer import REPORT_FILE, write_report

__all__ = [
    "FIGURES",
    "REPORT_FILE",
    "SCENARIO_FILE",
    "RunFiles",
    "ScenarioRecord",
    "prior_figure",
    "render_page",
    "scores_figure",
    "segment_table",
    "threshold_figure",
    "write_report",
]
