"""The HTML report of a run: figures, per-segment tables, the CLI and the page in a browser."""

from __future__ import annotations

import base64
import json
import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib import colors
from matplotlib.image import imread

from stream_imbal.cli import main
from stream_imbal.report import (
    FIGURES,
    RunFiles,
    ScenarioRecord,
    scores_figure,
    segment_table,
    write_report,
)
from stream_imbal.report.figures import DETECTED, SIZE, TRUE

NAN = math.nan


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """A simulated demo run (drift half-way, at 2000) with its report in `report/`."""
    run = tmp_path_factory.mktemp("demo")
    args = ["simulate", "demo", "--events", "4000", "--out", str(run), "--no-progress"]
    result = CliRunner().invoke(main, [*args, "--report", str(run / "report")])
    assert result.exit_code == 0, result.output
    assert f"report written to {run / 'report' / 'report.html'}" in result.output
    return run


def _window(start, end, tp, fp, fn, tn, **scores):
    recall = tp / (tp + fn) if tp + fn else NAN
    row = {"start": start, "end": end, "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    row |= {"gmean": recall, "minority_recall": recall}
    row |= {"minority_precision": tp / (tp + fp) if tp + fp else NAN, "threshold": 0.3}
    row |= {"prior_estimate": 0.1, "prior_low": 0.05, "prior_high": 0.15, "prior_true": 0.1}
    return row | scores


def _write_run(path, windows, drift_events=(), scenario=None):
    """A run directory as a run writes it, from window rows and `(index, kind)` drifts."""
    path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(windows).to_csv(path / "windows.csv", index=False)
    events = pd.DataFrame(list(drift_events), columns=["index", "kind"]).assign(detector="test")
    events.to_csv(path / "drift_events.csv", index=False)
    (path / "summary.json").write_text(json.dumps({"gmean": 0.5, "pr_auc": None}))
    if scenario:
        scenario.write(path)
    return path


def _pixels(path):
    """The RGB pixels of a PNG file, in [0, 1]."""
    return imread(path)[..., :3]


def _n_colours(pixels):
    rgb = np.round(pixels.reshape(-1, 3) * 255).astype(np.uint32)
    return len(np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]))


def test_the_report_embeds_real_non_blank_images(demo_run):
    page = (demo_run / "report" / "report.html").read_text()
    for name in FIGURES:
        png = demo_run / "report" / f"{name}.png"
        pixels = _pixels(png)
        assert pixels.shape == (SIZE[1], SIZE[0], 3)
        assert pixels.std() > 0.05 and _n_colours(pixels) > 50, name
        assert f"data:image/png;base64,{base64.b64encode(png.read_bytes()).decode()}" in page
        assert f'href="{name}.png"' in page
    assert "Segments between detected drifts" in page and "abrupt at 2,000" in page


def test_simulate_records_the_scenario_for_later_reports(demo_run):
    record = ScenarioRecord.read(demo_run)
    assert record.name == "demo" and record.n_events == 4000
    assert record.drift_points == [(2000, "concept")]
    assert "abrupt at 2,000" in record.description


def test_true_drifts_are_dashed_lines_on_every_figure(demo_run):
    run = RunFiles.read(demo_run)
    for name, build in FIGURES.items():
        lines = [line for line in build(run).axes[0].lines if line.get_gid() == TRUE]
        assert [float(line.get_xdata()[0]) for line in lines] == [2000.0], name
        assert all(line.get_linestyle() == "--" for line in lines)


def test_detected_drifts_are_coloured_by_kind(tmp_path):
    windows = [_window(k * 100, (k + 1) * 100, 5, 5, 5, 85) for k in range(4)]
    run = RunFiles.read(_write_run(tmp_path, windows, [(250, "concept"), (120, "prior")]))
    for build in FIGURES.values():
        lines = [line for line in build(run).axes[0].lines if line.get_gid() == DETECTED]
        assert [float(line.get_xdata()[0]) for line in lines] == [120.0, 250.0]
        prior, concept = (colors.to_hex(line.get_color()) for line in lines)
        assert prior != concept


