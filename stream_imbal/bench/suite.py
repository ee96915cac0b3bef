"""The streams a benchmark runs on: the standard suite, a quick one, or a TOML suite file.

The standard suite holds 8 synthetic scenarios mixing concept drift and prior shift at 1:50 to
1:500 (`stream_imbal.simulation.get_scenario`) and the KEEL tables of
`stream_imbal.datasets.KEEL_TABLES` (real imbalanced tables, 1:40 to 1:130, shuffled once with
the seed). The quick suite has the same streams, each scenario cut to a quarter of its length.
A suite file holds `[[scenario]]` tables (see `stream_imbal.simulation.load_scenario_suite`),
each scenario with its own seed.

"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Sequence

from stream_imbal.datasets import KEEL_TABLES, KeelTable
from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import Scenario, get_scenario, load_scenario_suite

__all__ = ["SCENARIOS", "SUITES", "BenchStream", "load_suite", "select_streams"]

SCENARIOS = (
    "sea-abrupt",
    "agrawal-gradual",
    "hyperplane-incremental",
    "rbf-prior-shift",
    "sine-abrupt-prior",
    "stagger-abrupt",
    "prior-shift",
    "mixed-500",
)
SUITES = ("standard", "quick")


@dataclasses.dataclass(frozen=True, eq=False)
class BenchStream:
    """One stream of a suite: a simulated scenario or a KEEL table.

    Attributes
    ----------
    name
        Its name in reports.
    source
        The scenario or the table.

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

    """

    name: str
    source: Scenario | KeelTable

    def __len__(self) -> int:
        return len(self.source) if isinstance(self.source, KeelTable) else self.source.n_events

    @property
    def window_size(self) -> int:
        """Events per evaluation window: an eighth of the stream, from 100 to 1000."""
        return min(1000, max(100, len(self) // 8))

    @property
    def drift_points(self) -> list[tuple[int, str]]:
        """The known `(position, kind)` changes; none for a table."""
        return [] if isinstance(self.source, KeelTable) else self.source.drift_points

    def events(self) -> list[tuple]:
        """The `(x, y, truth)` events, truth None for a table."""
        if isinstance(self.source, KeelTable):
            return [(x, y, None) for x, y in self.source]
        return list(self.source.iter_truth())


def load_suite(suite: str | pathlib.Path, seed: int = 1) -> list[BenchStream]:
    """The streams of `suite`: `standard`, `quick`, or the path of a TOML suite file.

    `seed` seeds the built-in scenarios and the shuffle of the KEEL tables; a file's scenarios
    keep their own seeds. Every problem raises `ConfigError`.

    Examples
    --------
    >>> from stream_imbal.bench import load_suite
    >>> [(s.name, len(s)) for s in load_suite("quick")][:3]
    [('sea-abrupt', 11250), ('agrawal-gradual', 7500), ('hyperplane-incremental', 10000)]
    >>> load_suite("fast")
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: unknown suite 'fast': standard, quick or a .toml file

    """
    if str(suite) in SUITES:
        quarter = str(suite) == "quick"
        streams = []
        for name in SCENARIOS:
            n_events = get_scenario(name).n_events // 4 if quarter else None
            streams.append(BenchStream(name, get_scenario(name, seed=seed, n_events=n_events)))
        return streams + [BenchStream(name, KeelTable(name, seed=seed)) for name in KEEL_TABLES]
    if pathlib.Path(suite).suffix != ".toml":
        raise ConfigError(f"unknown suite {str(suite)!r}: {', '.join(SUITES)} or a .toml file")
    return [BenchStream(s.name, s) for s in load_scenario_suite(suite)]


def select_streams(streams: Sequence[BenchStream], names: Sequence[str]) -> list[BenchStream]:
    """The streams named in `names`, in that order; an unknown name raises `ConfigError`."""
    by_name = {stream.name: stream for stream in streams}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(
            f"no stream named {unknown[0]!r} in the suite; its streams: {', '.join(by_name)}"
        )
    return [by_name[name] for name in names]
