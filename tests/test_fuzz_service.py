"""No message can stop the service: arbitrary values in every field of events and labels, and
bytes that are no JSON at all, go through the whole in-process path (decode, online core,
encode, publish, checkpoint) of `InProcessService`; each message is predicted or
dead-lettered, once, and nothing escapes the loop. A failure after the model has learned rolls
the partition back to its snapshot, so the model never keeps half of a failed message."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.model_state import ModelState
from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.online import Event
from tests.kafka_fakes import InProcessService, in_process_config

CONFIG = in_process_config(
    TOPICS__LABELS="labels", LABELS__MAX_IDLE_MS="1", CHECKPOINT__EVERY_EVENTS="15"
)
WARM_UP = 12  # valid labelled events first, so that hostile events reach a scoring model

EDGES = [
    2**63 - 1,
    2**63,
    2**64,
    2**70,
    -(2**63) - 1,
    10**400,
    -(10**400),
    1e308,
    -1e308,
    5e-324,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    "",
    " ",
    "\ud800",
    "x" * 5_000,
    "\U0001f600" * 3,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**80), 2**80)
    | st.floats()
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
    | st.sampled_from(EDGES)
)
json_values = st.sampled_from(EDGES) | st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def valid_event(n: int, label: object = None) -> dict:
    body = {"id": f"ok-{n}", "ts": 1_000.0 + n, "features": {"x": float(n % 7), "y": n % 2}}
    if label is not None:
        body["label"] = label
    return body


def encoded(body: object, ascii_only: bool) -> bytes:
    """`body` as JSON the way other producers write it: NaN and Infinity literals, integers of
    any size, lone surrogates as escapes or as raw (invalid UTF-8) bytes."""
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def hostile_event(draw) -> bytes:
    body = valid_event(draw(st.integers(0, 10**6)), label=draw(st.sampled_from([None, 0, 1])))
    # mostly one field changed, so that the others pass and the value reaches the model
    fields = ["id", "ts", "features", "label", "a feature"]
    for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2)):
        if field != "a feature":
            body[field] = draw(json_values)
        elif isinstance(body["features"], dict):
            body["features"][draw(st.sampled_from(["x", "z", ""]) | st.text())] = draw(json_values)
    text = encoded(body, draw(st.booleans()))
    if draw(st.booleans()):  # the same key twice: the last one wins, as in every JSON reader
        text = text.replace(b"{", b'{"id": ' + encoded(draw(json_values), True) + b", ", 1)
    return text


@st.composite
def hostile_label(draw) -> bytes:
    body = {"id": f"ok-{draw(st.integers(0, 40))}", "label": 1, "ts": 1_010.0}
    for field in draw(st.lists(st.sampled_from(["id", "ts", "label"]), min_size=1, max_size=2)):
        body[field] = draw(json_values)
    return encoded(body, draw(st.booleans()))


NOT_JSON = st.sampled_from(
    [b"", b"null", b"[]", b"\xff\xfe", b'{"id": 1', b"[" * 5_000 + b"]" * 5_000]
) | st.binary(max_size=64)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["events", "labels"]),
            hostile_event() | hostile_label() | NOT_JSON | st.none(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_message_is_predicted_or_dead_lettered_once(messages):
    service = InProcessService(CONFIG)
    consumer, producer = service.consumer, service.producer
    for n in range(WARM_UP):
        consumer.append("events", 0, encoded(valid_event(n, label=n % 3 == 0), True))
    for n, (topic, value) in enumerate(messages):
        consumer.append(topic, 0, value)
        consumer.append("events", 0, encoded(valid_event(WARM_UP + n), True))
    service.drain()

    predictions, letters = producer.on("predictions"), producer.on("dead")
    places = [(d["topic"], d["offset"]) for d in letters]
    assert len(places) == len(set(places)), "a message was dead-lettered twice"
    events = len(consumer.logs[("events", 0)])
    assert len(predictions) + sum(t == "events" for t, _ in places) == events
    predicted = {p["id"] for p in predictions}
    assert {f"ok-{n}" for n in range(WARM_UP + len(messages))} <= predicted
    # every hostile value was refused by a rule: none reached an unexpected failure
    assert service.metrics.failures._metrics == {} and service.metrics.rollbacks._value.get() == 0


def test_an_id_beyond_64_bits_is_dead_lettered_and_the_service_goes_on():
    service = InProcessService(CONFIG)
    consumer, producer = service.consumer, service.producer
    for n in range(WARM_UP):
        consumer.append("events", 0, encoded(valid_event(n, label=n % 3 == 0), True))
    for big in (2**70, 2**64, -(2**63) - 1):
        consumer.append("events", 0, b'{"id": %d, "ts": 1, "features": {"x": 1}}' % big)
    consumer.append("events", 0, b'{"id": 1180591620717411303424.0, "features": {"x": 1}}')
    consumer.append("events", 0, encoded(valid_event(99), True))
    service.drain()
    letters = producer.on("dead")
    assert [d["offset"] for d in letters] == [12, 13, 14, 15]
    assert all("send it as a string" in d["reason"] for d in letters), letters
    assert [p["id"] for p in producer.on("predictions")][-1] == "ok-99"


def _learn_then_fail(original):
    def learn_one(self, x, y, **kwargs):
        original(self, x, y, **kwargs)
        if x.get("x") == 666.0:
            raise RuntimeError("boom")

    return learn_one


def test_a_failure_after_learning_rolls_the_partition_back(monkeypatch):
    monkeypatch.setattr(
        OnlineImbalancedClassifier,
        "learn_one",
        _learn_then_fail(OnlineImbalancedClassifier.learn_one),
    )
    service = InProcessService(CONFIG)
    consumer, producer = service.consumer, service.producer
    valid = [valid_event(n, label=n % 3 == 0) for n in range(40)]
    for n, body in enumerate(valid):
        consumer.append("events", 0, encoded(body, True))
        if n == 20:  # after the first checkpoint (every 15 events): learned, then failed
            poison = {"id": "bad", "ts": 1_020.5, "features": {"x": 666.0, "y": 0}, "label": 1}
            consumer.append("events", 0, encoded(poison, True))
    service.drain()

    (letter,) = producer.on("dead")
    assert letter["offset"] == 21 and letter["reason"] == "process failed: RuntimeError: boom"
    assert service.metrics.rollbacks._value.get() == 1
    assert service.metrics.failures.labels("process", "RuntimeError")._value.get() == 1
    # the model is the one that learned the valid events, once each, and not the failed one
    state = service.states[0]
    reference = ModelState(CONFIG, 0)
    for body in valid:
        reference.on_event(Event(body["id"], body["ts"], body["features"], body["label"]))
    assert state.learned == reference.learned == 40
    probe = {"x": 3.0, "y": 1}
    assert state.model.predict_proba_one(probe) == reference.model.predict_proba_one(probe)
    # every valid event predicted; those after the snapshot twice (at least once)
    ids = [p["id"] for p in producer.on("predictions")]
    assert set(ids) == {body["id"] for body in valid} and "bad" not in ids


def test_a_failure_while_publishing_dead_letters_the_message(monkeypatch):
    import consumers.publisher

    original = consumers.publisher.prediction_message

    def prediction_message(prediction, partition):
        if prediction.id == "ok-15":
            raise OverflowError("cannot encode")
        return original(prediction, partition)

    monkeypatch.setattr(consumers.publisher, "prediction_message", prediction_message)
    service = InProcessService(CONFIG)
    for n in range(30):
        service.consumer.append("events", 0, encoded(valid_event(n, label=n % 3 == 0), True))
    service.drain()
    (letter,) = service.producer.on("dead")
    assert letter["reason"] == "publish failed: OverflowError: cannot encode"
    assert service.states[0].learned == 29
    assert "ok-16" in {p["id"] for p in service.producer.on("predictions")}


@pytest.mark.parametrize("value", [b"\x00", b"{}", b'{"id": "a", "label": [1]}'])
def test_a_bad_label_is_dead_lettered_with_its_reason(value):
    service = InProcessService(CONFIG)
    service.consumer.append("labels", 0, value)
    service.drain()
    (letter,) = service.producer.on("dead")
    assert letter["topic"] == "labels" and letter["reason"]
