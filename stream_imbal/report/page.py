"""The report's HTML page: one self-contained file, its figures embedded as data URIs."""

from __future__ import annotations

import base64
import html
import math
import numbers

import pandas as pd

from stream_imbal.missing import describe_counts
from stream_imbal.report.run_files import RunFiles

__all__ = ["render_page"]

CAPTIONS = {
    "scores": "G-mean, minority recall and minority precision of each window, at its last "
    "event. A gap is a window where the score is undefined: shaded when it held no minority "
    "event; precision is also undefined when nothing was predicted minority.",
    "prior": "The model's estimate of the minority share with its confidence interval, "
    "against the true share where the stream knows it.",
    "threshold": "The decision threshold on the minority probability at the end of each window.",
    "candidates": "The share of each candidate learner in the blended score at the end of each "
    "window (the default blends a logistic regression and a small random forest by how well each "
    "has recently ranked the classes: a class-balanced AUC).",
}
MARKERS = (
    "On every plot, solid vertical lines are the drifts the model detected "
    '(<span class="concept">red: concept drift</span>, '
    '<span class="prior">purple: prior shift</span>); dashed lines are the true drift points '
    "of the scenario, when the run was simulated."
)
#: Summary keys that name what was run, shown above the scores.
RUN_KEYS = {"input": "Input", "model": "Model"}
SUMMARY_LABELS = {
    "n_events": "events evaluated",
    "events_predicted": "events predicted on arrival",
    "gmean": "G-mean",
    "gmean_windowed": "windowed G-mean (mean)",
    "minority_recall": "minority recall",
    "minority_precision": "minority precision",
    "alert_rate": "alert rate (share flagged)",
    "false_positive_rate": "false-positive rate",
    "f1": "minority F1",
    "balanced_accuracy": "balanced accuracy",
    "kappa": "kappa",
    "pr_auc": "PR-AUC (windowed mean)",
    "recall_at_budget": "recall at 1% alerts (windowed mean)",
    "seconds": "seconds",
    "events_per_s": "events/s",
    "missing_values": "missing values",
    "unknown_features": "unknown features (dropped)",
    "skipped_missing": "skipped (missing values)",
    "schema_changes": "schema changes",
}
SEGMENT_HEADERS = {
    "start": "from event",
    "end": "to event",
    "after": "after detected drift(s)",
    "tp": "TP",
    "fp": "FP",
    "fn": "FN",
    "tn": "TN",
    "recall": "minority recall",
    "precision": "minority precision",
    "gmean": "G-mean",
}
COUNT_KEYS = {"n_events", "events_per_s", "start", "end", "tp", "fp", "fn", "tn"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1140px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
pre { background: #f4f4f4; padding: 0.8em; overflow-x: auto; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #eee; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
.concept { color: #d62728; } .prior { color: #9467bd; }
"""


def render_page(run: RunFiles, images: dict[str, bytes], segments: pd.DataFrame) -> str:
    """The HTML report of `run`.

    Parameters
    ----------
    run
        The run's files.
    images
        PNG images by figure name, embedded in this order; each also links to `<name>.png`.
    segments
        The per-segment confusion counts (see `segment_table`).

    Examples
    --------
    >>> import pandas as pd
    >>> from stream_imbal.report import RunFiles, render_page, segment_table
    >>> windows = pd.DataFrame({"start": [0], "end": [100], "tp": [1], "fp": [2], "fn": [0],
    ...                         "tn": [97]})
    >>> run = RunFiles("runs/x", windows, pd.DataFrame({"index": [], "kind": []}), {}, None)
    >>> page = render_page(run, {"scores": b"PNG"}, segment_table(windows, run.drift_events))
    >>> '<img src="data:image/png;base64,UE5H"' in page
    True

    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>stream-imbal report: {html.escape(run.name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>stream-imbal report: {html.escape(run.name)}</h1>",
        f"<p>{_overview(run)}</p>",
    ]
    ran = [f"{name}: {run.summary[key]}" for key, name in RUN_KEYS.items() if key in run.summary]
    if ran:
        parts.append(f"<p>{html.escape('. '.join(ran))}.</p>")
    if run.scenario:
        parts.append(f"<h2>Scenario</h2><pre>{html.escape(run.scenario.description)}</pre>")
    if run.summary:
        rows = [
            (SUMMARY_LABELS.get(key, key), _format(key, v))
            for key, v in run.summary.items()
            if key not in RUN_KEYS
        ]
        parts += ["<h2>Summary</h2>", _table(["", "whole run"], rows)]
    parts += ["<h2>Over time</h2>", f"<p>{MARKERS}</p>"]
    for name, png in images.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<figure><a href="{name}.png"><img src="data:image/png;base64,{data}" '
            f'alt="{name} over time"></a>'
            f"<figcaption>{html.escape(CAPTIONS.get(name, name))}</figcaption></figure>"
        )
    parts += [
        "<h2>Segments between detected drifts</h2>",
        "<p>Minority-vs-rest confusion counts summed over the windows of each segment; a window "
        "belongs to the segment it ends in.</p>",
        _table(
            [SEGMENT_HEADERS.get(column, column) for column in segments.columns],
            [[_format(column, v) for column, v in row.items()] for _, row in segments.iterrows()],
        ),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _overview(run: RunFiles) -> str:
    windows, events = run.windows, run.drift_events
    kinds = events["kind"].value_counts().to_dict()
    detected = ", ".join(f"{n} {kind}" for kind, n in kinds.items()) or "none"
    return html.escape(
        f"Run directory {run.path}: {len(windows)} windows of up to "
        f"{int((windows['end'] - windows['start']).max()):,} events, up to event "
        f"{int(windows['end'].iloc[-1]):,}. Detected drifts: {detected}."
    )


def _format(key: str, value: object) -> str:
    """A table cell: counts with thousands separators, rates of events as percentages, scores
    to 3 decimals, NaN as a dash."""
    if key == "after" and not value:
        return "(start of the run)"
    if isinstance(value, dict):  # counts per feature
        return html.escape(describe_counts(value))
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return html.escape(str(value))
    if math.isnan(value):
        return "–"
    if key in COUNT_KEYS or isinstance(value, numbers.Integral):
        return f"{value:,.0f}"
    if key in ("alert_rate", "false_positive_rate"):
        return f"{value:.2%}"
    return f"{value:.2f}" if key == "seconds" else f"{value:.3f}"


def _table(header: list[str], rows: list) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{cell}</td>' if _is_number(cell) else f"<td>{cell}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _is_number(cell: str) -> bool:
    return cell == "–" or cell.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()
