"""The stream of events and labels a live system would see, from the rows of a file.

`LabelTimeline` turns rows in event-time order into what a live stream delivers, in order: each
`Event` (with its label when it carries it) and, later, each `Label`, as a `LabelDelay` says.

The order is that of a clock: the event index for a delay in events, the event time otherwise.
Before an event arrives, the labels known strictly before it are delivered; right after it, the
labels known at that very moment (its own, for a delay of zero). With a delay of N events, N
further events arrive before an event's label. The labels still due after the last event are
delivered at the end, in the order they become known.

>>> from stream_imbal.replay import LabelDelay, LabelTimeline, Row
>>> rows = [Row(i + 1, f"e{i}", 10.0 * i, {"x": 1.0}, i % 2) for i in range(4)]
>>> for item in LabelTimeline(LabelDelay.parse("15s"))(rows):
...     print(item)
Event(event_id='e0', ts=0.0, label=None, label_follows=True, row=1)
Event(event_id='e1', ts=10.0, label=None, label_follows=True, row=2)
Label(event_id='e0', label=0, ts=15.0, row=1)
Event(event_id='e2', ts=20.0, label=None, label_follows=True, row=3)
Label(event_id='e1', label=1, ts=25.0, row=2)
Event(event_id='e3', ts=30.0, label=None, label_follows=True, row=4)
Label(event_id='e2', label=0, ts=35.0, row=3)
Label(event_id='e3', label=1, ts=45.0, row=4)

"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable, Iterator

from stream_imbal.online import Event, Label
from stream_imbal.replay.delay import LabelDelay
from stream_imbal.replay.reader import BadRowError, BadRows, Row

__all__ = ["Event", "Label", "LabelTimeline"]


class LabelTimeline:
    """Turn rows in event-time order into the events and labels a live stream delivers.

    Parameters
    ----------
    delay
        When labels become known. With `delay.column`, each row's `label_ts` says when.
    on_bad_row
        Gets an event whose id is still waiting for its label (a duplicate id), which would
        make its label ambiguous. By default it raises.

    Attributes
    ----------
    events, labelled, unlabelled
        Events delivered so far; those labelled (their label carried or to follow); those that
        never get one (no label in the file, or no label time with `delay.column`).

    """

    def __init__(self, delay: LabelDelay, on_bad_row: BadRows | None = None) -> None:
        self.delay = delay
        self.on_bad_row = on_bad_row if on_bad_row is not None else BadRows()
        self.events = self.labelled = self.unlabelled = 0

    def __call__(self, rows: Iterable[Row]) -> Iterator[Event | Label]:
        delay = self.delay
        if delay.carried:
            for row in rows:
                yield self._event(row, row.label, False)
            return
        # A delay in events counts on the event index, and a label is known at the time of the
        # event it comes after; other delays count on the event time.
        by_index = delay.events is not None
        due: list[tuple[float, int, Row]] = []  # (when known, arrival order, row), a heap
        waiting: set[str | int] = set()
        now, index = 0.0, 0
        for row in rows:
            clock = index if by_index else row.ts
            at = row.ts if by_index else None
            yield from _release(due, waiting, clock, at, inclusive=False)
            if row.event_id in waiting:
                self.on_bad_row(
                    BadRowError(
                        row.number,
                        "duplicate id",
                        f"id {row.event_id!r} is already used by an event waiting for its label",
                    )
                )
                continue
            now = row.ts
            labelled = row.label is not None and (delay.column is None or row.label_ts is not None)
            yield self._event(row, None, labelled)
            if labelled:
                heapq.heappush(due, (self._known(row, index), index, row))
                waiting.add(row.event_id)
            yield from _release(due, waiting, clock, at, inclusive=True)
            index += 1
        yield from _release(due, waiting, math.inf, now if by_index else None, inclusive=True)

    def _event(self, row: Row, label: Hashable | None, label_follows: bool) -> Event:
        self.events += 1
        if label is not None or label_follows:
            self.labelled += 1
        else:
            self.unlabelled += 1
        return Event(
            row.event_id, row.ts, row.features, label, label_follows, row.number, row.label
        )

    def _known(self, row: Row, index: int) -> float:
        """When the row's label becomes known, on the clock of the delay."""
        delay = self.delay
        if delay.events is not None:
            return index + delay.events
        if delay.seconds is not None:
            return row.ts + delay.seconds
        return row.label_ts


def _release(
    due: list, waiting: set, clock: float, now: float | None, inclusive: bool
) -> Iterator[Label]:
    """Pop the labels known before `clock` (or at it, if `inclusive`), first known first; each
    is known at `now`, or at the time it is due when `now` is None."""
    while due and (due[0][0] <= clock if inclusive else due[0][0] < clock):
        known, _, row = heapq.heappop(due)
        waiting.discard(row.event_id)
        yield Label(row.event_id, row.label, known if now is None else now, row.number)
