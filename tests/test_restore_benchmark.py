"""The restore benchmark compares a model restored in a fresh process with the one that went on."""

from __future__ import annotations

import re

from tests.scripts import run_benchmark


def test_the_restore_benchmark_finds_no_difference():
    out = run_benchmark("restore.py", "--stream", "yeast4", "--at", "400", "--until", "900")
    found = re.search(r"first differing (.+); ([\d,]+) of ([\d,]+) values differ", out)
    assert found, out
    assert (found[1], found[2], found[3]) == ("none", "0", "1,000")
