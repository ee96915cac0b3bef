"""Small labelled streams the unit tests share. Streams with drift and a known truth are
`stream_imbal.simulation`'s scenarios; these are the few-line streams a unit test needs."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping


def gaussian_classes(
    n: int, seed: int | random.Random, share: float, means: Mapping[str, float]
) -> Iterator[tuple[dict, bool]]:
    """`n` events, each True with probability `share`; feature `name` is Gaussian with unit
    variance, centred on `means[name]` for a True event and on 0 for a False one."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    for _ in range(n):
        y = rng.random() < share
        yield {name: rng.gauss(mean if y else 0.0, 1.0) for name, mean in means.items()}, y


def xor_classes(n: int, seed: int, n_features: int = 10) -> Iterator[tuple[dict, bool]]:
    """`n` events of `n_features` features uniform on [-1, 1]; the label is the XOR of the
    first two features' signs (a concept no single split separates)."""
    rng = random.Random(seed)
    for _ in range(n):
        x = {f"f{k}": rng.uniform(-1, 1) for k in range(n_features)}
        yield x, (x["f0"] > 0) != (x["f1"] > 0)
