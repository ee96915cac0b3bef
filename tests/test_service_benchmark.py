"""The service benchmark script runs end to end on a tiny stream (its figures are not checked:
they belong to the benchmark, not to the tests)."""

import re
import subprocess
import sys

from tests.service_harness import REPO


def test_service_benchmark_runs_and_reports_every_row(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "service.py"),
            "--events",
            "3000",
            "--scale-out-events",
            "20000",
            "--memory-events",
            "2000",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    rates = dict(re.findall(r"^\| ([^|\d][^|]*?) \| ([\d,]+) \| [\d.]+ \|", out, re.MULTILINE))
    assert set(rates) == {
        "kafka-python + decode (a)",
        "(a) + send one message per event, no model (c)",
        "service, logistic-regression (b)",
        "service, default (b)",
    }
    assert all(int(rate.replace(",", "")) > 0 for rate in rates.values())
    scale = re.findall(r"^\| ([12]) \| ([\d,]+) \| ([\d,]+) \|$", out, re.MULTILINE)
    assert [instances for instances, _, _ in scale] == ["1", "2"]
    memory = re.findall(r"^\| ([\d,]+) \| (\d+) \|$", out, re.MULTILINE)
    assert [count for count, _ in memory] == [f"{200 * k:,}" for k in range(1, 11)]
    assert all(int(mb) > 50 for _, mb in memory)
