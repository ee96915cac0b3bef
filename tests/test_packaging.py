"""The source distribution holds what a build needs: the compiled kernels' Cython sources."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tarfile

from tests.service_harness import REPO


def test_the_source_distribution_holds_every_kernels_sources(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(REPO, tree, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info"))
    done = subprocess.run(
        [sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path / "dist")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (archive,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        shipped = {pathlib.PurePosixPath(name).name for name in sdist.getnames()}
    sources = {p.name for p in (REPO / "stream_imbal").glob("_*.p[yx][xd]")}
    assert sources >= {"_hoeffding.pyx", "_scaling.pxd"}
    assert sources <= shipped
