"""A service restored from its checkpoint goes on as the service that was never stopped: the
same predictions, to the last bit, once the default's trees are at their size limit (where the
measure of their size decides which leaves learn)."""

from __future__ import annotations

import random

from consumers.messages import encode_event
from stream_imbal.model_file import TrainedModel, save_model
from stream_imbal.presets import build_preset
from tests.kafka_fakes import FakeStore, InProcessService, in_process_config
from tests.service_harness import SIGNING_KEY_ENV

HISTORY, STREAM, STOPPED_AT = 12_000, 8_000, 2_000


class _Restarted(InProcessService):
    """An `InProcessService` that finds its checkpoints in another's `store`."""

    def __init__(self, config, store: FakeStore) -> None:
        self._kept = store
        super().__init__(config)

    def _connect(self):
        return self.producer, self.consumer, self._kept


def _events(n: int, start: int, rng: random.Random) -> list:
    """Events of 8 features whose minority (about 1 in 15) is a non-linear region, labelled."""
    events = []
    for i in range(start, start + n):
        x = {f"x{k}": rng.gauss(0, 1) for k in range(8)}
        y = (x["x0"] * x["x1"] > 1.2) != (rng.random() < 0.01)
        events.append((f"e{i}", float(i), x, y))
    return events


def _scores(service: InProcessService, events: list) -> dict:
    for event_id, ts, x, y in events:
        service.consumer.append("events", 0, encode_event(event_id, ts, x, y))
    service.drain()
    return {p["id"]: (p["score"], p["decision"]) for p in service.producer.on("predictions")}


def test_a_service_restored_from_its_checkpoint_goes_on_as_one_never_stopped(tmp_path, monkeypatch):
    key = "restart-test-key-0123456789"
    monkeypatch.setenv(SIGNING_KEY_ENV, key)  # the service's, for checkpoints and model files
    rng = random.Random(7)
    model = build_preset("default", seed=0)  # its trees at their limit after the history
    counts: dict = {}
    for _, _, x, y in _events(HISTORY, 0, rng):
        model.learn_one(x, y)
        counts[y] = counts.get(y, 0) + 1
    save_model(tmp_path / "m.bin", TrainedModel(model, counts, HISTORY, "default"), key.encode())
    config = in_process_config(MODEL__INIT=str(tmp_path / "m.bin"))
    stream = _events(STREAM, HISTORY, rng)

    never_stopped = _scores(InProcessService(config), stream)
    stopped = InProcessService(config)
    before = _scores(stopped, stream[:STOPPED_AT])  # then a checkpoint, and it stops
    restarted = _Restarted(config, stopped.store)
    after = _scores(restarted, stream)

    assert restarted.states[0].learned == HISTORY + STREAM
    assert len(never_stopped) == STREAM and before.keys() | after.keys() == never_stopped.keys()
    assert before | after == never_stopped
