"""How far ahead of the clock a timestamp may be: the guard against far-future timestamps.

Pending events expire in event time, so one event stamped `9999-12-31` would move a stream's
clock to the year 9999 and expire every event still waiting for its label. A timestamp further
ahead than a tolerance of the stream's clock (the latest time accepted so far), or of the wall
clock when there is one (a live service; a replay of history has none), is refused instead:
the caller sends the record to its dead letters and the clock does not move.

This is the one place of that rule; the service calls it, and so can a replay.

>>> from stream_imbal.event_clock import EventTimeGuard, TimestampTooFarAhead
>>> guard = EventTimeGuard(max_ahead=3600.0, max_ahead_of_wall=86400.0)
>>> guard.check(ts=1_700_000_100.0, clock=1_700_000_000.0, wall_now=1_800_000_000.0)
>>> nine_nines = 253402214400.0  # 9999-12-31
>>> guard.check(ts=nine_nines, clock=1_700_000_000.0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
stream_imbal.event_clock.TimestampTooFarAhead: timestamp 253402214400.0 is ... stream's...
>>> guard.check(ts=1.9e9, clock=float("-inf"), wall_now=1.8e9)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
stream_imbal.event_clock.TimestampTooFarAhead: timestamp 1900000000.0 is ... wall clock...

"""

from __future__ import annotations

import dataclasses
import math

from stream_imbal.exceptions import ConfigError, StreamImbalError

__all__ = ["MAX_AHEAD", "MAX_AHEAD_OF_WALL", "EventTimeGuard", "TimestampTooFarAhead"]

#: The defaults of replay and the service. No limit ahead of the stream's clock: a real gap in a
#: stream (a night, a holiday) longer than the limit would refuse every record after it.
MAX_AHEAD = 0.0
#: A day ahead of the wall clock: more than any producer's clock skew or time zone mistake, and
#: still far short of the years by which a bad timestamp (9999-12-31, milliseconds read as
#: seconds) is ahead. Only a live caller has a wall clock; a replay of history has none.
MAX_AHEAD_OF_WALL = 86_400.0


class TimestampTooFarAhead(StreamImbalError, ValueError):
    """A record whose timestamp is too far in the future to move the clock; `str(error)` says
    by how much and which limit it broke."""


@dataclasses.dataclass(frozen=True)
class EventTimeGuard:
    """The limits on how far ahead a timestamp may be.

    Parameters
    ----------
    max_ahead
        Seconds a timestamp may be ahead of the stream's clock (the latest timestamp accepted).
        0 (the default) turns the check off. A real gap in a stream longer than this would
        refuse every record after it, so set it only for streams without such gaps.
    max_ahead_of_wall
        Seconds a timestamp may be ahead of the wall clock, when one is given (clock skew
        between producers); by default a day. 0 turns the check off.

    """

    max_ahead: float = MAX_AHEAD
    max_ahead_of_wall: float = MAX_AHEAD_OF_WALL

    def __post_init__(self) -> None:
        for name in ("max_ahead", "max_ahead_of_wall"):
            value = getattr(self, name)
            if not value >= 0:
                raise ConfigError(f"{name} must be >= 0 (0: no limit), got {value!r}")

    def check(self, ts: float, clock: float, wall_now: float | None = None) -> None:
        """Raise `TimestampTooFarAhead` if `ts` is too far ahead of `clock` (the stream's
        latest accepted time; -inf before the first) or of `wall_now` (epoch seconds)."""
        if self.max_ahead and math.isfinite(clock) and ts - clock > self.max_ahead:
            raise TimestampTooFarAhead(
                f"timestamp {ts!r} is {ts - clock:.0f} s ahead of the stream's clock {clock!r} "
                f"(limit {self.max_ahead:g} s): refused so as not to move the clock"
            )
        if (
            self.max_ahead_of_wall
            and wall_now is not None
            and ts - wall_now > self.max_ahead_of_wall
        ):
            raise TimestampTooFarAhead(
                f"timestamp {ts!r} is {ts - wall_now:.0f} s ahead of the wall clock "
                f"(limit {self.max_ahead_of_wall:g} s): refused so as not to move the clock"
            )
