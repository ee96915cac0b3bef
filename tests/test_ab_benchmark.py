"""The A/B benchmark times two versions of the code, interleaved, and reports their ratio."""

from __future__ import annotations

import re

from tests.scripts import run_benchmark
from tests.service_harness import REPO


def test_ab_compares_a_version_with_itself():
    out = run_benchmark(
        "ab.py",
        *("--base", str(REPO), "--streams", "sea-prior-abrupt", "--strategies", "linear"),
        *("--events", "300", "--rounds", "2"),
    )
    row = re.search(
        r"^\| sea-prior-abrupt \| linear \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|",
        out,
        re.M,
    )
    assert row is not None, out
    base, new, ratio = map(float, row.groups())
    assert base > 0 and new > 0
    half = 0.05  # the times are printed to 0.1 us: the ratio of the unrounded times
    assert (new - half) / (base + half) - 5e-4 <= ratio <= (new + half) / (base - half) + 5e-4
