"""The README's commands run as written: every `stream-imbal` command of its bash blocks, from a
fresh directory holding the repository's examples and config, exits 0. Left out, each for its
stated reason: those that need a Kafka broker or Docker, and benchmark runs (minutes to an
hour; `tests/test_bench.py` runs the benchmark on small suites)."""

from __future__ import annotations

import pathlib
import re
import shlex
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
# The commands share a directory and run in README order (`report runs/latest` reports the run
# before it): with pytest-xdist's `--dist loadgroup`, one worker runs them all, in order.
pytestmark = pytest.mark.xdist_group("readme")
NEEDS_A_BROKER = ("--to-kafka", " serve ")


def readme_commands() -> list[str]:
    """Each distinct `stream-imbal ...` command of the README's bash blocks, continuations
    joined, comments and the commands chained before it with && dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                command = part.split("  #")[0].split(" # ")[0].strip()
                if re.match(r"^(\w+=\S+ )*stream-imbal ", command) and command not in commands:
                    commands.append(command)
    return commands


def _skip_reason(command: str) -> str | None:
    if any(flag in f" {command} " for flag in NEEDS_A_BROKER):
        return "needs a Kafka broker"
    if " bench" in command and "--list" not in command:
        return "a benchmark run: minutes to an hour"
    return None


COMMANDS = readme_commands()


def test_the_readme_has_the_commands_this_test_expects():
    assert any(c.startswith("stream-imbal simulate") for c in COMMANDS)
    assert any(c.startswith("stream-imbal replay") for c in COMMANDS)
    assert any(c.startswith("stream-imbal evaluate") for c in COMMANDS)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A fresh directory with the repository's examples and config, shared by the commands in
    README order (`report runs/latest` reports the run before it)."""
    path = tmp_path_factory.mktemp("readme")
    for name in ("examples", "config"):
        (path / name).symlink_to(REPO / name)
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_a_readme_command_runs_as_written(command, workdir):
    reason = _skip_reason(command)
    if reason:
        pytest.skip(reason)
    words = shlex.split(command)
    process = subprocess.run(
        [sys.executable, "-c", "from stream_imbal.cli import main; main()", *words[1:]],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    assert "Traceback" not in process.stderr
