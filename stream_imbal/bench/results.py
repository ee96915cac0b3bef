"""A benchmark's results: the scores per (stream, strategy, seed), their ranks, tables and plots.

Ranks are per (stream, seed), by G-mean, best first; G-means equal to 3 decimals tie and share
their mean rank (`gmean_ranks`). The reports average them over seeds and streams. Per stream,
a strategy's score is its mean over the seeds, with their standard deviation as its spread; a
strategy is "within reach" on a stream when that mean G-mean is at most `REACH` (0.005) below
the best one there.

"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from stream_imbal.bench.detection import DETECTION_COLUMNS

__all__ = ["LABELS", "REACH", "BenchResults", "gmean_ranks"]

#: Column -> heading in the Markdown report.
LABELS = {
    "gmean": "G-mean",
    "gmean_windowed": "windowed G-mean",
    "minority_recall": "minority recall",
    "minority_precision": "minority precision",
    "f1": "minority F1",
    "pr_auc": "PR-AUC (windowed)",
    "recall_at_budget": "recall at 1% alerts (windowed)",
    "alert_rate": "alert rate",
    "kappa": "kappa",
    "events_per_s": "events/s",
    "peak_memory_mib": "peak memory (MiB)",
    "gmean_rank": "G-mean rank (mean)",
    "n_best": "streams best or within 0.005",
    "n_scored": "streams with a G-mean",
}
#: How far below the best mean G-mean of a stream still counts as "within reach" of it.
REACH = 0.005
#: G-means equal to this many decimals tie in the ranks.
RANK_DECIMALS = 3
_FORMATS = {
    LABELS["events_per_s"]: "{:,.0f}",
    LABELS["peak_memory_mib"]: "{:.2f}",
    LABELS["gmean_rank"]: "{:.2f}",
    LABELS["n_scored"]: "{:d}",
    LABELS["n_best"]: "{:d}",
}
MEMORY_NOTE = (
    "Peak memory: the peak resident set size of the job's own worker process while it builds "
    "the model and runs it, above the worker's size once the events are loaded and a 300-event "
    "warm-up run has loaded the code (and started the Java VM of MOA's learners), the largest "
    "over the seeds. Events/s "
    "includes the evaluation's own cost. A strategy without a G-mean on a stream (it predicted "
    "none of the minority events) ranks last there, and its mean scores are over the other "
    "streams."
)


#: Drift-detection column -> heading.
DETECTION = dict(
    zip(
        DETECTION_COLUMNS,
        (
            "concept drifts",
            "detected",
            "mean delay (events)",
            "false alarms",
            "false alarms per 100k events",
        ),
        strict=True,
    )
)
DETECTION_NOTE = (
    "For the strategies that report drift events. A true concept drift is detected by the "
    "first `concept` drift event from its start (the first event of its transition, if gradual) "
    "until the start of the next true concept drift or a quarter of the stream later; every "
    "other `concept` event is a false alarm, including those after a prior shift alone (see "
    "`stream_imbal.bench.detection`). On a KEEL table, shuffled and so stationary, every "
    "concept alarm is false."
)


@dataclasses.dataclass(eq=False)
class BenchResults:
    """What `run_bench` measured.

    Attributes
    ----------
    table
        One row per (stream, strategy, seed): `stream`, `strategy`, `seed`, `family`,
        `n_events`, the scores of `METRICS`, `events_per_s`, `peak_memory_mib`, the drift
        detection columns (`stream_imbal.bench.detection`), and `gmean_rank`, the strategy's
        G-mean rank on that stream and seed (`gmean_ranks`).
    windows
        One row per (stream, strategy, seed, window): `stream`, `strategy`, `seed`, `end`,
        `gmean`.
    drift_points
        Stream -> its known `(position, kind)` changes, drawn on the plots.

    Examples
    --------
    >>> import pandas as pd
    >>> from stream_imbal.bench import BenchResults
    >>> rows = [
    ...     {"stream": s, "strategy": k, "seed": seed, "gmean": g}
    ...     for s, k, seed, g in [
    ...         ("a", "x", 1, 0.9), ("a", "y", 1, 0.8), ("a", "x", 2, 0.7), ("a", "y", 2, 0.7001),
    ...         ("b", "x", 1, 0.5), ("b", "y", 1, 0.7), ("b", "x", 2, 0.6), ("b", "y", 2, 0.7),
    ...     ]
    ... ]
    >>> results = BenchResults.from_runs(rows, [])
    >>> results.table[["stream", "seed", "strategy", "gmean_rank"]].head(4)
      stream  seed strategy  gmean_rank
    0      a     1        x         1.0
    1      a     2        x         1.5
    2      a     1        y         2.0
    3      a     2        y         1.5
    >>> results.summary()[["gmean", "gmean_rank", "n_best"]].to_dict("index")
    {'y': {'gmean': 0.725025, 'gmean_rank': 1.375, 'n_best': 1}, \
'x': {'gmean': 0.675, 'gmean_rank': 1.625, 'n_best': 1}}

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
        """Gather the jobs' rows and windows, sorted by stream, strategy then seed, and rank."""
        table = pd.DataFrame(list(rows))
        if "seed" not in table:
            table["seed"] = 1
        streams = stream_order or sorted(table["stream"].unique())
        strategies = strategy_order or sorted(table["strategy"].unique())
        table = _in_order(table, streams, strategies, "seed")
        table["gmean_rank"] = gmean_ranks(table)
        windows = list(windows)
        columns = ["stream", "strategy", "seed", "end", "gmean"]
        frame = pd.concat(windows) if windows else pd.DataFrame(columns=columns)
        if "seed" not in frame:
            frame["seed"] = 1
        frame = _in_order(frame[columns], streams, strategies, "seed", "end")
        return cls(table, frame, dict(drift_points or {}))

    @property
    def streams(self) -> list[str]:
        return list(self.table["stream"].unique())

    @property
    def seeds(self) -> list[int]:
        return sorted(self.table["seed"].unique())

    def stream_means(self) -> pd.DataFrame:
        """Per (strategy, stream), the mean of each score over the seeds (the peak memory: the
        largest; the G-mean: none when a seed has none), with `gmean_std` and `pr_auc_std`, their
        standard deviation over the seeds."""
        columns = [c for c in self.table.columns if c in LABELS or c in DETECTION]
        groups = self.table.groupby(["strategy", "stream"], sort=False)
        means = groups[columns].mean()
        # A seed without a G-mean leaves the stream without one: no mean over the lucky seeds.
        means["gmean"] = groups["gmean"].agg(lambda values: values.mean(skipna=False))
        if "peak_memory_mib" in means:
            means["peak_memory_mib"] = groups["peak_memory_mib"].max()
        spread = groups[["gmean", *[c for c in ("pr_auc",) if c in self.table]]].std(ddof=0)
        return means.join(spread.add_suffix("_std"))

    def summary(self) -> pd.DataFrame:
        """Per strategy, the mean over the streams of each score's mean over the seeds, the mean
        G-mean rank over (stream, seed), and on how many streams it is the best or within
        `REACH` of the best (`n_best`) and has a G-mean at all (`n_scored`).

        Sorted by mean rank, then by mean G-mean.
        """
        per_stream = self.stream_means()
        columns = [c for c in LABELS if c in per_stream]
        groups = per_stream.groupby(level="strategy", sort=False)
        best = per_stream["gmean"].groupby(level="stream").transform("max")
        within = (per_stream["gmean"] >= best - REACH).groupby(level="strategy").sum()
        means = (
            groups[columns]
            .mean()
            .assign(n_best=within.astype(int), n_scored=groups["gmean"].count())
        )
        return means.sort_values(["gmean_rank", "gmean"], ascending=[True, False], kind="stable")

    def per_stream(self, column: str = "gmean") -> pd.DataFrame:
        """One row per stream, one column per strategy (best mean rank first): the mean over
        the seeds of `column`."""
        means = self.stream_means()[column].unstack("strategy")
        return means.loc[self.streams, list(self.summary().index)]

    def best_per_stream(self) -> pd.DataFrame:
        """Per stream, the strategy with the best mean G-mean, and where `default` stands."""
        table = self.per_stream()
        rows = []
        for stream, scores in table.iterrows():
            row = {"stream": stream, "best": scores.idxmax(), "best G-mean": scores.max()}
            if "default" in scores:
                row["default G-mean"] = scores["default"]
                row["default - best"] = scores["default"] - scores.max()
                row[f"default within {REACH}"] = bool(scores["default"] >= scores.max() - REACH)
            rows.append(row)
        return pd.DataFrame(rows).set_index("stream")

    def spread_table(self, stream: str) -> pd.DataFrame:
        """For `stream`, each strategy's mean and standard deviation over the seeds of G-mean and
        PR-AUC and its mean rank, best mean G-mean first."""
        means = self.stream_means().xs(stream, level="stream")
        table = pd.DataFrame(
            {
                "G-mean": _spread(means["gmean"], means["gmean_std"]),
                "PR-AUC (windowed)": _spread(means["pr_auc"], means["pr_auc_std"])
                if "pr_auc" in means
                else "",
                "G-mean rank (mean)": means["gmean_rank"].map("{:.1f}".format),
            }
        )
        order = means["gmean"].sort_values(ascending=False, kind="stable").index
        table.index.name = "strategy"
        return table.loc[order]

    def detection(self) -> pd.DataFrame:
        """Per (stream, strategy) with drift events, the mean over seeds of the drift-detection
        columns: concept drifts, detected, mean delay, false alarms (count and per 100k events)."""
        if "false_alarms_per_100k" not in self.table:
            return pd.DataFrame()
        rows = self.table.dropna(subset=["false_alarms_per_100k"])
        if rows.empty:
            return pd.DataFrame()
        means = rows.groupby(["stream", "strategy"], sort=False)[list(DETECTION)].mean()
        return means.rename(columns=DETECTION).reset_index().set_index("stream")

    def speed_ratios(self, reference: str = "default") -> pd.DataFrame:
        """Per strategy, `reference`'s events/s over its own on the same (stream, seed) of this
        run: the geometric mean, the smallest and the largest over them."""
        speed = self.table.pivot_table(
            index=["stream", "seed"], columns="strategy", values="events_per_s"
        )
        if reference not in speed:
            return pd.DataFrame()
        ratios = np.log(speed.rdiv(speed[reference], axis=0))
        table = pd.DataFrame(
            {
                f"{reference} speed / its speed (geometric mean)": np.exp(ratios.mean()),
                "smallest": np.exp(ratios.min()),
                "largest": np.exp(ratios.max()),
            }
        ).drop(index=reference)
        table.index.name = "strategy"
        return table.sort_values(table.columns[0], kind="stable")

    def plot(self, stream: str):
        """The strategies' windowed G-mean over `stream` (mean over the seeds), as a `Figure`."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(11, 5.5), layout="constrained")
        axes = figure.add_subplot()
        windows = self.windows[self.windows["stream"] == stream]
        mean = windows.groupby(["strategy", "end"], sort=False)["gmean"].mean().reset_index()
        order = list(self.summary().index)
        cmap = _colours(len(order))
        for i, strategy in enumerate(order):
            curve = mean[mean["strategy"] == strategy]
            style = "-" if i < 10 else "--" if i < 20 else ":"
            colour, width = ("black", 2.6) if strategy == "default" else (cmap[i], 1.4)
            axes.plot(curve["end"], curve["gmean"], style, color=colour, label=strategy, lw=width)
        for position, kind in self.drift_points.get(stream, []):
            colour = "black" if kind == "concept" else "grey"
            axes.axvline(position, color=colour, ls=(0, (4, 3)), lw=0.9)
        axes.set(
            title=f"{stream}: windowed G-mean, mean over {len(self.seeds)} seed(s) "
            "(verticals: concept drift black, prior shift grey)",
            xlabel="events",
            ylabel="G-mean over the window",
            ylim=(-0.02, 1.02),
        )
        axes.grid(alpha=0.3)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
        return figure

    def to_markdown(self, header: Sequence[str] = (), notes: Sequence[str] = ()) -> str:
        """The report: `header` lines, the means over streams, who is best per stream, the
        G-mean per stream, each stream's spread over seeds, drift detection, speed, `notes`."""
        summary = self.summary().rename(columns=LABELS)
        summary.index.name = "strategy"
        n_seeds = len(self.seeds)
        sections = [
            *header,
            f"## Mean over {len(self.streams)} streams and {n_seeds} seed(s) "
            "(sorted by mean G-mean rank)",
            f"Ranks are per (stream, seed), G-means equal to {RANK_DECIMALS} decimals tied "
            f"(they share their mean rank), then averaged. `{LABELS['n_best']}`: streams where "
            f"the strategy's mean G-mean over the seeds is the best or at most {REACH} below it.",
            _markdown(summary),
            "## Best strategy per stream (mean G-mean over the seeds)",
            self.best_per_stream().to_markdown(floatfmt=".3f"),
            "## G-mean per stream (mean over the seeds)",
            _markdown(self.per_stream()),
            "## G-mean rank per stream (mean over the seeds; 1 is best)",
            _markdown(self.per_stream("gmean_rank"), "{:.1f}"),
            f"## Per stream: mean ± standard deviation over {n_seeds} seed(s)",
        ]
        for stream in self.streams:
            table = self.spread_table(stream)
            sections += [f"### {stream}", table.to_markdown(disable_numparse=True)]
        detection = self.detection()
        if not detection.empty:
            sections += [
                "## Concept-drift detection (mean over the seeds)",
                DETECTION_NOTE,
                _markdown(detection, "{:.1f}"),
            ]
        speed = self.speed_ratios()
        if not speed.empty:
            sections += [
                "## Speed relative to the default, on the same streams and seeds in this run",
                _markdown(speed, "{:.2f}"),
            ]
        sections += [MEMORY_NOTE, *notes]
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


