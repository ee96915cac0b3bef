"""The checkpoint benchmark times a full pending store's checkpoint in both layouts."""

from __future__ import annotations

import re

from tests.scripts import run_benchmark


def test_the_checkpoint_benchmark_reports_both_layouts():
    out = run_benchmark(
        "checkpoints.py",
        *("--pending", "2000", "--features", "6", "--learnt", "300", "--repeats", "1"),
    )
    rows = dict(
        re.findall(
            r"^\| ([a-z ()]+) \| ([\d,]+) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d,]+ \|$",
            out,
            re.M,
        )
    )
    assert set(rows) == {"columns", "former layout", "(no event pending)"}
    ratios = re.search(r"checkpoint ([\d.]+)x, restore ([\d.]+)x, memory ([\d.]+)x", out)
    assert ratios and float(ratios[3]) > 1  # an event takes less room packed
