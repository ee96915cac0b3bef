"""Running the benchmark scripts from the tests, as a user runs them."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from tests.service_harness import REPO


def run_benchmark(script: str, *args: str, cwd: pathlib.Path | None = None) -> str:
    """What `python benchmarks/<script> <args>` prints, once it has exited cleanly."""
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
