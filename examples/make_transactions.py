"""Generate `examples/transactions.csv`: a small replayable stream of "transactions".

The events come from the simulator's `demo` scenario (SEA features, 1% minority, an abrupt
concept drift half-way), shortened to 5,000 events. Each row has an id, an event time `ts`
(epoch seconds from 2024-01-01 UTC, about 10 s apart with random gaps), the three features,
the label (1 for the minority class) and `label_ts`: when the label became known, a random delay
of one minute to two days (log-uniform) after the event. Deterministic: run it again and the file
is the same.

    python examples/make_transactions.py [OUT.csv]
"""

from __future__ import annotations

import csv
import math
import pathlib
import random
import sys

from stream_imbal.simulation import get_scenario

N_EVENTS = 5_000
SEED = 2024
START = 1_704_067_200.0  # 2024-01-01T00:00:00Z
MEAN_GAP_S = 10.0
DELAY_S = (60.0, 2 * 86_400.0)
FEATURES = ["x0", "x1", "x2"]  # the SEA generator's three features, in [0, 10)


def rows(n_events: int = N_EVENTS, seed: int = SEED):
    """Yield the rows of the file, header first."""
    rng = random.Random(seed)
    low, high = (math.log(d) for d in DELAY_S)
    yield ["id", "ts", *FEATURES, "label", "label_ts"]
    ts = START
    stream = get_scenario("demo", seed=seed, n_events=n_events)
    for i, (x, y) in enumerate(stream, start=1):
        ts += rng.expovariate(1 / MEAN_GAP_S)
        label_ts = ts + math.exp(rng.uniform(low, high))
        features = [round(x[k], 4) for k in sorted(x)]
        yield [f"tx-{i:05d}", f"{ts:.3f}", *features, int(y), f"{label_ts:.0f}"]


def main(out: pathlib.Path) -> None:
    with out.open("w", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows())


if __name__ == "__main__":
    default = pathlib.Path(__file__).with_name("transactions.csv")
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default)
