"""The pending-label store keeps each event as it was given, and survives a checkpoint: pickled
as columns, restored as it was."""

from __future__ import annotations

import gc
import pickle
import struct
from collections import OrderedDict
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stream_imbal._pending import pack_floats, unpack_floats

from stream_imbal import OnlineImbalancedClassifier
from stream_imbal.online import Event, Label, ScoreThenLearn, _Made
from stream_imbal.pending import PendingEvent, PendingLabels

ids = st.one_of(st.integers(-(2**70), 2**70), st.text(max_size=8))
features = st.dictionaries(
    st.text(max_size=3), st.floats(allow_nan=False) | st.integers(), max_size=4
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), ids, st.floats(0, 1e6), features, st.booleans()),
        st.tuples(st.just("pop"), ids),
        st.tuples(st.just("expire"), st.floats(0, 2e6)),
    ),
    max_size=40,
)


def apply(store: PendingLabels, operation: tuple) -> object:
    if operation[0] == "add":
        _, event_id, ts, x, decision = operation
        return store.add(event_id, ts, x, (decision, None, None))
    if operation[0] == "pop":
        return store.pop(operation[1])
    return store.expire(operation[1])


def contents(store: PendingLabels) -> list[tuple]:
    return [(e.event_id, e.ts, e.features, e.decision) for e in store]


@settings(max_examples=200, deadline=None)
@given(operations, operations, st.integers(1, 6), st.none() | st.floats(1, 1e5))
def test_a_restored_store_holds_and_does_what_the_original_does(before, after, size, ttl):
    store = PendingLabels(max_size=size, ttl=ttl)
    for operation in before:
        apply(store, operation)
    restored = pickle.loads(pickle.dumps(store, protocol=pickle.HIGHEST_PROTOCOL))
    assert contents(restored) == contents(store)
    assert (restored.max_size, restored.ttl, restored.evictions) == (size, ttl, store.evictions)
    for operation in after:
        assert apply(restored, operation) == apply(store, operation)
    assert contents(restored) == contents(store)
    assert restored.evictions == store.evictions


def test_a_store_pickled_before_columns_loads_and_its_events_are_learnt():
    """Checkpoints written before held the store's `_events`, with each event's features as a dict
    and a `_Made`."""
    core = ScoreThenLearn(OnlineImbalancedClassifier(seed=1, warm_up=1))
    core.on_event(Event("a", 0.0, {"x": 1.0}, label=0))
    core.on_event(Event("b", 1.0, {"x": 5.0}, label=1))
    old = PendingLabels.__new__(PendingLabels)
    waiting = PendingEvent.__new__(PendingEvent)  # as pickle restored it: its fields in order
    waiting.__setstate__(
        (None, {"event_id": "c", "ts": 2.0, "features": {"x": 4.0}, "decision": _Made(1, None)})
    )
    old.__setstate__(
        {
            "max_size": 10,
            "ttl": None,
            "_events": OrderedDict(c=waiting),
            "evictions": {"full": 0, "expired": 0},
        }
    )
    core.pending = pickle.loads(pickle.dumps(old))
    outcome = core.on_label(Label("c", 1, ts=3.0))
    assert (outcome.joined, outcome.learned, core.learned, len(core.pending)) == (1, 1, 3, 0)


def bits(x: dict) -> list[tuple[str, type, bytes]]:
    """`x` to the last bit: each name, its value's type, and the value's bytes as a double (a
    NaN's payload and a zero's sign included) or its pickle."""
    return [
        (name, type(v), struct.pack("<d", v) if type(v) is float else pickle.dumps(v))
        for name, v in x.items()
    ]


