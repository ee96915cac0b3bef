"""A benchmark's results: the scores per (stream, strategy), their ranks, tables and plots."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = ["LABELS", "BenchResults"]

#: Column -> heading in the Markdown report.
LABELS = {
    "gmean": "G-mean",
    "gmean_windowed": "windowed G-mean",
    "minority_recall": "minority recall",
    "minority_precision": "minority precision",
    "f1": "minority F1",
    "pr_auc": "PR-AUC (windowed)",
    "kappa": "kappa",
    "events_per_s": "events/s",
    "peak_memory_mib": "peak memory (MiB)",
    "gmean_rank": "G-mean rank (mean)",
    "n_scored": "streams with a G-mean",
}
_FORMATS = {
    LABELS["events_per_s"]: "{:,.0f}",
    LABELS["peak_memory_mib"]: "{:.2f}",
    LABELS["gmean_rank"]: "{:.2f}",
    LABELS["n_scored"]: "{:d}",
}
MEMORY_NOTE = (
    "Peak memory: the peak resident set size of the job's own worker process while it builds "
    "the model and runs it, above the worker's size once the events are loaded and a 300-event "
    "warm-up run has loaded the code (and started the Java VM of MOA's learners). Events/s "
    "includes the evaluation's own cost. A strategy without a G-mean on a stream (it predicted "
    "none of the minority events) ranks last there, and its mean scores are over the other "
    "streams."
)


@dataclasses.dataclass(eq=False)
class BenchResults:
    """What `run_bench` measured.

    Attributes
    ----------
    table
        One row per (stream, strategy): `stream`, `strategy`, `family`, `n_events`, the scores of
        `METRICS`, `events_per_s`, `peak_memory_mib`, and `gmean_rank`, the strategy's G-mean
        rank on that stream (1 is best, ties share the mean rank).
    windows
        One row per (stream, strategy, window): `stream`, `strategy`, `end`, `gmean`.
    drift_points
        Stream -> its known `(position, kind)` changes, drawn on the plots.

    Examples
    --------
    >>> import pandas as pd
    >>> from stream_imbal.bench import BenchResults
    >>> rows = [
    ...     {"stream": s, "strategy": k, "gmean": g}
    ...     for s, k, g in [("a", "x", 0.9), ("a", "y", 0.8), ("b", "x", 0.5), ("b", "y", 0.7)]
    ... ]
    >>> results = BenchResults.from_runs(rows, [])
    >>> results.table[["stream", "strategy", "gmean_rank"]]
      stream strategy  gmean_rank
    0      a        x         1.0
    1      a        y         2.0
    2      b        x         2.0
    3      b        y         1.0
    >>> results.summary()[["gmean", "gmean_rank"]].to_dict("index")
    {'y': {'gmean': 0.75, 'gmean_rank': 1.5}, 'x': {'gmean': 0.7, 'gmean_rank': 1.5}}

    """

    table: pd.DataFrame
    windows: pd.DataFrame
    drift_points: dict[str, list[tuple[int, str]]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_runs(
        cls,
        rows: Iterable[dict],
        windows: Iterable[pd.DataFrame],
        stream_order: Sequence[str] | None = None,
        strategy_order: Sequence[str] | None = None,
        drift_points: dict[str, list[tuple[int, str]]] | None = None,
    ) -> BenchResults:
        """Gather the jobs' rows and windows, sorted by stream then strategy, and rank them."""
        table = pd.DataFrame(list(rows))
        streams = stream_order or sorted(table["stream"].unique())
        strategies = strategy_order or sorted(table["strategy"].unique())
        table = _in_order(table, streams, strategies)
        # No G-mean (no minority event scored: the model made no prediction on them) ranks last.
        by_stream = table.groupby("stream", sort=False)["gmean"]
        table["gmean_rank"] = by_stream.rank(ascending=False, na_option="bottom")
        windows = list(windows)
        columns = ["stream", "strategy", "end", "gmean"]
        frame = pd.concat(windows)[columns] if windows else pd.DataFrame(columns=columns)
        frame = _in_order(frame, streams, strategies, "end")
        return cls(table, frame, dict(drift_points or {}))

    @property
    def streams(self) -> list[str]:
        return list(self.table["stream"].unique())

    def summary(self) -> pd.DataFrame:
        """Per strategy, the mean of each score over the streams and the mean G-mean rank.

        Sorted by mean rank, then by mean G-mean.
        """
        columns = [c for c in LABELS if c in self.table]
        groups = self.table.groupby("strategy", sort=False)
        means = groups[columns].mean().assign(n_scored=groups["gmean"].count())
        return means.sort_values(["gmean_rank", "gmean"], ascending=[True, False], kind="stable")

    def per_stream(self, column: str = "gmean") -> pd.DataFrame:
        """One row per stream, one column per strategy (best mean rank first)."""
        table = self.table.pivot(index="stream", columns="strategy", values=column)
        return table.loc[self.streams, list(self.summary().index)]

    def plot(self, stream: str):
        """The strategies' windowed G-mean over `stream`, as a matplotlib `Figure`."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(11, 5.5), layout="constrained")
        axes = figure.add_subplot()
        windows = self.windows[self.windows["stream"] == stream]
        order = list(self.summary().index)
        cmap = _colours(len(order))
        for i, strategy in enumerate(order):
            curve = windows[windows["strategy"] == strategy]
            style = "-" if i < 10 else "--" if i < 20 else ":"
            colour, width = ("black", 2.6) if strategy == "default" else (cmap[i], 1.4)
            axes.plot(curve["end"], curve["gmean"], style, color=colour, label=strategy, lw=width)
        for position, kind in self.drift_points.get(stream, []):
            colour = "black" if kind == "concept" else "grey"
            axes.axvline(position, color=colour, ls=(0, (4, 3)), lw=0.9)
        axes.set(
            title=f"{stream}: windowed G-mean (verticals: concept drift black, prior shift grey)",
            xlabel="events",
            ylabel="G-mean over the window",
            ylim=(-0.02, 1.02),
        )
        axes.grid(alpha=0.3)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
        return figure

    def to_markdown(self, header: Sequence[str] = (), notes: Sequence[str] = ()) -> str:
        """The report: `header` lines, the mean over streams, the G-mean per stream, `notes`."""
        summary = self.summary().rename(columns=LABELS)
        summary.index.name = "strategy"
        per_stream = self.per_stream()
        sections = [
            *header,
            f"## Mean over {len(self.streams)} streams (sorted by mean G-mean rank)",
            _markdown(summary),
            "## G-mean per stream",
            _markdown(per_stream),
            "## G-mean rank per stream (1 is best)",
            _markdown(self.per_stream("gmean_rank"), "{:.1f}"),
            MEMORY_NOTE,
            *notes,
        ]
        return "\n\n".join(sections) + "\n"

    def save(
        self,
        directory: str | os.PathLike,
        header: Sequence[str] = (),
        notes: Sequence[str] = (),
    ) -> pathlib.Path:
        """Write `results.csv`, `windows.csv`, `results.md` and `plots/<stream>.png`."""
        path = pathlib.Path(directory)
        (path / "plots").mkdir(parents=True, exist_ok=True)
        self.table.to_csv(path / "results.csv", index=False)
        self.windows.to_csv(path / "windows.csv", index=False)
        (path / "results.md").write_text(self.to_markdown(header, notes))
        for stream in self.streams:
            self.plot(stream).savefig(path / "plots" / f"{_file_name(stream)}.png", dpi=100)
        return path


def _in_order(frame: pd.DataFrame, streams, strategies, *then: str) -> pd.DataFrame:
    rank = {name: i for i, name in enumerate(streams)}
    position = {name: i for i, name in enumerate(strategies)}
    keys = frame.assign(_s=frame["stream"].map(rank), _k=frame["strategy"].map(position))
    keys = keys.sort_values(["_s", "_k", *then], kind="stable")
    return keys.drop(columns=["_s", "_k"]).reset_index(drop=True)


def _markdown(frame: pd.DataFrame, default: str = "{:.3f}") -> str:
    """`frame` as a Markdown table, each column with the precision its quantity deserves."""
    text = frame.copy()
    for column in frame.columns:
        form = _FORMATS.get(column, default)
        text[column] = [form.format(value) for value in frame[column]]
    align = ("left",) + ("right",) * len(frame.columns)
    return text.to_markdown(disable_numparse=True, colalign=align)


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def _file_name(stream: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stream)
