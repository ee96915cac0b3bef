"""`heap.settle` freezes what is alive: sound only for objects that hold no reference cycle
(a frozen cycle is never collected), which the model and the service's states must not.

The cycles are counted in a fresh interpreter: in a test worker, the threads other tests left
(a Kafka client's, the workers' own) make garbage of their own while the count runs."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref

from stream_imbal import heap
from tests.service_harness import REPO

COUNT = """
import gc, random, sys
sys.path.insert(0, {repo!r})
{make}
gc.collect()
gc.disable()
{drop}
print(gc.collect())
"""


def cyclic_garbage_left(make: str, drop: str) -> int:
    """Objects only a collection frees (reference cycles) once `drop` has run after `make`, in
    a fresh interpreter."""
    code = COUNT.format(repo=str(REPO), make=textwrap.dedent(make), drop=drop)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return int(run.stdout.split()[-1])


class _Node:
    pass


def test_settle_collects_then_freezes_what_is_alive_and_now_and_then_the_frozen_too():
    threshold = gc.get_threshold()
    unreachable = _Node()
    unreachable.me = unreachable  # a cycle no one holds: collected, not frozen
    collected = weakref.ref(unreachable)
    held = _Node()
    held.me = held  # a cycle still held when frozen, let go after
    frozen = weakref.ref(held)
    del unreachable
    try:
        heap.settle()
        assert collected() is None and frozen() is held
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        del held
        heap.settle()  # within FULL_EVERY_S of the last full collection: kept frozen
        assert frozen() is not None
        heap._full_at -= heap.FULL_EVERY_S
        heap.settle()
        assert frozen() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_trained_default_model_holds_no_reference_cycle():
    make = """
        from stream_imbal import OnlineImbalancedClassifier
        rng = random.Random(3)
        model = OnlineImbalancedClassifier(seed=3)
        for _ in range(6_000):
            y = rng.random() < 0.05
            x = {f"f{j}": rng.gauss(1.0 if y and j < 3 else 0.0, 1.0) for j in range(8)}
            model.predict_one(x)
            model.learn_one(x, y)
        assert model.n_seen == 6_000
    """
    assert cyclic_garbage_left(make, "del model") == 0
    assert cyclic_garbage_left(make, "model.me = model; del model") > 1_000  # the count works


def test_the_service_settles_its_states_and_they_go_without_cycles():
    make = """
        import os, tempfile
        from tests.service_harness import SIGNING_KEY_ENV
        os.environ[SIGNING_KEY_ENV] = "k" * 32
        from tests.kafka_fakes import InProcessService, in_process_config
        directory = tempfile.mkdtemp()
        service = InProcessService(in_process_config(CHECKPOINT__DIRECTORY=directory))
        assert gc.get_freeze_count() > 0  # the state made at assignment is frozen
        rng = random.Random(5)
        for i in range(300):
            a, b = rng.random(), rng.random()
            label = "true" if a > 0.9 else "false"
            value = f'{{"id": {i}, "ts": {i}, "features": {{"a": {a}, "b": {b}}}'
            service.consumer.append("events", 0, f'{value}, "label": {label}}}'.encode())
        service.drain()
        assert service.states[0].learned == 300
        gc.unfreeze()  # a frozen cycle would not be found
    """
    assert cyclic_garbage_left(make, "service._on_revoked([('events', 0)])") == 0