values = st.floats() | st.integers(-(2**70), 2**70) | st.booleans()
events = st.dictionaries(st.text(max_size=4), st.floats(), max_size=6) | st.dictionaries(
    st.text(max_size=4), values, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(st.lists(events, min_size=1, max_size=8))
def test_an_event_comes_back_as_it_was_given_to_the_last_bit(xs):
    """Floats are packed as doubles (NaNs, signed zeros and infinities too); an event with any
    other value is pickled, its ints and bools kept as they are. Through a checkpoint too."""
    store = PendingLabels(max_size=100)
    for i, x in enumerate(xs):
        store.add(i, float(i), x)
    restored = pickle.loads(pickle.dumps(store, protocol=pickle.HIGHEST_PROTOCOL))
    for i, x in enumerate(xs):
        assert bits(store.get(i).features) == bits(x)
        assert bits(restored.pop(i).features) == bits(x)
        packed_as_floats = store.get(i).names is not None
        assert packed_as_floats == all(type(v) is float for v in x.values())


def test_events_of_one_schema_share_their_names_in_memory_and_in_a_checkpoint():
    names = [f"a_rather_long_feature_name_{j}" for j in range(30)]
    store = PendingLabels(max_size=2000)
    for i in range(1000):
        store.add(i, float(i), {name: float(i + j) for j, name in enumerate(names)})
    store.add("other", 0.0, {"b": 1.0})
    store.add("last", 0.0, {name: 0.5 for name in names})
    kept = [event.names for event in store]
    assert all(n is kept[0] for n in kept[:1000]) and kept[-1] == kept[0]
    checkpoint = pickle.dumps(store, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(checkpoint) < 1000 * 30 * 8 + 1000 * 40  # the doubles, and a little per event
    restored = [e.names for e in pickle.loads(checkpoint)]
    assert all(n is restored[0] for n in restored[:1000])
    assert restored[1000] == ("b",)


def test_an_event_of_numpy_floats_is_pickled_and_comes_back_as_numpy_floats():
    x = {"a": np.float64(0.1), "b": 2.0}
    store = PendingLabels()
    store.add("e", 0.0, x)
    assert store.get("e").names is None
    assert [type(v) for v in store.pop("e").features.values()] == [np.float64, float]


def test_a_store_pickled_before_packed_floats_loads():
    """Checkpoints written before held four columns, every event's features pickled."""
    x = {"x": 4.0, "n": 3}
    store = PendingLabels.__new__(PendingLabels)
    store.__setstate__(
        {
            "max_size": 10,
            "ttl": None,
            "evictions": {"full": 0, "expired": 0},
            "_columns": (["c"], [2.0], [pickle.dumps(x)], [(1, None, None)]),
        }
    )
    store.add("d", 3.0, {"x": 1.0})
    assert store.pop("c").features == x
    assert store.pop("d").features == {"x": 1.0}


def test_doubles_that_do_not_match_the_names_are_refused():
    with pytest.raises(ValueError, match="9 bytes do not hold 1 doubles"):
        unpack_floats(("a",), b"123456789")
    assert unpack_floats(("a", "b"), pack_floats({"p": 1.5, "q": -0.0})) == {"a": 1.5, "b": -0.0}


def test_features_in_another_mapping_than_a_dict_come_back_as_that_mapping():
    store = PendingLabels()
    store.add("o", 0.0, OrderedDict(a=1.0, b=2.0))
    assert store.get("o").names is None
    back = store.pop("o").features
    assert type(back) is OrderedDict and back == OrderedDict(a=1.0, b=2.0)
    others = (MappingProxyType({"a": 1.0}), None, [1.0], OrderedDict(a=1.0))
    assert [pack_floats(x) for x in others] == [None] * 4


def test_the_events_waiting_give_the_garbage_collector_nothing_to_walk():
    """A full store is one dict to a collection: its events, once seen by a collection, are not
    tracked, nor counted toward the next full collection."""
    store = PendingLabels(max_size=10_000)
    for i in range(5_000):
        store.add(f"e{i}", float(i), {"a": float(i), "b": 1.0}, (i % 2 == 0, None, None))
        store.add(i, float(i), {"n": i}, (None, None, None))  # pickled features
    gc.collect()
    gc.collect()  # a tuple is let go by the first collection that finds its items let go
    assert not any(gc.is_tracked(kept) for kept in store._events.values())
    assert store.pop("e7").decision == (False, None, None)
