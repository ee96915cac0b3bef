"""`heap.settle` freezes what is alive: sound only for objects that hold no reference cycle
(a frozen cycle is never collected), which the model and the service's states must not."""

from __future__ import annotations

import gc
import random

import pytest

from stream_imbal import OnlineImbalancedClassifier, heap
from tests.kafka_fakes import InProcessService, in_process_config


@pytest.fixture
def collector():
    """The collector as CPython starts it, given back so after the test."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.enable()
    gc.unfreeze()
    gc.set_threshold(*threshold)


def cyclic_garbage_left_by(drop) -> int:
    """Objects only a collection frees (reference cycles) once `drop()` has run."""
    gc.collect()
    gc.disable()
    drop()
    found = gc.collect()
    gc.enable()
    return found


def test_settle_collects_then_freezes_what_is_alive(collector):
    garbage = [[]]
    garbage[0].append(garbage)  # a cycle no one holds
    del garbage
    heap.settle()
    assert gc.get_freeze_count() > 0 and gc.collect() == 0
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD


def test_a_trained_default_model_holds_no_reference_cycle(collector):
    rng = random.Random(3)
    models = [OnlineImbalancedClassifier(seed=3)]
    for _ in range(6_000):
        y = rng.random() < 0.05
        x = {f"f{j}": rng.gauss(1.0 if y and j < 3 else 0.0, 1.0) for j in range(8)}
        models[0].predict_one(x)
        models[0].learn_one(x, y)
    assert models[0].n_seen == 6_000
    assert cyclic_garbage_left_by(models.clear) == 0


def test_the_service_settles_its_states_and_they_go_without_cycles(collector, tmp_path):
    service = InProcessService(in_process_config(CHECKPOINT__DIRECTORY=str(tmp_path)))
    assert gc.get_freeze_count() > 0  # the state made at assignment is frozen
    rng = random.Random(5)
    for i in range(300):
        x = {"a": rng.random(), "b": rng.random()}
        label = "true" if x["a"] > 0.9 else "false"
        value = f'{{"id": {i}, "ts": {i}, "features": {{"a": {x["a"]}, "b": {x["b"]}}}'
        service.consumer.append("events", 0, f'{value}, "label": {label}}}'.encode())
    service.drain()
    assert service.states[0].learned == 300
    gc.unfreeze()  # a frozen cycle would not be found
    assert cyclic_garbage_left_by(lambda: service._on_revoked([("events", 0)])) == 0
    assert not service.states
