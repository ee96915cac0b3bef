"""The report's figures: scores, minority share and decision threshold over a run's events.

Every figure puts the windows at their `end` event index and marks the drifts: detected ones as
solid vertical lines, true ones (from the scenario) as dashed lines, coloured by kind. A score
that is undefined in a window (NaN) leaves a gap in its line. The figures are drawn on
matplotlib's Agg canvas, without pyplot, so that building them touches no global state.

"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from stream_imbal.evaluate import WEIGHT_PREFIX
from stream_imbal.report.run_files import RunFiles

__all__ = [
    "DETECTED",
    "FIGURES",
    "SIZE",
    "TRUE",
    "prior_figure",
    "scores_figure",
    "threshold_figure",
    "candidates_figure",
    "to_png",
]

SIZE = (1100, 340)  # pixels of every figure
DPI = 100
DETECTED, TRUE = "detected-drift", "true-drift"  # gids of the drift markers
KINDS = {"concept": ("concept drift", "tab:red"), "prior": ("prior shift", "tab:purple")}
SCORES = [
    ("gmean", "G-mean", "tab:blue"),
    ("minority_recall", "minority recall", "tab:green"),
    ("minority_precision", "minority precision", "tab:orange"),
]


def scores_figure(run: RunFiles) -> Figure:
    """Windowed G-mean, minority recall and minority precision.

    Windows without a minority event, where recall and G-mean are undefined, are shaded.

    Examples
    --------
    >>> import pandas as pd
    >>> from stream_imbal.report import RunFiles, scores_figure
    >>> windows = pd.DataFrame({
    ...     "start": [0, 100, 200], "end": [100, 200, 300],
    ...     "gmean": [0.8, float("nan"), 0.9], "minority_recall": [0.7, float("nan"), 0.9],
    ...     "minority_precision": [0.2, 0.0, 0.3], "tp": [7, 0, 9], "fp": [28, 3, 21],
    ...     "fn": [3, 0, 1], "tn": [62, 97, 69],
    ... })
    >>> drifts = pd.DataFrame({"index": [230], "kind": ["concept"]})
    >>> axes = scores_figure(RunFiles(".", windows, drifts, {}, None)).axes[0]
    >>> [float(line.get_xdata()[0]) for line in axes.lines if line.get_gid() == "detected-drift"]
    [230.0]

    """
    figure, axes = _time_axes(run, "Windowed scores", "score")
    windows = run.windows
    empty = (windows["tp"] + windows["fn"] == 0).to_numpy()
    for start, end in _spans(windows, empty):
        axes.axvspan(start, end, color="0.9", lw=0, label="no minority event")
    for column, label, colour in SCORES:
        _line(axes, windows["end"], windows[column], label=label, color=colour)
    axes.set_ylim(-0.03, 1.03)
    return _finish(figure, axes, run, "no score defined: no minority event")


def prior_figure(run: RunFiles) -> Figure:
    """The true minority share, where known, against its estimate and confidence interval."""
    figure, axes = _time_axes(run, "Minority share", "P(minority)")
    windows = run.windows
    x = windows["end"].to_numpy(float)
    low, high = windows["prior_low"].to_numpy(float), windows["prior_high"].to_numpy(float)
    if np.isfinite(low + high).any():
        axes.fill_between(x, low, high, color="tab:blue", alpha=0.2, lw=0, label="interval")
    _line(axes, x, windows["prior_estimate"], label="estimate", color="tab:blue")
    _line(axes, x, windows["prior_true"], label="true share", color="black", lw=1.2)
    axes.set_ylim(bottom=0)
    return _finish(figure, axes, run, "no estimate: no minority class")


def threshold_figure(run: RunFiles) -> Figure:
    """The decision threshold on the minority probability."""
    figure, axes = _time_axes(run, "Decision threshold", "threshold")
    windows = run.windows
    _line(axes, windows["end"], windows["threshold"], label="threshold", color="tab:brown")
    axes.set_ylim(bottom=0)
    return _finish(figure, axes, run, "no threshold recorded")


def candidates_figure(run: RunFiles) -> Figure:
    """The blend weight of each candidate learner (`weight_<name>` columns), stacked."""
    figure, axes = _time_axes(run, "Candidate learners", "blend weight")
    windows = run.windows
    columns = [c for c in windows.columns if c.startswith(WEIGHT_PREFIX)]
    if columns:
        weights = windows[columns].fillna(0.0).to_numpy(float).T
        names = [c.removeprefix(WEIGHT_PREFIX) for c in columns]
        axes.stackplot(windows["end"].to_numpy(float), weights, labels=names, alpha=0.8)
    axes.set_ylim(0, 1)
    return _finish(figure, axes, run, "one learner: no blend")


FIGURES: dict[str, Callable[[RunFiles], Figure]] = {
    "scores": scores_figure,
    "prior": prior_figure,
    "threshold": threshold_figure,
    "candidates": candidates_figure,
}


def to_png(figure: Figure) -> bytes:
    """The PNG image of `figure`, `SIZE` pixels."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _time_axes(run: RunFiles, title: str, ylabel: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(SIZE[0] / DPI, SIZE[1] / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    # fixed margins, so that the time axes of all figures line up on the page
    figure.subplots_adjust(left=0.07, right=0.965, top=0.9, bottom=0.25)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontweight="bold")
    axes.set_xlabel("event index")
    axes.set_ylabel(ylabel)
    axes.set_xlim(0, run.windows["end"].iloc[-1])
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.grid(alpha=0.3)
    return figure, axes


def _line(axes: Axes, x, y: pd.Series, **style) -> None:
    """Plot `y` if it is defined anywhere; NaN breaks the line and markers show lone points."""
    if y.notna().any():
        axes.plot(x, y, **({"marker": "o", "markersize": 2.5, "lw": 1.5} | style))


def _spans(windows: pd.DataFrame, mask: np.ndarray) -> list[tuple[float, float]]:
    """`(start, end)` of each run of consecutive windows where `mask` holds."""
    spans = []
    rows = zip(mask, windows["start"], windows["end"], strict=True)
    for masked, group in itertools.groupby(rows, key=lambda row: row[0]):
        if masked:
            run = list(group)
            spans.append((run[0][1], run[-1][2]))
    return spans


def _finish(figure: Figure, axes: Axes, run: RunFiles, no_data: str) -> Figure:
    if not axes.lines and not axes.collections:
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, no_data, transform=axes.transAxes, ha="center", color="0.4")
    _mark_drifts(axes, run)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))  # one entry per label, the first
    if unique:
        figure.legend(
            unique.values(),
            unique.keys(),
            loc="lower center",
            ncols=len(unique),
            frameon=False,
            fontsize="small",
        )
    return figure


def _mark_drifts(axes: Axes, run: RunFiles) -> None:
    """Solid lines at the detected drifts, dashed ones at the scenario's, coloured by kind."""
    events = run.drift_events
    for index, kind in zip(events["index"], events["kind"], strict=True):
        name, colour = KINDS.get(kind, (kind, "tab:gray"))
        axes.axvline(index, color=colour, lw=1.3, alpha=0.8, gid=DETECTED, label=f"detected {name}")
    for index, kind in run.scenario.drift_points if run.scenario else ():
        name, colour = KINDS.get(kind, (kind, "tab:gray"))
        axes.axvline(index, color=colour, lw=1.8, ls="--", gid=TRUE, label=f"true {name}")
