"""Does a model restored from a pickle go on as the model that was never stopped?

The default learns the first `--at` events of a report-suite stream (seed 1), predicting each
before learning it, as `prequential` does. It is pickled, then goes on to `--until` events. A
fresh process loads the pickle and goes on with the same events (with `--warm`, it first trains
a throwaway default for 3,000 events, so that it is not the first model the process makes).
Both record, for each event after `--at`, the largest probability and the sum of the
probabilities; the report is the first event where they differ and how many values differ.

    python benchmarks/restore.py --stream rbf8-abrupt --at 6000 --until 20000
"""

from __future__ import annotations

import argparse
import pathlib
import pickle
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.harness.suites import load_suite  # noqa: E402
from stream_imbal import OnlineImbalancedClassifier  # noqa: E402


def events(stream: str) -> list[tuple[dict, object]]:
    (found,) = [s for s in load_suite("report") if s.name == stream]
    return [(x, y) for x, y, _ in found.with_seed(1).events()]


def go_on(model, stream: list, start: int, stop: int) -> list[float]:
    """Predict then learn events `start` to `stop`; the probabilities' largest and sum each."""
    seen = []
    for x, y in stream[start:stop]:
        proba = model.predict_proba_one(x)
        seen += [max(proba.values(), default=-1.0), sum(proba.values())]
        model.learn_one(x, y)
    return seen


def restored(args: argparse.Namespace) -> None:
    """The child process: load the pickle, go on, pickle what it saw."""
    stream = events(args.stream)
    if args.warm:
        go_on(OnlineImbalancedClassifier(seed=2), stream, 0, 3_000)
    model = pickle.loads(pathlib.Path(args.child, "model.pkl").read_bytes())
    seen = go_on(model, stream, args.at, args.until)
    pathlib.Path(args.child, "seen.pkl").write_bytes(pickle.dumps(seen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", default="rbf8-abrupt")
    parser.add_argument("--at", type=int, default=6_000)
    parser.add_argument("--until", type=int, default=20_000)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        restored(args)
        return
    stream = events(args.stream)
    model = OnlineImbalancedClassifier(seed=1)
    go_on(model, stream, 0, args.at)
    with tempfile.TemporaryDirectory() as folder:
        pathlib.Path(folder, "model.pkl").write_bytes(pickle.dumps(model))
        went_on = go_on(model, stream, args.at, args.until)
        child = [sys.executable, __file__, *sys.argv[1:], "--child", folder]
        subprocess.run(child, check=True)
        came_back = pickle.loads(pathlib.Path(folder, "seen.pkl").read_bytes())
    differing = [i for i, (a, b) in enumerate(zip(went_on, came_back, strict=True)) if a != b]
    first = f"event {args.at + differing[0] // 2:,}" if differing else "none"
    print(
        f"{args.stream}, restored after {args.at:,} events{' (warm process)' if args.warm else ''}:"
        f" first differing {first}; {len(differing):,} of {len(went_on):,} values differ"
    )


if __name__ == "__main__":
    main()
