"""What a checkpoint costs when the pending-label store is full, as it is in steady state when
labels come weeks late (the service and replay keep up to `[labels] pending_max` = 100,000
events).

An online core (`ScoreThenLearn`, the default model) learns `--learnt` labelled events, then
scores `--pending` events whose labels follow, so that they wait in its store. A checkpoint is
the service's: the core pickled and signed (`consumers.checkpointer.Checkpointer.save`), timed
as the best of `--repeats`, with its restore (verify and unpickle). The store is pickled as
columns (`PendingLabels.__getstate__`); the row "former layout" pickles the same store as it was
pickled before (a `PendingEvent` per event, its features a dict, and a `_Made`), in the same
run. Memory is what `tracemalloc` traces per event kept.

    python benchmarks/checkpoints.py --pending 100000 --features 30
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import pickle
import random
import sys
import time
import tracemalloc
from collections.abc import Hashable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from stream_imbal import OnlineImbalancedClassifier  # noqa: E402
from stream_imbal.online import Event, ScoreThenLearn, _Made  # noqa: E402
from stream_imbal.pending import PendingLabels  # noqa: E402
from stream_imbal.signing import sign, verify  # noqa: E402

KEY = b"benchmark-signing-key-0123456789"


@dataclasses.dataclass(slots=True)
class _FormerEvent:
    """`PendingEvent` as it was: its features a dict."""

    event_id: Hashable
    ts: float
    features: dict
    decision: object = None


class FormerLayout(PendingLabels):
    """`store` as it was kept and pickled: its attributes as they are, an event's features as
    a dict."""

    def __init__(self, store: PendingLabels) -> None:
        self.__dict__.update(store.__dict__)
        self._events = {
            e.event_id: _FormerEvent(e.event_id, e.ts, e.features, _Made(*e.decision))
            for e in store
        }

    def __getstate__(self) -> dict:
        return self.__dict__

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def filled_core(learnt: int, pending: int, n_features: int, seed: int) -> ScoreThenLearn:
    """The default's core after `learnt` labelled events, with `pending` events waiting."""
    rng = random.Random(seed)
    names = [f"f{j}" for j in range(n_features)]  # one string per name, as orjson decodes them
    core = ScoreThenLearn(OnlineImbalancedClassifier(seed=seed), window=None)
    core.pending.max_size = pending
    for i in range(learnt + pending):
        y = rng.random() < 0.01
        x = {name: rng.gauss(0.8 if y and j < 5 else 0.0, 1.0) for j, name in enumerate(names)}
        labelled = i < learnt
        core.on_event(Event(i, float(i), x, label=y if labelled else None))
    return core


def bytes_per_event(layout: str, n: int, n_features: int) -> float:
    """Memory held per pending event, kept as `layout` ("columns" or "former layout"), as
    traced by `tracemalloc` while `n` events of random features are kept."""
    rng = random.Random(0)
    names = [f"f{j}" for j in range(n_features)]
    tracemalloc.start()
    store, former = PendingLabels(max_size=n), {}
    for i in range(n):
        x = {name: rng.gauss(0.0, 1.0) for name in names}
        if layout == "columns":
            store.add(i, float(i), x, (False, None, None))
        else:
            former[i] = _FormerEvent(i, float(i), x, _Made(False, None))
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held / n


def best_seconds(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(core: ScoreThenLearn, repeats: int) -> tuple[float, float, int]:
    """(checkpoint seconds, restore seconds, bytes) of `core`, best of `repeats`."""
    blob = sign(pickle.dumps(core, protocol=pickle.HIGHEST_PROTOCOL), KEY)
    save = best_seconds(
        lambda: sign(pickle.dumps(core, protocol=pickle.HIGHEST_PROTOCOL), KEY), repeats
    )
    restore = best_seconds(lambda: pickle.loads(verify(blob, KEY)), repeats)
    return save, restore, len(blob)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--learnt", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--every-events", type=int, default=10_000, help="checkpoint interval")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    core = filled_core(args.learnt, args.pending, args.features, args.seed)
    store = core.pending
    rows = []
    for layout in ("columns", "former layout"):
        core.pending = store if layout == "columns" else FormerLayout(store)
        memory = bytes_per_event(layout, args.pending, args.features)
        rows.append((layout, *measure(core, args.repeats), memory))
    core.pending = PendingLabels()
    model_only = (*measure(core, args.repeats), 0.0)
    print(
        f"\n{args.pending:,} events pending ({args.features} features), the default model after "
        f"{args.learnt:,} labelled events; best of {args.repeats}\n"
    )
    print(
        "| store kept and pickled as | checkpoint (ms) | restore (ms) | MB | checkpoint per event "
        f"at every {args.every_events:,} events (us) | memory per event pending (bytes) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, save, restore, size, memory in (*rows, ("(no event pending)", *model_only)):
        per_event = save / args.every_events * 1e6
        print(
            f"| {name} | {save * 1e3:,.0f} | {restore * 1e3:,.0f} | {size / 1e6:.1f} "
            f"| {per_event:.1f} | {memory:,.0f} |"
        )
    print(
        f"\nformer layout / columns: checkpoint {rows[1][1] / rows[0][1]:.2f}x, restore "
        f"{rows[1][2] / rows[0][2]:.2f}x, memory {rows[1][4] / rows[0][4]:.2f}x"
    )


if __name__ == "__main__":
    main()
