"""The checkpoint benchmark times a full pending store's checkpoint in both layouts."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.service_harness import REPO


def test_the_checkpoint_benchmark_reports_both_layouts():
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "checkpoints.py"),
            *("--pending", "2000", "--features", "6", "--learnt", "300", "--repeats", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = dict(
        re.findall(
            r"^\| ([a-z ()]+) \| ([\d,]+) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d,]+ \|$",
            result.stdout,
            re.M,
        )
    )
    assert set(rows) == {"columns", "former layout", "(no event pending)"}
    ratios = re.search(r"checkpoint ([\d.]+)x, restore ([\d.]+)x, memory ([\d.]+)x", result.stdout)
    assert ratios and float(ratios[3]) > 1  # an event takes less room packed