def test_a_window_without_minority_events_leaves_a_gap(tmp_path):
    windows = [_window(k * 1000, (k + 1) * 1000, 8, 20, 2, 970, gmean=0.9) for k in range(5)]
    windows[2] = _window(2000, 3000, 0, 15, 0, 985)  # no positive: recall and G-mean are NaN
    run = RunFiles.read(_write_run(tmp_path, windows))
    assert run.windows["gmean"].isna().tolist() == [False, False, True, False, False]
    figure = scores_figure(run)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)
    axes = figure.axes[0]
    blue = np.array(colors.to_rgb("tab:blue")) * 255  # the G-mean line

    box = axes.get_window_extent()
    inside = pixels[len(pixels) - round(box.y1) : len(pixels) - round(box.y0)]  # y is flipped

    def blue_pixels_at(event):
        column = round(axes.transData.transform((event, 0.5))[0])
        return int((np.abs(inside[:, column] - blue).sum(axis=1) < 60).sum())

    # windows end at 1000, 2000, ...: the line joins 1000-2000 and 4000-5000, not 2000-4000
    assert blue_pixels_at(1500) > 0 and blue_pixels_at(4500) > 0
    assert blue_pixels_at(2500) == 0 and blue_pixels_at(3500) == 0
    shaded = [patch.get_x() for patch in axes.patches if patch.get_label() == "no minority event"]
    assert shaded == [2000]
    page = write_report(tmp_path)
    assert (page.parent / "scores.png").stat().st_size > 0


