"""Where a run writes: a new directory per run unless `--out` names one, checked before it runs.

A run without `--out` writes into `runs/<name>-<YYYYmmdd-HHMMSS>` (with `-2`, `-3`... if that
exists), so that no run overwrites another, and `runs/latest` points at the newest run that
finished; the directory of a run that failed before writing anything is removed.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pathlib
import tempfile
from collections.abc import Iterator

from stream_imbal.cli import UserError

__all__ = ["RUN_REPORT", "RUNS", "run_outputs", "writable_dir"]

RUNS = pathlib.Path("runs")
LATEST = "latest"
#: The value of a bare `--report`: the report goes into the run directory's `report/`.
RUN_REPORT = "<run>/report"


@contextlib.contextmanager
def run_outputs(
    out: pathlib.Path | None, name: str, report: str | None = None
) -> Iterator[tuple[pathlib.Path, pathlib.Path | None]]:
    """The run directory and the report directory (None: no report), both checked writable
    before the run; `runs/latest` is updated when the run ends without an error.

    >>> import os, tempfile
    >>> os.chdir(tempfile.mkdtemp())
    >>> with run_outputs(None, "events", RUN_REPORT) as (run, report):
    ...     _ = (run / "summary.json").write_text("{}")
    >>> run.parent.name, run.name.startswith("events-"), report == run / "report"
    ('runs', True, True)
    >>> os.readlink("runs/latest") == run.name
    True
    >>> with run_outputs(None, "events") as (failed, _):
    ...     raise ValueError("bad row")
    Traceback (most recent call last):
    ...
    ValueError: bad row
    >>> failed.exists(), os.readlink("runs/latest") == run.name
    (False, True)

    """
    run_dir = writable_dir(out, "--out") if out else _new_run_dir(name)
    report_dir = None
    if report is not None:
        report_dir = run_dir / "report" if report == RUN_REPORT else pathlib.Path(report)
        writable_dir(report_dir, "--report")
    try:
        yield run_dir, report_dir
    except BaseException:
        if not out:
            with contextlib.suppress(OSError):  # not empty: keep what was written
                if report_dir is not None and report_dir.parent == run_dir:
                    report_dir.rmdir()
                run_dir.rmdir()
        raise
    if not out:
        _point_latest(run_dir)


def writable_dir(path: pathlib.Path, option: str) -> pathlib.Path:
    """Create `path` if needed and check that a file can be written in it, or raise `UserError`
    naming `option`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise UserError(f"{option} {path}: cannot write there ({reason})") from None
    return path


def _new_run_dir(name: str) -> pathlib.Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    writable_dir(RUNS, "run directory")
    path, n = RUNS / f"{name}-{stamp}", 1
    while True:
        try:
            path.mkdir()
            break
        except FileExistsError:
            n += 1
            path = RUNS / f"{name}-{stamp}-{n}"
    return path


def _point_latest(path: pathlib.Path) -> None:
    """Make `runs/latest` a link to `path`, atomically; skipped where links are not allowed."""
    temporary = RUNS / f".{LATEST}-{os.getpid()}"
    try:
        temporary.symlink_to(path.name, target_is_directory=True)
        os.replace(temporary, RUNS / LATEST)
    except OSError:
        temporary.unlink(missing_ok=True)
