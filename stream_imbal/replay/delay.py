"""When each label becomes known, and the stream of events and labels a live system would see.

In fraud or churn detection an event's label comes long after the event. `LabelDelay` says
when: never apart (each event carries its label), after a number of further events, after a
span of event time, or at the time given by a column of the file. `LabelTimeline` turns the rows
of a file into what a live stream delivers, in order: each `Event` (with its label when it
carries it) and, later, each `Label`.

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

import dataclasses
import heapq
import math
import re
from collections.abc import Hashable, Iterable, Iterator

from stream_imbal.exceptions import ConfigError
from stream_imbal.online import Event, Label
from stream_imbal.replay.reader import BadRowError, BadRows, Row

__all__ = ["Event", "Label", "LabelDelay", "LabelTimeline", "parse_duration"]

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([smhd])")


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `30s`, `15m`, `2h`, `1.5d`.

    >>> parse_duration("15m"), parse_duration("1.5d")
    (900.0, 129600.0)

    """
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ConfigError(f"not a duration: {text!r}; expected e.g. 30s, 15m, 2h or 1d")
    return float(match[1]) * UNITS[match[2]]


@dataclasses.dataclass(frozen=True)
class LabelDelay:
    """When an event's label becomes known; at most one of the fields is set.

    Parameters
    ----------
    events
        After this many further events.
    seconds
        This long (in event time) after the event.
    column
        At the time given by this column of the file (`ColumnMap.label_time`).

    With none set, each event carries its own label.

    """

    events: int | None = None
    seconds: float | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        if sum(v is not None for v in (self.events, self.seconds, self.column)) > 1:
            raise ConfigError("a label delay is in events, in event time or from a column")
        if (self.events is not None and self.events < 0) or (
            self.seconds is not None and not self.seconds >= 0
        ):
            raise ConfigError(f"a label delay cannot be negative: {self}")

    @classmethod
    def parse(cls, text: str) -> LabelDelay:
        """`500` (events) or a duration in event time (`30s`, `15m`, `2h`, `1d`).

        >>> LabelDelay.parse("500"), LabelDelay.parse("2h")
        (LabelDelay(events=500, seconds=None, column=None), LabelDelay(events=None, seconds=7200.0, column=None))

        """  # noqa: E501
        text = text.strip()
        if text.isdigit():
            return cls(events=int(text))
        try:
            return cls(seconds=parse_duration(text))
        except ConfigError:
            raise ConfigError(
                f"not a label delay: {text!r}; expected a number of events (500) or a duration "
                "in event time (30s, 15m, 2h, 1d)"
            ) from None

    @property
    def carried(self) -> bool:
        """Whether each event carries its own label (no delay at all)."""
        return self.events is None and self.seconds is None and self.column is None


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
