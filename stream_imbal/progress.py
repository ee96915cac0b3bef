"""Progress of a long run: a total and an ETA where the length is known, the throughput always.

On a terminal the bar redraws in place. Elsewhere (a log file, a pipe, CI) it writes one plain
line every `LOG_EVERY_S` seconds, and a last one at the end, instead of hundreds of redraws.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, TypeVar

from tqdm import tqdm

__all__ = ["LOG_EVERY_S", "progress"]

LOG_EVERY_S = 30.0
T = TypeVar("T")


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    unit: str = "events",
    desc: str | None = None,
    enabled: bool = True,
    file: IO[str] | None = None,
) -> Iterable[T]:
    """`iterable`, with a progress display on `file` (stderr) unless `enabled` is False.

    >>> import io
    >>> log = io.StringIO()  # not a terminal: plain lines
    >>> sum(progress(range(1000), total=1000, file=log))
    499500
    >>> log.getvalue().splitlines()[-1].startswith("100%")
    True
    """
    if not enabled:
        return iterable
    file = file if file is not None else sys.stderr
    options = {"total": total, "unit": unit, "desc": desc}
    if _is_terminal(file):
        return tqdm(iterable, file=file, dynamic_ncols=True, **options)
    return tqdm(
        iterable, file=_Lines(file), mininterval=LOG_EVERY_S, ncols=100, ascii=True, **options
    )


def _is_terminal(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


class _Lines:
    """A file where each redraw of the bar becomes a line of its own."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file

    def write(self, text: str) -> None:
        line = text.strip("\r\n")
        if line.strip():
            self._file.write(line + "\n")

    def flush(self) -> None:
        self._file.flush()
