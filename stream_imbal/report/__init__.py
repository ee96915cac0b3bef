"""An HTML report of a run, drawn from the files the run wrote.

`write_report(run_dir)` reads `windows.csv`, `drift_events.csv`, `summary.json` and, for a
simulated run, `scenario.json`, and writes a self-contained `report.html` with its figures as
PNG files: the windowed scores, the minority share against its estimate, the decision threshold
(each with the detected and true drifts marked) and confusion counts per segment between
detected drifts.

"""

from __future__ import annotations

from stream_imbal.lazy import lazy_attributes

#: Public name -> the module defining it; imported on first use (PEP 562), so that a command
#: writing run files only (`ScenarioRecord`) does not import matplotlib.
_WHERE = {
    "FIGURES": "figures",
    "prior_figure": "figures",
    "scores_figure": "figures",
    "threshold_figure": "figures",
    "render_page": "page",
    "RunFiles": "run_files",
    "SCENARIO_FILE": "scenario_file",
    "ScenarioRecord": "scenario_file",
    "segment_table": "segments",
    "REPORT_FILE": "writer",
    "write_report": "writer",
}
__all__ = sorted(_WHERE)

__getattr__ = lazy_attributes(__name__, _WHERE)
