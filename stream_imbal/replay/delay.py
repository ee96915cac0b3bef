"""When each label becomes known: `LabelDelay`.

In fraud or churn detection an event's label comes long after the event. `LabelDelay` says
when: never apart (each event carries its label), after a number of further events, after a
span of event time, or at the time given by a column of the file. `LabelTimeline`
(`stream_imbal.replay.timeline`) turns the rows of a file into what a live stream delivers.

This module imports nothing heavy: a command checks its options before it imports river.

>>> from stream_imbal.replay import LabelDelay
>>> LabelDelay.parse("1d")
LabelDelay(events=None, seconds=86400.0, column=None)
"""

from __future__ import annotations

import dataclasses
import re

from stream_imbal.exceptions import ConfigError

__all__ = ["LabelDelay", "parse_duration"]

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
