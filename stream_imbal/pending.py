"""A bounded store of scored events waiting for their label.

In fraud or churn detection the label of an event arrives long after its prediction. The
store keeps what is needed to learn the event once its label comes (its features, and what was
predicted, to score the prediction), with a cap on its size and a time-to-live in event time.
Nothing leaves it silently: every eviction is counted by reason and handed back to the caller.

>>> from stream_imbal.pending import PendingLabels
>>> store = PendingLabels(max_size=2, ttl=60.0)
>>> store.add("a", ts=0.0, features={"amount": 10.0}, decision=False)
[]
>>> store.add("b", ts=30.0, features={"amount": 99.0}, decision=True)
[]
>>> [e.event_id for e in store.add("c", ts=31.0, features={"amount": 5.0}, decision=False)]
['a']
>>> store.pop("b").features
{'amount': 99.0}
>>> [e.event_id for e in store.expire(now=100.0)]
['c']
>>> store.evictions
{'full': 1, 'expired': 1}
>>> store.pop("zzz") is None
True

"""

from __future__ import annotations

import dataclasses
import pickle
from collections import OrderedDict
from collections.abc import Hashable, Iterator

from stream_imbal._pending import pack_floats, unpack_floats
from stream_imbal.exceptions import ConfigError

__all__ = ["EARLY_MAX", "PENDING_MAX", "PENDING_TTL", "PendingEvent", "PendingLabels"]

#: The defaults of replay and the service: room for 100,000 events (about 0.5 kB each with 30
#: features, measured: `benchmarks/checkpoints.py`), each kept 90 days of event time:
#: chargebacks come weeks late.
PENDING_MAX = 100_000
PENDING_TTL = 90 * 24 * 3600.0
#: The default of replay and the service for labels that came before their event
#: (`ScoreThenLearn.early_max`): as many labels ahead of their events as events may wait behind
#: their labels. About 240 bytes each (an id of 15 characters, the label and its time,
#: measured): 24 MB at most, a third of what the full pending store takes.
EARLY_MAX = PENDING_MAX


@dataclasses.dataclass(slots=True)
class PendingEvent:
    """An event waiting for its label, its features packed (`packed`). An event whose every
    value is a float keeps them as the bytes of C doubles, and its feature `names`, a tuple the
    events of one schema share (`_pending.pack_floats`); any other event keeps them pickled
    (`names` None). Either way a checkpoint copies its bytes rather than walking a dict
    (`benchmarks/checkpoints.py`). Packing 30 floats costs about 1 us, unpacking them 1
    (pickled: 2 and 3.5). The store makes one for each event it hands out."""

    event_id: Hashable
    ts: float
    packed: bytes
    decision: object = None
    names: tuple[str, ...] | None = None

    @property
    def features(self) -> dict:
        """The event's features, as they were given."""
        if self.names is None:
            return pickle.loads(self.packed)
        return unpack_floats(self.names, self.packed)

    def __setstate__(self, state: tuple) -> None:
        # Only checkpoints written before packing hold an event of their own (the store now
        # pickles columns): (None, its fields by name), the features as a dict.
        fields = dict(state[1], names=None)
        fields["packed"] = pickle.dumps(fields.pop("features"), protocol=pickle.HIGHEST_PROTOCOL)
        for name, value in fields.items():
            setattr(self, name, value)