def gmean_ranks(table: pd.DataFrame) -> pd.Series:
    """Each row's G-mean rank among the strategies of its (stream, seed); 1 is best.

    G-means equal to `RANK_DECIMALS` decimals tie and share their mean rank; a missing G-mean
    (the model predicted none of the minority events) ranks last.

    >>> import pandas as pd
    >>> from stream_imbal.bench.results import gmean_ranks
    >>> table = pd.DataFrame({"stream": ["a"] * 4, "seed": [1] * 4,
    ...                       "gmean": [0.9, 0.80001, 0.8, float("nan")]})
    >>> gmean_ranks(table).tolist()
    [1.0, 2.5, 2.5, 4.0]

    """
    rounded = table["gmean"].round(RANK_DECIMALS)
    by_run = rounded.groupby([table["stream"], table["seed"]], sort=False)
    return by_run.rank(method="average", ascending=False, na_option="bottom")


def _spread(mean: pd.Series, std: pd.Series) -> pd.Series:
    return pd.Series(
        [f"{m:.3f} ± {s:.3f}" if pd.notna(m) else "-" for m, s in zip(mean, std, strict=True)],
        index=mean.index,
    )


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
        if pd.api.types.is_numeric_dtype(frame[column]):
            text[column] = [form.format(value) for value in frame[column]]
    align = ("left",) + ("right",) * len(frame.columns)
    return text.to_markdown(disable_numparse=True, colalign=align)


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def _file_name(stream: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stream)
