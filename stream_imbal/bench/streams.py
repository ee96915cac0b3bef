"""The streams a benchmark runs on: a user's labelled file, or the scenarios of a TOML file.

A user's own labelled file (`stream-imbal bench --data FILE --target COLUMN`) is a stream of its
own (`LabelledFile`), in file order whatever the seed. A suite file holds `[[scenario]]` tables
(see `stream_imbal.simulation.load_scenario_suite`), each scenario with its own seed, used for
the run's first seed 1 (seed s adds s - 1 to it).

A seed regenerates every scenario (`BenchStream.with_seed`); any other source is a `Table`,
which reseeds itself (a file keeps its order, a shuffled table reshuffles). The research suites
(the streams the default was tuned on, the held-out report suite, the KEEL tables) are the
repository's `benchmarks/harness/suites.py`, not part of the installed library.

"""

from __future__ import annotations

import collections
import dataclasses
import functools
import pathlib
from collections.abc import Iterator, Sequence
from typing import Protocol

from stream_imbal.exceptions import ConfigError
from stream_imbal.files import read_labelled_events
from stream_imbal.missing import MissingValueError, MissingValues
from stream_imbal.simulation import Scenario, load_scenario_suite

__all__ = ["BenchStream", "LabelledFile", "Table", "load_suite_file", "select_streams"]


class Table(Protocol):
    """A stream with no known drift: `(x, y)` events, y True for the minority class."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[dict, bool]]: ...

    def with_seed(self, seed: int) -> Table:
        """The same table for seed `seed` (reshuffled, or itself when its order is its own)."""
        ...


@dataclasses.dataclass(frozen=True)
class LabelledFile:
    """A user's labelled CSV, Parquet or JSONL file as a benchmark stream, in file order.

    Its two classes become False and True, True the rarer (`minority`), as every strategy of
    the benchmark expects; a file with another number of classes is a `ConfigError`. Missing
    feature values go through the policy `missing` (`stream_imbal.missing`), so every strategy
    learns the same filled-in events.
    """

    path: str
    target: str
    features: tuple[str, ...] = ()
    missing: str = "impute"

    @functools.cached_property
    def _rows(self) -> list[tuple[dict, object]]:
        return list(read_labelled_events(self.path, self.target, features=self.features))

    @functools.cached_property
    def minority(self) -> object:
        """The rarer class of the file."""
        counts = collections.Counter(y for _, y in self._rows)
        if len(counts) != 2:
            raise ConfigError(
                f"{self.path}: the benchmark needs two classes in {self.target!r}, found "
                f"{len(counts)} ({', '.join(map(repr, list(counts)[:5]))})"
            )
        return min(counts, key=counts.__getitem__)

    def with_seed(self, seed: int) -> LabelledFile:
        """The file itself: its order is its own, whatever the seed."""
        return self

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        minority = self.minority
        policy = MissingValues(self.missing, list(self.features))
        for n, (x, y) in enumerate(self._rows, start=1):
            try:
                x = policy.prepare(x)
            except MissingValueError as error:
                if self.missing == "skip":
                    continue
                raise ConfigError(f"{self.path}: event {n}: {error}") from None
            yield x, y == minority


@dataclasses.dataclass(frozen=True, eq=False)
class BenchStream:
    """One stream of a benchmark: a simulated scenario or a `Table` (a file, a KEEL table).

    Attributes
    ----------
    name
        Its name in reports.
    source
        The scenario or the table.
    seed_offset
        Added to each seed of the run (a suite file's scenarios keep their own seeds).

    Examples
    --------
    >>> from stream_imbal.bench import BenchStream
    >>> from stream_imbal.simulation import get_scenario
    >>> stream = BenchStream("prior-shift", get_scenario("prior-shift", n_events=3_000))
    >>> len(stream), stream.window_size, stream.drift_points
    (3000, 375, [(1000, 'prior'), (2000, 'prior')])
    >>> x, y, truth = stream.events()[0]
    >>> sorted(x), truth.minority_share
    ([0, 1, 2], 0.05)
    >>> stream.with_seed(3).source.seed
    3

    """

    name: str
    source: Scenario | Table
    seed_offset: int = 0

    def with_seed(self, seed: int) -> BenchStream:
        """The same stream regenerated (a scenario) or reseeded (a table) with seed `seed`."""
        seed = seed + self.seed_offset
        source = self.source
        if not isinstance(source, Scenario):
            reseeded = source.with_seed(seed)
            return self if reseeded is source else dataclasses.replace(self, source=reseeded)
        scenario = Scenario(
            concepts=source.concepts,
            minority=source.minority,
            n_events=source.n_events,
            drifts=source.drifts,
            label_noise=source.label_noise,
            seed=seed,
            name=source.name,
        )
        return dataclasses.replace(self, source=scenario)

    def __len__(self) -> int:
        return self.source.n_events if isinstance(self.source, Scenario) else len(self.source)

    @property
    def window_size(self) -> int:
        """Events per evaluation window: an eighth of the stream, from 100 to 1000."""
        return min(1000, max(100, len(self) // 8))

    @property
    def drift_points(self) -> list[tuple[int, str]]:
        """The known `(position, kind)` changes; none for a table or a file."""
        return self.source.drift_points if isinstance(self.source, Scenario) else []

    @property
    def concept_drift_starts(self) -> list[int]:
        """Where each known concept drift starts (`Scenario.concept_drift_starts`); none for a
        table or a file."""
        return self.source.concept_drift_starts if isinstance(self.source, Scenario) else []

    def events(self) -> list[tuple]:
        """The `(x, y, truth)` events, truth None for a table or a file."""
        if isinstance(self.source, Scenario):
            return list(self.source.iter_truth())
        return [(x, y, None) for x, y in self.source]


def load_suite_file(path: str | pathlib.Path) -> list[BenchStream]:
    """The scenarios of a TOML suite file as streams, each keeping its own seed for seed 1.

    Every problem raises `ConfigError`.

    Examples
    --------
    >>> load_suite_file("suite.csv")
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: a suite is a .toml file of [[scenario]] tables, not \
'suite.csv'

    """
    if pathlib.Path(path).suffix != ".toml":
        raise ConfigError(f"a suite is a .toml file of [[scenario]] tables, not {str(path)!r}")
    return [BenchStream(s.name, s, seed_offset=s.seed - 1) for s in load_scenario_suite(path)]


def select_streams(streams: Sequence[BenchStream], names: Sequence[str]) -> list[BenchStream]:
    """The streams named in `names`, in that order; an unknown name raises `ConfigError`."""
    by_name = {stream.name: stream for stream in streams}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(
            f"no stream named {unknown[0]!r} in the suite; its streams: {', '.join(by_name)}"
        )
    return [by_name[name] for name in names]