class PendingLabels:
    """Events waiting for a label, oldest first, at most `max_size` of them, each kept at most
    `ttl` units of event time after its own timestamp.

    Each event is held as a plain tuple of its fields (`_Kept`), which CPython's garbage
    collector stops tracking once it sees it holds no container: a full store (100,000 events by
    default) is one dict for a collection to walk, not 100,000 objects, and its events do not
    count toward the next full collection (`docs/service.md`).

    Parameters
    ----------
    max_size
        When full, adding an event evicts the oldest (reason `full`).
    ttl
        `expire(now)` evicts the events older than `now - ttl` (reason `expired`). `None`
        keeps events until the store is full.

    """

    def __init__(self, max_size: int = PENDING_MAX, ttl: float | None = None) -> None:
        if not isinstance(max_size, int) or max_size < 1:
            raise ConfigError(f"max_size must be a positive integer, got {max_size!r}")
        if ttl is not None and not ttl > 0:
            raise ConfigError(f"ttl must be positive or None, got {ttl!r}")
        self.max_size = max_size
        self.ttl = ttl
        self._events: OrderedDict[Hashable, _Kept] = OrderedDict()
        self.evictions = {"full": 0, "expired": 0}
        self._names: tuple[str, ...] = ()  # the feature names of the last event packed

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, event_id: Hashable) -> bool:
        return event_id in self._events

    def __iter__(self) -> Iterator[PendingEvent]:
        """The events waiting, oldest first."""
        return (PendingEvent(event_id, *kept) for event_id, kept in self._events.items())

    def add(
        self, event_id: Hashable, ts: float, features: dict, decision: object = None
    ) -> list[PendingEvent]:
        """Keep an event until its label comes; return the events evicted to make room.

        An id seen again replaces the earlier event (a redelivered message).
        """
        self._events.pop(event_id, None)
        values = pack_floats(features)
        if values is None:
            packed = pickle.dumps(features, protocol=pickle.HIGHEST_PROTOCOL)
            self._events[event_id] = (ts, packed, decision, None)
        else:
            names = tuple(features)
            if names != self._names:
                self._names = names
            self._events[event_id] = (ts, values, decision, self._names)
        evicted = []
        while len(self._events) > self.max_size:
            evicted.append(PendingEvent(*_oldest(self._events)))
        self.evictions["full"] += len(evicted)
        return evicted

    def get(self, event_id: Hashable) -> PendingEvent | None:
        """The event waiting under `event_id`, left in the store, or None."""
        kept = self._events.get(event_id)
        return None if kept is None else PendingEvent(event_id, *kept)

    def pop(self, event_id: Hashable) -> PendingEvent | None:
        """Take the event out of the store, or None if unknown or already evicted."""
        kept = self._events.pop(event_id, None)
        return None if kept is None else PendingEvent(event_id, *kept)

    def expire(self, now: float) -> list[PendingEvent]:
        """Evict and return the events whose time-to-live has passed at event time `now`."""
        if self.ttl is None:
            return []
        horizon = now - self.ttl
        evicted = []
        # Oldest first by arrival; a late-arriving old timestamp is caught on a later pass.
        events = self._events
        while events and next(iter(events.values()))[0] < horizon:
            evicted.append(PendingEvent(*_oldest(events)))
        self.evictions["expired"] += len(evicted)
        return evicted

    def __getstate__(self) -> dict:
        # Pickled as columns, not an object per event to reduce: a checkpoint of a full store
        # copies bytes (`benchmarks/checkpoints.py`), and the names once per schema.
        state = self.__dict__.copy()
        events = state.pop("_events")
        kept = events.values()
        state["_columns"] = (list(events), *([fields[i] for fields in kept] for i in range(4)))
        return state

    def __setstate__(self, state: dict) -> None:
        columns = state.pop("_columns", None)
        self._names = ()  # pickled before packed floats: without
        self.__dict__.update(state)
        if columns is None:  # pickled before columns: `_events` holds `PendingEvent`s
            self._events = OrderedDict(
                (e.event_id, (e.ts, e.packed, e.decision, e.names)) for e in self._events.values()
            )
            return
        if len(columns) == 4:  # pickled before packed floats: every event pickled, no names
            columns = (*columns, [None] * len(columns[0]))
        event_ids, *fields = columns
        self._events = OrderedDict(zip(event_ids, zip(*fields, strict=True), strict=True))


#: An event as the store holds it: its `PendingEvent` fields after the id.
_Kept = tuple[float, bytes, object, tuple[str, ...] | None]


def _oldest(events: OrderedDict[Hashable, _Kept]) -> tuple:
    """Take the oldest event out of `events`: its `PendingEvent` fields."""
    event_id, kept = events.popitem(last=False)
    return (event_id, *kept)
