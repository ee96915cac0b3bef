"""The pending-label store survives a checkpoint: pickled as columns, restored as it was."""

from __future__ import annotations

import pickle
from collections import OrderedDict

from hypothesis import given, settings
from hypothesis import strategies as st

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
    return [(e.event_id, e.ts, e.features, e.decision) for e in store._events.values()]


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
