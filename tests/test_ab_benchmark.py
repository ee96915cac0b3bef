"""The A/B benchmark times two versions of the code, interleaved, and reports their ratio."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.service_harness import REPO


def test_ab_compares_a_version_with_itself():
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "ab.py"),
            *("--base", str(REPO), "--streams", "sea-prior-abrupt", "--strategies", "linear"),
            *("--events", "300", "--rounds", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    row = re.search(
        r"^\| sea-prior-abrupt \| linear \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|",
        result.stdout,
        re.M,
    )
    assert row is not None, result.stdout
    base, new, ratio = map(float, row.groups())
    assert base > 0 and new > 0 and abs(ratio - new / base) < 0.01
