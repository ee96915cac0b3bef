"""The streams a benchmark runs on: the tune and report suites, a quick one, or a TOML file.

Two suites, kept apart so that the README does not report the streams the default was tuned on:

- `tune` (alias `standard`): the streams the default's settings were chosen on. 8 synthetic
  scenarios mixing concept drift and prior shift at 1:50 to 1:500
  (`stream_imbal.simulation.get_scenario`) and the KEEL tables of
  `stream_imbal.datasets.KEEL_TABLES` (real imbalanced tables, 1:40 to 1:130). `quick` is the
  same streams, each scenario cut to a quarter of its length.
- `report`: held-out streams, never used to choose a setting; the README's table comes from it.
  10 scenarios (8 non-linear: RandomRBF, Agrawal, STAGGER, Mixed, Sine, each kind with a prior
  shift and with a concept drift, at 1:30 to 1:1000; 1 linear SEA), of 20,000 events (30,000
  for the 1:1000 one), and 6 KEEL tables of `REPORT_TABLES` (1:26 to 1:80), none of which is in
  the tune suite.
- `dev-tables`: 14 more KEEL tables (`DEV_TABLES`, 1:10 to 1:86, 214 to 2,338 rows) for tuning
  on short real tables, in neither of the others; none shares its source data set with a report
  table.
- `dev-wide`: 8 KEEL tables of 34 to 142 features (`DEV_WIDE_TABLES`, four of them also in
  `dev-tables`), on which the forest's cap of watched features was chosen; in neither the tune
  nor the report suite, and from other source data sets than the report's.

A user's own labelled file (`stream-imbal bench --data FILE --target COLUMN`) is a stream of its
own (`LabelledFile`), in file order whatever the seed.

A seed regenerates every built-in scenario and reshuffles every table (`BenchStream.with_seed`).
A suite file holds `[[scenario]]` tables (see `stream_imbal.simulation.load_scenario_suite`),
each scenario with its own seed, used for the run's first seed 1 (seed s adds s - 1 to it).

"""

from __future__ import annotations

import collections
import dataclasses
import functools
import pathlib
from collections.abc import Sequence

from stream_imbal.datasets import KEEL_TABLES, KeelTable
from stream_imbal.exceptions import ConfigError
from stream_imbal.files import read_labelled_events
from stream_imbal.missing import MissingValueError, MissingValues
from stream_imbal.simulation import Scenario, get_scenario, load_scenario_suite

__all__ = [
    "DEV_TABLES",
    "DEV_WIDE_TABLES",
    "LabelledFile",
    "REPORT_SCENARIOS",
    "REPORT_TABLES",
    "SCENARIOS",
    "SUITES",
    "BenchStream",
    "load_suite",
    "select_streams",
]

