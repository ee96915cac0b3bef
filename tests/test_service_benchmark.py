"""The service benchmark script runs end to end on a tiny stream (its figures are not checked:
they belong to the benchmark, not to the tests).

A smoke run, kept to about 10 s: a few hundred events through (a), (c) and both service presets,
each started from a model file trained on 3,000 events.
The scale-out and memory runs start service processes and wait for group joins (half a minute
more); they are left to the benchmark itself (`--scale-out-events 0 --memory-events 0` here).
"""

import re

from tests.scripts import run_benchmark


def test_service_benchmark_runs_and_reports_every_rate(tmp_path):
    out = run_benchmark(
        "service.py",
        *("--events", "500", "--scale-out-events", "0", "--memory-events", "0", "--rounds", "1"),
        *("--trained-events", "3000"),
        cwd=tmp_path,
    )
    rates = dict(re.findall(r"^\| ([^|\d][^|]*?) \| ([\d,]+) \| [\d.]+ \|", out, re.MULTILINE))
    labels = ("every event labelled", "2% labelled")
    assert set(rates) == {
        "kafka-python + decode (a)",
        *(f"(a) + send one message per event, no model (c), {k}" for k in labels),
        *(f"service, {p} (b), {k}" for p in ("logistic-regression", "default") for k in labels),
    }
    assert all(int(rate.replace(",", "")) > 0 for rate in rates.values())
    row = (
        r"^\| service, [^|]+ \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+-[\d.]+ \| (\d+) \| (\d+) "
        r"\| (\d+)% \|$"
    )
    found = re.findall(row, out, re.MULTILINE)
    assert len(found) == 4 and all(int(p50) <= int(p99) for p50, p99, _ in found)
    assert all(scored == "100" for _, _, scored in found)  # started from a trained model