def test_a_single_class_run_renders(tmp_path):
    # The command line refuses to score such a run (tests/test_cli_errors.py); a run directory
    # written by the library, e.g. a replay of a quiet stretch, still gets its report.
    from stream_imbal.evaluate import prequential
    from stream_imbal.presets import build_preset

    events = [({"a": i % 7 / 7}, 0) for i in range(2500)]
    out, report = tmp_path / "run", tmp_path / "report"
    prequential(build_preset("default"), events, window_size=1000).to_csv(out)
    result = CliRunner().invoke(main, ["report", str(out), "--out", str(report)])
    assert result.exit_code == 0, result.output
    windows = pd.read_csv(out / "windows.csv")
    assert windows["gmean"].isna().all() and windows["prior_estimate"].isna().all()
    for name in FIGURES:
        pixels = _pixels(report / f"{name}.png")
        assert pixels.shape == (SIZE[1], SIZE[0], 3) and pixels.std() > 0.02
    axes = scores_figure(RunFiles.read(out)).axes[0]
    assert not axes.lines and "no minority event" in axes.texts[0].get_text()
    page = (report / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(FIGURES)
    assert 'G-mean</td><td class="number">–' in page  # NaN summary score shown as a dash


def test_segments_sum_the_counts_between_detected_drifts():
    windows = pd.DataFrame([_window(k * 100, (k + 1) * 100, k, 1, 1, 98 - k) for k in range(6)])
    drifts = pd.DataFrame({"index": [450, 150, 160], "kind": ["prior", "concept", "prior"]})
    table = segment_table(windows, drifts)
    # windows end at 100, ..., 600: one before 150, three after 150 and 160, two after 450
    assert table[["start", "end"]].values.tolist() == [[0, 100], [100, 400], [400, 600]]
    assert table["after"].tolist() == ["", "concept at 150; prior at 160", "prior at 450"]
    assert table[["tp", "fp", "fn", "tn"]].values.tolist() == [
        [0, 1, 1, 98],
        [1 + 2 + 3, 3, 3, 97 + 96 + 95],
        [4 + 5, 2, 2, 94 + 93],
    ]
    first, second = table.iloc[0], table.iloc[1]
    assert first["recall"] == 0.0 and first["precision"] == 0.0 and first["gmean"] == 0.0
    assert second["recall"] == pytest.approx(6 / 9)
    assert second["gmean"] == pytest.approx(math.sqrt(6 / 9 * 288 / 291))


def test_a_segment_without_positives_has_nan_scores_not_an_error():
    windows = pd.DataFrame([_window(0, 100, 0, 0, 0, 100)])
    row = segment_table(windows, pd.DataFrame({"index": [], "kind": []})).iloc[0]
    assert row["tn"] == 100 and math.isnan(row["recall"]) and math.isnan(row["precision"])
    assert math.isnan(row["gmean"])


def test_report_command_writes_into_out(demo_run, tmp_path):
    result = CliRunner().invoke(main, ["report", str(demo_run), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "candidates.png",
        "prior.png",
        "report.html",
        "scores.png",
        "threshold.png",
    ]


GOOD = _window(0, 100, 1, 2, 3, 94)
HEADER = ",".join(GOOD)
ROW = ",".join(str(value) for value in GOOD.values())


@pytest.mark.parametrize(
    "files, message",
    [
        ({}, "no windows.csv"),
        ({"windows.csv": ""}, "not a readable CSV"),
        ({"windows.csv": "start,end\n0,1"}, "missing column(s) tp, fp, fn, tn, gmean"),
        ({"windows.csv": b"\xff\xfe\x00garbage"}, "not a readable CSV"),
        ({"windows.csv": f'{HEADER}\n"0,100'}, "not a readable CSV"),
        ({"windows.csv": HEADER + "\n"}, "holds no windows"),
        ({"windows.csv": f"{HEADER}\n{ROW.replace('0.25', 'abc', 1)}"}, "holds 'abc'"),
        ({"windows.csv": f"{HEADER}\n{ROW.replace('94', '', 1)}"}, "must be counts"),
        ({"windows.csv": f"{HEADER}\n{ROW}\n{ROW}"}, "ordered by `end`"),
        ({"windows.csv": f"{HEADER}\n{ROW}", "summary.json": "{"}, "not valid JSON"),
        ({"windows.csv": f"{HEADER}\n{ROW}", "drift_events.csv": "index\n5"}, "and a kind"),
        ({"windows.csv": f"{HEADER}\n{ROW}", "scenario.json": "[]"}, "not a scenario record"),
    ],
)
def test_a_bad_run_directory_is_a_usage_error(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_missing_run_directory_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_page_renders_in_a_browser(demo_run, tmp_path):
    screenshot = tmp_path / "page.png"
    subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            "--window-size=1280,2000",
            (demo_run / "report" / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = _pixels(screenshot)
    assert pixels.shape == (2000, 1280, 3)
    # text alone gives a few dozen greys; the embedded figures bring their line colours
    assert pixels.std() > 0.05 and _n_colours(pixels) > 500
    figure_blue = (np.abs(pixels - colors.to_rgb("tab:blue")).sum(axis=-1) < 0.05).sum()
    assert figure_blue > 100


def test_the_candidates_figure_stacks_the_blend_weights(tmp_path, demo_run):
    weights = [0.9, 0.6, 0.2, 0.1]
    windows = [
        _window(k * 100, (k + 1) * 100, 5, 5, 5, 85, weight_linear=w, weight_forest=1 - w)
        for k, w in enumerate(weights)
    ]
    figure = FIGURES["candidates"](RunFiles.read(_write_run(tmp_path, windows)))
    axes = figure.axes[0]
    assert len(axes.collections) == 2  # one band per candidate
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend == ["linear", "forest"]
    # the default's simulated run records its two candidates in windows.csv
    columns = pd.read_csv(demo_run / "windows.csv").columns
    assert {"weight_linear", "weight_forest"} <= set(columns)
    single = [_window(k * 100, (k + 1) * 100, 5, 5, 5, 85) for k in range(2)]
    empty = FIGURES["candidates"](RunFiles.read(_write_run(tmp_path / "one", single)))
    assert "no blend" in empty.axes[0].texts[0].get_text()