#: The tune suite's scenarios.
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
#: The report suite's held-out scenarios (see `stream_imbal.simulation.get_scenario`).
REPORT_SCENARIOS = (
    "rbf5-prior",
    "rbf8-abrupt",
    "rbf15-gradual-prior",
    "agrawal2-prior",
    "agrawal6-abrupt",
    "stagger-prior",
    "stagger-abrupt-prior",
    "mixed-1000",
    "sine-gradual",
    "sea-prior-abrupt",
)
#: The report suite's held-out KEEL tables: other source data sets than the tune suite's where
#: possible, 1:26 to 1:80, 1,484 to 2,935 rows.
REPORT_TABLES = (
    "car-vgood",
    "yeast4",
    "winequality-red-4",
    "kr-vs-k-three_vs_eleven",
    "winequality-white-3-9_vs_5",
    "kr-vs-k-zero_vs_fifteen",
)
#: KEEL tables for tuning on short real tables: in neither the tune nor the report suite, and
#: from other source data sets than the report's (no car, kr-vs-k, yeast or wine quality).
DEV_TABLES = (
    "abalone-17_vs_7-8-9-10",
    "abalone-19_vs_10-11-12-13",
    "abalone-20_vs_8-9-10",
    "abalone9-18",
    "ecoli4",
    "flare-F",
    "glass4",
    "kddcup-guess_passwd_vs_satan",
    "kddcup-land_vs_portsweep",
    "led7digit-0-2-4-5-6-7-8-9_vs_1",
    "page-blocks-1-3_vs_4",
    "poker-8-9_vs_6",
    "poker-8_vs_6",
    "vowel0",
)
#: Wide KEEL tables (34 to 142 features, 101 to 2,233 rows, 1:18 to 1:77), for tuning what
#: depends on the number of features; from other source data sets than the report's.
DEV_WIDE_TABLES = (
    "kddcup-buffer_overflow_vs_back",
    "kddcup-land_vs_satan",
    "kddcup-guess_passwd_vs_satan",
    "kddcup-land_vs_portsweep",
    "flare-F",
    "dermatology-6",
    "lymphography-normal-fibrosis",
    "zoo-3",
)
#: Suite name -> (its scenarios, its KEEL tables); `quick` cuts the tune suite's scenarios.
_BUILT_IN = {
    "tune": (SCENARIOS, KEEL_TABLES),
    "standard": (SCENARIOS, KEEL_TABLES),
    "quick": (SCENARIOS, KEEL_TABLES),
    "report": (REPORT_SCENARIOS, REPORT_TABLES),
    "dev-tables": ((), DEV_TABLES),
    "dev-wide": ((), DEV_WIDE_TABLES),
}
SUITES = tuple(_BUILT_IN)


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
    source: Scenario | KeelTable | LabelledFile
    seed_offset: int = 0

    def with_seed(self, seed: int) -> BenchStream:
        """The same stream regenerated (a scenario) or reshuffled (a table) with seed `seed`.

        >>> from stream_imbal.bench import load_suite
        >>> stream = load_suite("quick")[0]
        >>> stream.source.seed, stream.with_seed(3).source.seed, len(stream.with_seed(3))
        (1, 3, 11250)

        """
        seed = seed + self.seed_offset
        source = self.source
        if isinstance(source, LabelledFile):
            return self  # a file's order is its own
        if isinstance(source, KeelTable):
            return dataclasses.replace(self, source=KeelTable(source.name, seed=seed))
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


def load_suite(suite: str | pathlib.Path, seed: int = 1) -> list[BenchStream]:
    """The streams of `suite`: a name of `SUITES` or a TOML file's path.

    `seed` seeds the built-in scenarios and the shuffle of the KEEL tables; a file's scenarios
    keep their own seeds. Every problem raises `ConfigError`.

    Examples
    --------
    >>> from stream_imbal.bench import load_suite
    >>> [(s.name, len(s)) for s in load_suite("quick")][:3]
    [('sea-abrupt', 11250), ('agrawal-gradual', 7500), ('hyperplane-incremental', 10000)]
    >>> [(s.name, len(s)) for s in load_suite("report")][:2]
    [('rbf5-prior', 20000), ('rbf8-abrupt', 20000)]
    >>> load_suite("fast")
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: unknown suite 'fast': tune, standard, quick, report, \
dev-tables, dev-wide or a .toml file

    """
    name = str(suite)
    if name in SUITES:
        scenarios, tables = _BUILT_IN[name]
        streams = []
        for scenario in scenarios:
            n_events = get_scenario(scenario).n_events // 4 if name == "quick" else None
            source = get_scenario(scenario, seed=seed, n_events=n_events)
            streams.append(BenchStream(scenario, source))
        return streams + [BenchStream(table, KeelTable(table, seed=seed)) for table in tables]
    if pathlib.Path(suite).suffix != ".toml":
        raise ConfigError(f"unknown suite {name!r}: {', '.join(SUITES)} or a .toml file")
    return [BenchStream(s.name, s, seed_offset=s.seed - 1) for s in load_scenario_suite(suite)]


def select_streams(streams: Sequence[BenchStream], names: Sequence[str]) -> list[BenchStream]:
    """The streams named in `names`, in that order; an unknown name raises `ConfigError`."""
    by_name = {stream.name: stream for stream in streams}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(
            f"no stream named {unknown[0]!r} in the suite; its streams: {', '.join(by_name)}"
        )
    return [by_name[name] for name in names]
