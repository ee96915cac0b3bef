"""Record the default classifier's outputs on short report streams, for
`tests/test_recorded_outputs.py`.

Run from the repository's root, only when the default is meant to change its predictions:

    python tests/data/record_default_outputs.py

For each stream, event by event as `stream_imbal.evaluate.prequential` does (score, decide,
learn), it records the default's probability of the minority (True) and its decision, and the
probability of True of a `SubspaceForest` alone, learning each event with weight 1 after
predicting it. The forest's own outputs pin down the compiled trees without the pool's blend.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))  # the benchmarks' suites

from benchmarks.harness.suites import load_suite  # noqa: E402
from stream_imbal import OnlineImbalancedClassifier  # noqa: E402
from stream_imbal.ensemble import SubspaceForest  # noqa: E402

#: Report-suite streams with different features: RandomRBF (8 numeric), Agrawal (9, some
#: categorical codes), SEA (3, linear), a KEEL table (8). Their first `N_EVENTS` events, seed 1.
STREAMS = ("rbf8-abrupt", "agrawal2-prior", "sea-prior-abrupt", "yeast4")
N_EVENTS = 3_000
PATH = pathlib.Path(__file__).with_name("default_outputs.npz")


def stream_events(name: str) -> list[tuple[dict, bool]]:
    """The first `N_EVENTS` `(x, y)` events of the report stream `name`, seed 1."""
    (stream,) = [s for s in load_suite("report") if s.name == name]
    return [(x, y) for x, y, _ in stream.with_seed(1).events()[:N_EVENTS]]


def default_outputs(events: list[tuple[dict, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """The default's probability of True and decision for each event, before learning it. It
    decides from the first events (`warm_up=1`), as the default did when this was recorded."""
    model = OnlineImbalancedClassifier(seed=1, warm_up=1)
    probas, decisions = [], []
    for x, y in events:
        probas.append(model.predict_proba_one(x).get(True, 0.0))
        decisions.append(model.predict_one(x) is True)
        model.learn_one(x, y)
    return np.array(probas), np.array(decisions)


def forest_outputs(events: list[tuple[dict, bool]]) -> np.ndarray:
    """A `SubspaceForest(seed=1)`'s probability of True for each event, before learning it."""
    forest = SubspaceForest(seed=1)
    probas = []
    for x, y in events:
        probas.append(forest.predict_proba_one(x).get(True, 0.0))
        forest.learn_one(x, y)
    return np.array(probas)


def main() -> None:
    arrays = {}
    for name in STREAMS:
        events = stream_events(name)
        arrays[f"{name}/proba"], arrays[f"{name}/decision"] = default_outputs(events)
        arrays[f"{name}/forest"] = forest_outputs(events)
    np.savez_compressed(PATH, **arrays)


if __name__ == "__main__":
    main()
